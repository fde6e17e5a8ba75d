"""Checks that read the data before any stage runs, so bad rows stop the run up front."""

from __future__ import annotations

from pathlib import Path

from ..recipe.errors import ConfigError, Problem
from ..recipe.schema import Variant


def preflight(variants: list[Variant]) -> None:
    """Read every local source row of every training variant; raise :class:`ConfigError`."""
    from ..data.build import select_examples
    from ..data.sources import SourceError

    problems: list[Problem] = []
    for variant in variants:
        if variant.train.method == "none" or variant.data is None:
            continue
        if any(s.hub for s in variant.data.sources):
            continue  # Hub datasets are read in the data stage (network)
        try:
            examples, missing = select_examples(variant, Path(variant.recipe_file).resolve().parent)
        except SourceError as exc:
            problems.append(Problem(variant.recipe_file, None, "data.sources", str(exc)))
            continue
        if not examples:
            problems.append(Problem(variant.recipe_file, None, "data",
                                    f"variant {variant.name}: selects no examples"
                                    + (f" ({missing} PLUG targets have no pivot-language row with the same id)" if missing else "")))
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
