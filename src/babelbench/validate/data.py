"""Checks of a variant's ``data`` section: sources readable row by row, mix weights, sizes the sources can
fill, translation-task data; and, before any stage runs, the examples each variant selects."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from ..core.errors import Problem
from ..core.train_method import TrainMethod
from ..recipe.schema import DataConfig, Variant

Report = Callable[[str, str], None]

_WEIGHT_TOLERANCE = 1e-6


def data_problems(variant: Variant, recipe_dir: Path, report: Report) -> list[Problem]:
    """Sources readable row by row (their problems name the data file, row and field), no empty
    source, mix weights that are numbers summing to 1, and a size the sources can fill."""
    data = variant.data
    assert data is not None
    problems: list[Problem] = []
    rows = _source_rows(data, recipe_dir, report, problems)
    if data.translation is not None:
        problems += _translation_problems(variant, recipe_dir, report)
    if data.sources:  # else translation-task data only (the schema refuses a mix or size without sources)
        _check_mix(data, rows, report)
    return problems


def _source_rows(data: DataConfig, recipe_dir: Path, report: Report, problems: list[Problem]) -> dict[str, int | None]:
    """Language -> the rows its local sources hold (None: a Hub source, unknown); each source's problems
    reported, or added to ``problems`` (a row that does not fit)."""
    from ..data.sources import SourceError, read_source, source_mapping

    rows: dict[str, int | None] = {}
    for i, source in enumerate(data.sources):
        lang = source.language
        try:
            mapping = source_mapping(source)
        except ValueError as exc:
            report(f"data.sources.{i}.format", str(exc))
            continue
        problem = mapping.problem() if mapping is not None else None
        if problem:
            report(f"data.sources.{i}.fields", problem)
            continue
        if source.path is None:
            rows[lang] = None
            continue
        if not (recipe_dir / source.path).is_file():
            report(f"data.sources.{i}.path", f"file not found: {source.path} (relative to {recipe_dir})")
            continue
        try:
            count = len(read_source(source, recipe_dir))
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        if count == 0:
            report(f"data.sources.{i}.path", f"{source.path} holds no rows")
        if lang not in rows or rows[lang] is not None:
            rows[lang] = (rows.get(lang) or 0) + count
    return rows


def _check_mix(data: DataConfig, rows: dict[str, int | None], report: Report) -> None:
    """Mix weights that are numbers summing to 1, and a size the sources' ``rows`` can fill."""
    from ..data.mix import language_counts

    weights_ok = True
    for lang, weight in data.mix.items():
        if not math.isfinite(weight) or weight < 0:
            report(f"data.mix.{lang}", f"weight must be a number >= 0, got {weight}")
            weights_ok = False
        elif weight > 0 and lang not in {s.language for s in data.sources}:
            report(f"data.mix.{lang}", f"no source has language {lang!r}")
    total = sum(data.mix.values())
    if weights_ok and abs(total - 1.0) > _WEIGHT_TOLERANCE:
        report("data.mix", f"weights sum to {total:g}, not 1")
        weights_ok = False
    if not weights_ok or data.allow_upsampling:
        return
    for lang, wanted in sorted(language_counts(data.mix, data.size or 0).items()):
        held = rows.get(lang)
        if held is not None and 0 < held < wanted:
            report("data.size", f"{data.size} examples at weight {data.mix[lang]:g} ask for {wanted} {lang!r} rows, "
                                f"and its sources hold {held}: lower data.size, or set data.allow_upsampling: true "
                                "to repeat rows")


def _translation_problems(variant: Variant, recipe_dir: Path, report: Report) -> list[Problem]:
    """Translation-task data: a pivot apart from the targets, templates with both slots (each bad line
    named), parallel files that exist and hold a sentence for each language they serve on every row,
    every target paired with the pivot somewhere, and sizes the pairs can fill (as for instruction rows)."""
    from ..data.sources import SourceError
    from ..data.translation import pair_pools, size_problem, template_problems

    assert variant.data is not None and variant.data.translation is not None
    translation = variant.data.translation
    problems: list[Problem] = []
    targets = translation.targets()
    per_language = isinstance(translation.size, dict)
    if translation.pivot in targets:
        report("data.translation.pivot", f"the pivot {translation.pivot!r} is paired with every target language: "
                                          f"leave it out of the targets (`{'size' if per_language else 'languages'}`)")
    if translation.templates != "default":
        if not (recipe_dir / translation.templates).is_file():
            report("data.translation.templates", f"`default`, or a file of templates; file not found: "
                                                 f"{translation.templates} (relative to {recipe_dir})")
        else:
            problems += template_problems(recipe_dir / translation.templates)
    readable = True
    for i, source in enumerate(translation.sources):
        if source.path is not None and not (recipe_dir / source.path).is_file():
            report(f"data.translation.sources.{i}.path", f"file not found: {source.path} (relative to {recipe_dir})")
            readable = False
    if not readable or any(s.hub is not None for s in translation.sources):
        return problems  # pairs a Hub dataset holds are counted in the data stage (network)
    try:
        pools = pair_pools(translation, recipe_dir, local_only=True)
    except SourceError as exc:
        return [*problems, exc.problem]
    for lang, wanted in sorted(targets.items()):
        held = len(pools[lang])
        if lang != translation.pivot and wanted > held and (held == 0 or not variant.data.allow_upsampling):
            report(f"data.translation.size.{lang}" if per_language else "data.translation.size",
                   size_problem(translation, lang, wanted, held))
    if not variant.data.sources and not any(targets.values()):
        report("data.translation.size", "no instruction `sources` and no translation pairs: the data section selects "
                                        "no examples")
    return problems


def selection_problems(variants: list[Variant]) -> list[Problem]:
    """Read every local source row of every training variant and select its examples: the rows that do not
    fit, and variants that select none."""
    from ..data.build import select_examples
    from ..data.sources import SourceError

    problems: list[Problem] = []
    for variant in variants:
        if variant.train.method == TrainMethod.NONE or variant.data is None:
            continue
        if any(s.hub for s in variant.data.sources):
            continue  # Hub datasets are read in the data stage (network)
        try:
            examples, missing = select_examples(variant, Path(variant.recipe_file).resolve().parent)
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        if not examples:
            unpaired = f" ({missing} PLUG targets have no pivot-language row with the same id)" if missing else ""
            problems.append(Problem(variant.recipe_file, None, "data",
                                    f"variant {variant.name}: selects no examples{unpaired}"))
    return list(dict.fromkeys(problems))
