"""Checks of a variant's alignment analysis (``analysis: [alignment]``): its parallel sentences can be
read, and hold the pivot and every target language -- before the model is trained, not after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..core.errors import ConfigError, Problem
from ..recipe.schema import Variant

Report = Callable[[str, str], None]


def alignment_problems(variant: Variant, recipe_dir: Path, report: Report) -> list[Problem]:
    """The sentence source exists and reads (its rows' problems at their lines), and has each language."""
    if "alignment" not in variant.analysis:
        return []
    from ..analysis.parallel_sentences import load_parallel, read_parallel, source_path

    config = variant.alignment
    path = source_path(config.source, recipe_dir)
    if not path.exists():
        report("alignment.source", f"`flores`, or a file or folder of parallel sentences; not found: {config.source} "
                                   f"(relative to {recipe_dir})")
        return []
    try:
        rows = read_parallel(path)
    except ConfigError as exc:
        return exc.problems
    held = ", ".join(sorted(rows)) or "none"
    if config.pivot not in rows:
        report("alignment.pivot", f"{config.source} holds no {config.pivot!r} sentences (it has {held})")
    for i, lang in enumerate(config.languages):
        if lang not in rows:
            report(f"alignment.languages.{i}", f"{config.source} holds no {lang!r} sentences (it has {held})")
    if config.pivot not in rows or any(lang not in rows for lang in config.languages):
        return []
    try:
        load_parallel(config.source, config.pivot, config.languages, recipe_dir, config.max_sentences)
    except ConfigError as exc:   # nothing to pair: said of the source, at its recipe line
        for problem in exc.problems:
            report("alignment.source", problem.message)
    return []
