"""Recipes loaded and checked before anything runs: the schema (:mod:`babelbench.recipe`), then every
check beyond it, then the examples each variant selects; before a run, also what its stages need from
the environment (judges' credentials) and the network (the Hub)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from ..core.errors import ConfigError, Problem
from ..paths import SearchPath
from ..recipe.loader import ExpandedRecipe, expand_recipe, gather
from ..recipe.schema import Variant
from .data import selection_problems
from .variant import variant_problems

#: The stages of a run, in order (what `harness run` runs without --only).
STAGES = ("data", "train", "eval", "judge")


class HubUnreachable(ConfigError):
    """A Hub model or dataset (or a file a metric downloads) the run needs and cannot get: a network matter,
    not the recipe's (`harness run` exits 1 on it, not 2)."""


def recipe(path: str | Path, overrides: list[str] | None = None, search: SearchPath | None = None) -> list[Variant]:
    """One recipe file's variants, each checked; or raise :class:`ConfigError` with every problem."""
    expanded = expand_recipe(path, overrides)
    search = search or SearchPath.build()
    problems: list[Problem] = _same_names(expanded)
    for expansion in expanded.expansions:
        problems += expansion.problems
        if expansion.variant is not None:
            problems += variant_problems(expansion.variant, expanded, expansion.blame, search)
    return expanded.variants(problems)


def _same_names(expanded: ExpandedRecipe) -> list[Problem]:
    """Two sweep/variant combinations that expand to one variant name (values that print alike, e.g. 1e-4 and
    0.0001, or two swept fields of one last name): at the line of the first choice that tells them apart."""
    problems: list[Problem] = []
    seen: dict[str, Variant] = {}
    for expansion in expanded.expansions:
        variant = expansion.variant
        if variant is None:
            continue
        first = seen.setdefault(variant.name, variant)
        if first is variant:
            continue
        differ = [k for k in variant.choices if first.choices.get(k) != variant.choices[k]] or list(variant.choices)
        field = differ[0] if differ else "name"
        f, line = expansion.blame.get(field) or expanded.doc.where("name", expanded.file)
        problems.append(Problem(f, line, field, f"two combinations expand to the variant name {variant.name!r} "
                                                f"({_choices(first)} and {_choices(variant)}): make the values "
                                                "differ as text, or name the variants"))
    return problems


def _choices(variant: Variant) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in variant.choices.items()) or "no choices"


def recipes(paths: Sequence[str | Path], overrides: list[str] | None = None, search: SearchPath | None = None, *,
            stages: Collection[str] = ()) -> list[Variant]:
    """Every variant of the recipes under ``paths``, checked, with the examples each selects; or raise
    :class:`ConfigError` (bad input). With ``stages`` (those `harness run` is about to run): also the judges'
    credentials (when judging), then the Hub models and datasets the stages need (:class:`HubUnreachable`)."""
    search = search or SearchPath.build()
    variants = gather(paths, lambda path: recipe(path, overrides, search))
    _raise(selection_problems(variants))
    if "judge" in stages:
        from .judges import credential_problems

        _raise(credential_problems(variants, search))
    if stages:
        from .hub import hub_problems

        unreachable = hub_problems(variants, stages, list(search.tasks))
        if unreachable:
            raise HubUnreachable(unreachable)
    return variants


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ConfigError(problems)
