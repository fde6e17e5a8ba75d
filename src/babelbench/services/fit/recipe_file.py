"""The recipe that trains on an allocation: its text (extending the sweep's recipe) and writing it safely."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

from .compute import BudgetResult, LanguageFit
from .settings import SIZE_KEY, FitError


def _inherited(path: Path) -> dict[str, Any]:
    """What a recipe extending ``path`` inherits (the loader's own merge of the ``extends`` chain)."""
    from ...core.errors import ConfigError
    from ...recipe.loader import inherited_tree

    try:
        return inherited_tree(path)
    except ConfigError as exc:
        raise FitError(f"{path}: {exc.problems[0] if exc.problems else exc}") from None


def sweep_recipe(variants: Sequence[Mapping[str, Any]]) -> Path:
    """The one recipe file the fitted variants come from (as stored: relative to where `harness run` ran)."""
    files = sorted({v["recipe_file"] for v in variants})
    if len(files) != 1:
        raise FitError(f"--write-recipe: the variants come from {len(files)} recipe files ({', '.join(files)}): "
                       "select one sweep's variants (--recipe NAME)")
    path = Path(files[0])
    if not path.is_file():
        raise FitError(f"--write-recipe: the sweep's recipe file {files[0]} (as the store names it) is not found "
                       "here: run `harness fit` in the folder `harness run` ran in")
    return path


def recipe_text(*, parent: Path, target: Path, name: str, result: BudgetResult, fits: Mapping[str, LanguageFit],
                metric: str, variants: Sequence[Mapping[str, Any]], made_by: str, run_with: str) -> str:
    """A recipe that extends the sweep's recipe file with a new name and the allocated per-language
    translation-data sizes, as one variant (the loader merges a child's sections into its parent's and
    cannot drop an inherited sweep, so a sweep the parent has is pinned to one value per key)."""
    sizes = dict(sorted(result.allocation.sizes.items()))
    inherited = _inherited(parent)
    named = inherited.get("variants")
    if isinstance(named, dict) and named:
        raise FitError(f"--write-recipe: {parent} defines named variants ({', '.join(map(str, named))}), which a "
                       "recipe extending it cannot drop: write the allocated recipe by hand from the sizes printed")
    sweep = inherited.get("sweep")
    translation = (inherited.get("data") or {}).get("translation")
    pins: dict[str, Any] = {}
    for key in sweep if isinstance(sweep, dict) else {}:
        if key == SIZE_KEY:
            pins[key] = sizes
            continue
        values = {json.dumps(v.get("choices", {}).get(key), sort_keys=True) for v in variants}
        if len(values) != 1:
            raise FitError(f"--write-recipe: the sweep of {parent} also varies {key} ({', '.join(sorted(values))}) "
                           "among the fitted variants: fit the variants of one value (--variants GLOB)")
        pins[key] = json.loads(values.pop())
    extends = os.path.relpath(parent.resolve(), target.resolve().parent)
    allocation = result.allocation
    lines = [
        f"# {name}: multilingual instruction tuning (MuIT) with {allocation.budget} translation examples allocated "
        f"across {', '.join(sizes)}",
        f"# by the {metric} scaling laws `harness fit` fitted to {len(variants)} variant(s) of {parent.name}",
        f"# (allocation {result.allocation_id}).",
        f"# Made by:  {made_by}",
        f"# Run it:   {run_with}",
        f"# Predicted {metric} ({fits[next(iter(sizes))].fit.level:.0%} bootstrap interval): " + "; ".join(
            f"{lang} {result.predicted[lang][0]:.4g} [{result.predicted[lang][1]:.4g}, "
            f"{result.predicted[lang][2]:.4g}]" for lang in sizes),
    ]
    if allocation.unallocated:
        lines.append(f"# {allocation.unallocated} example(s) of the budget left unallocated (less than a step, "
                     "or beyond the caps).")
    lines += [
        f"extends: {_scalar(extends)}",
        f"name: {_scalar(name)}",
        "data:",
        "  translation:",
        "    size:",
        *(f"      {_scalar(lang)}: {n}" for lang, n in sizes.items()),
    ]
    if isinstance(translation, dict) and translation.get("languages") is not None:
        # a size per language names the languages itself: the inherited list must go
        lines.append("    languages: null")
    if pins:
        lines += ["# The sweep inherited from the extended recipe, pinned to one variant:", "sweep:"]
        lines += [f"  {_scalar(key)}: [{json.dumps(value, sort_keys=True)}]" for key, value in pins.items()]
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: bare when YAML reads it back as the same string, else quoted (``"no"``)."""
    import yaml

    try:
        plain = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain = False
    return text if plain and text.strip() == text else json.dumps(text, ensure_ascii=False)


def draft_recipe(target: Path, text: str, sizes: Mapping[str, int]) -> Path:
    """Write ``text`` beside ``target`` as a draft and check that the harness's loader reads it as exactly one
    variant whose ``data.translation.size`` is ``sizes``; return the draft (to be renamed onto ``target``),
    or raise a :class:`FitError` having removed it."""
    from ...core.errors import ConfigError
    from ...validate import recipe as load_recipe

    if target.is_dir():
        raise FitError(f"--write-recipe {target}: is a folder")
    if not target.parent.is_dir():
        raise FitError(f"--write-recipe {target}: folder {target.parent} does not exist")
    draft = target.with_name(f".{target.stem}.{os.getpid()}.draft.yaml")
    draft.write_text(text, encoding="utf-8")
    try:
        try:
            loaded = load_recipe(draft)
        except ConfigError as exc:
            first = str(exc.problems[0]).replace(draft.name, target.name) if exc.problems else str(exc)
            raise FitError(f"--write-recipe {target}: the harness would refuse it: {first}") from None
        if len(loaded) != 1:
            raise FitError(f"--write-recipe {target}: it would make {len(loaded)} variants, not one")
        data = loaded[0].model_dump(mode="json").get("data") or {}
        written = (data.get("translation") or {}).get("size")
        if written != dict(sizes):
            raise FitError(f"--write-recipe {target}: it would train on data.translation.size {written}, not the "
                           f"allocation {dict(sizes)} (the extended recipe sizes other languages: fit them too)")
    except BaseException:
        draft.unlink(missing_ok=True)
        raise
    return draft



def _slug(text: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    return slug or "allocated"
