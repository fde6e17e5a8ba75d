"""Checks that need more than one field, the language table, the file system or the task index."""

from __future__ import annotations

import math
from pathlib import Path

from .. import languages
from ..core.errors import Problem
from ..core.yamlpos import Located
from ..models.registry import source_problem
from ..paths import SearchPath
from ..plug.labels import label_table
from .generation import check_generation
from .model_checks import check_model
from .schema import Variant

_WEIGHT_TOLERANCE = 1e-6


def check_variant(variant: Variant, recipe_dir: Path, doc: Located, file: str,
                  blame: dict[str, tuple[str, int | None]], search: SearchPath) -> list[Problem]:
    problems: list[Problem] = []

    def report(field: str, message: str) -> None:
        where = next((blame[k] for k in blame if field == k or field.startswith(k + ".")), None)
        f, line = where if where else doc.where(field, file)
        problems.append(Problem(f, line, field, message))

    _check_base_model(variant, recipe_dir, report)
    if variant.data is not None and variant.train.method != "none":
        problems += _check_data(variant, recipe_dir, report)
    _check_pivot(variant, report)
    _check_identifier(variant, recipe_dir, report)
    problems += _check_tasks(variant, recipe_dir, search, report)
    problems += _check_prompt_files(variant, recipe_dir, report)
    problems += _check_judges(variant, search, report)
    check_generation(variant, report)
    if not any(p.field == "base_model" for p in problems):
        check_model(variant, recipe_dir, report)
    return problems


def _check_base_model(variant: Variant, recipe_dir: Path, report) -> None:
    problem = source_problem(variant.base_model, recipe_dir)
    if problem:
        report("base_model", problem)


def _check_data(variant: Variant, recipe_dir: Path, report) -> list[Problem]:
    """Sources readable row by row (their problems name the data file, row and field), no empty
    source, mix weights that are numbers summing to 1, and a size the sources can fill."""
    from ..data.mix import language_counts
    from ..data.sources import SourceError, read_source, source_mapping

    data = variant.data
    assert data is not None
    problems: list[Problem] = []
    rows: dict[str, int | None] = {}   # language -> rows its local sources hold (None: a Hub source, unknown)
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
    if data.translation is not None:
        problems += _check_translation(variant, recipe_dir, report)
    if not data.sources:  # translation-task data only (the schema refuses a mix or size without sources)
        return problems
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
        return problems
    for lang, wanted in sorted(language_counts(data.mix, data.size or 0).items()):
        held = rows.get(lang)
        if held is not None and 0 < held < wanted:
            report("data.size", f"{data.size} examples at weight {data.mix[lang]:g} ask for {wanted} {lang!r} rows, "
                                f"and its sources hold {held}: lower data.size, or set data.allow_upsampling: true "
                                "to repeat rows")
    return problems


def _check_translation(variant: Variant, recipe_dir: Path, report) -> list[Problem]:
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


def _check_pivot(variant: Variant, report) -> None:
    pivot = variant.pivot
    if pivot.system_prompt not in ("none", "auto"):
        try:
            pivot.system_prompt.format(pivot="P", target="T")
        except (KeyError, IndexError, ValueError) as exc:
            report("pivot.system_prompt", f"only {{pivot}} and {{target}} may be filled in ({type(exc).__name__}: {exc})")
    for code, label in pivot.labels.items():
        if not label.strip() or "\n" in label:
            report(f"pivot.labels.{code}", "a section label is one non-empty line")
    labels = label_table(pivot.labels)
    clashes = sorted({c for c in labels for d in labels if c != d and labels[c] == labels[d]} & set(pivot.labels))
    for code in clashes:
        report(f"pivot.labels.{code}", f"label {labels[code]!r} is another language's label too")
    if pivot.mode != "plug":
        return
    if pivot.pivot_language not in labels:
        report("pivot.pivot_language", f"{pivot.pivot_language!r} has no section label, so it cannot be a pivot "
                                       "(give one in pivot.labels)")
    if variant.data is None or variant.train.method == "none":
        return
    for lang, weight in variant.data.mix.items():
        if weight > 0 and lang not in labels:
            report(f"data.mix.{lang}", f"pivot mode plug needs a section label for {lang!r} "
                                       f"({languages.name(lang)}): give one in pivot.labels")
    if pivot.pivot_language not in {s.language for s in variant.data.sources}:
        report("pivot.pivot_language",
               f"plug mode takes pivot answers from a {pivot.pivot_language!r} source, and there is none")


def _check_identifier(variant: Variant, recipe_dir: Path, report) -> None:
    spec = variant.eval.language_identifier
    if spec != "lingua" and not (recipe_dir / spec).is_file():
        report("eval.language_identifier", f"`lingua`, or a fastText model file; file not found: {spec} "
                                           f"(relative to {recipe_dir})")


def _check_serve(variant: Variant, report) -> None:
    """A served sweep: a known server, installed, that can serve this variant, and the openai backend's packages."""
    from ..evaluate.backends import get_eval_backend
    from ..evaluate.servers import get_server, server_names

    assert variant.eval.serve is not None
    name = variant.eval.serve.server
    if name not in server_names():
        report("eval.serve.server", f"unknown model server {name!r}; known: {', '.join(server_names())}")
        return
    server = get_server(name)
    for missing in (server.environment_problem(), get_eval_backend("openai").environment_problem()):
        if missing:
            report("eval.serve", f"a {name} served sweep {missing}")
    if variant.eval.backend != "hf":
        report("eval.serve", "a served sweep evaluates through the server: leave eval.backend unset")
    problem = server.recipe_problem(variant)
    if problem:
        report(*problem)


def _check_tasks(variant: Variant, recipe_dir: Path, search: SearchPath, report) -> list[Problem]:
    from ..evaluate.backends import eval_backend_names, get_eval_backend
    from ..evaluate.task_index import conflicts, unknown_tasks

    problems: list[Problem] = []
    if variant.eval.backend not in eval_backend_names():
        report("eval.backend", f"unknown eval backend {variant.eval.backend!r}; known: {', '.join(eval_backend_names())}")
    else:
        backend = get_eval_backend(variant.eval.backend)
        missing = backend.environment_problem()
        if missing:
            report("eval.backend", f"the {variant.eval.backend} backend {missing}")
        problem = backend.recipe_problem(variant)
        if problem:
            report(*problem)
    if variant.eval.serve is not None:
        _check_serve(variant, report)
    own = []
    for i, folder in enumerate(variant.eval.include_path):
        path = (recipe_dir / folder).resolve()
        if not path.is_dir():
            report(f"eval.include_path.{i}", f"folder not found: {folder} (relative to {recipe_dir})")
        else:
            own.append(path)
    dirs = own + [d for d in search.tasks if d not in own]
    for name, first, second in conflicts(dirs):
        problems.append(Problem(str(second), None, "task", f"task {name!r} is defined twice: in {first} and in {second}"))
    unknown = set(unknown_tasks(variant.eval.tasks, dirs))
    for i, name in enumerate(variant.eval.tasks):
        if name in unknown:
            report(f"eval.tasks.{i}", f"lm-eval does not know task {name!r}")
    return problems


def _check_prompt_files(variant: Variant, recipe_dir: Path, report) -> list[Problem]:
    """Prompt files must exist, name known languages, and hold a prompt on every line."""
    from ..evaluate.prompt_tasks import prompt_rows, task_name

    problems: list[Problem] = []
    names: set[str] = set()
    for i, pf in enumerate(variant.eval.prompt_files):
        name = task_name(pf)
        if name in names or name in variant.eval.tasks:
            report(f"eval.prompt_files.{i}", f"task name {name!r} is used twice (set `name`)")
        names.add(name)
        path = recipe_dir / pf.path
        if not path.is_file():
            report(f"eval.prompt_files.{i}.path", f"file not found: {pf.path} (relative to {recipe_dir})")
            continue
        rows = prompt_rows(path)
        if not rows:
            report(f"eval.prompt_files.{i}.path", f"{pf.path} holds no prompts")
        shown = str(path)
        for number, row, problem in rows:
            if problem:
                problems.append(Problem(shown, number, "", problem))
            elif row and row.get("expected_language") is not None and not languages.is_known(row["expected_language"]):
                problems.append(Problem(shown, number, "expected_language", _code_problem(row["expected_language"])))
            if len(problems) >= 10:
                break
    return problems


def _check_judges(variant: Variant, search: SearchPath, report) -> list[Problem]:
    """Each listed judge must exist and load; its own file's problems are reported at their lines."""
    if not variant.judges:
        return []
    from ..core.errors import ConfigError
    from ..judge.loader import available_judges, conflicts, load_judge
    from ..judge.protocol import get_protocol

    problems: list[Problem] = []
    roots = list(search.judges)
    known = available_judges(roots)
    for name, first, second in conflicts(roots):
        if name in variant.judges:
            problems.append(Problem(str(second), None, "name",
                                    f"judge {name!r} is defined twice: in {first} and in {second}"))
    for i, name in enumerate(variant.judges):
        if name not in known:
            report(f"judges.{i}", f"no judge {name!r} (known: {', '.join(known) or 'none'})")
            continue
        try:
            judge = load_judge(name, roots).with_backend(variant.judge.backend)
        except ConfigError as exc:
            problems += exc.problems
            continue
        except ValueError as exc:  # a backend override the judge's backend cannot take
            report("judge.backend", str(exc))
            continue
        if (get_protocol(judge.kind).needs_baseline and variant.judge.pairs == "baseline"
                and not variant.judge.baseline):
            report(f"judges.{i}", f"the {judge.kind} judge needs a baseline variant: set judge.baseline "
                                  "(or --baseline), or judge.pairs")
    return problems


def _code_problem(code: object) -> str:
    """Why ``code`` is not usable as written (unknown, or not in its standard form)."""
    try:
        standard = languages.standard_code(str(code))
    except ValueError as exc:
        return str(exc)
    return f"write the language code {code!r} as {standard!r} (its standard form)"
