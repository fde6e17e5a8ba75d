"""`harness fit`: a translation-data sweep's scaling laws, a budget allocated from them, and the MuIT
recipe that trains on that allocation.

Points: for every selected variant and language L of its data, x = the variant's translation
examples in L (its data stage's ``data_stats``) and y = the metric of the task named by the pattern
with ``{lang}`` = L (its eval stage's ``metrics``). Per language a law is fitted and bootstrapped
(:mod:`babelbench.analysis.scaling`); with a budget, sizes are allocated to maximise the summed
(weighted) predicted quality (:mod:`babelbench.analysis.allocation`).

A fit is identified by a hash of its points and settings (``fit_id``), an allocation by the fit
and its own settings (``allocation_id``): running the same fit again stores nothing new. The
functions here compute; :func:`run_fit` alone reads and writes the store.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.hashing import digest

if TYPE_CHECKING:
    from ..analysis.allocation import Allocation
    from ..analysis.scaling import ScalingFit

LANG_SLOT = "{lang}"
#: Points on the stored curve (its grid runs from 0 to twice the largest fitted size).
CURVE_POINTS = 61
_SIZE_KEY = "data.translation.size"


class FitError(ValueError):
    """Input `harness fit` cannot use: one line naming the option, the language or the file."""


class FitSettings(BaseModel):
    """What is fitted: which task's metric, which laws, and how the bootstrap runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    task: str = Field("flores_gen_en_{lang}", description="Task name pattern; {lang} is each language.")
    metric: str = Field("chrf", description="The metric fitted (as stored: `chrf`, `bleu`, ...).")
    filter: str = Field("none", description="The metric's filter (`none`; `plug` for PLUG variants).")
    languages: tuple[str, ...] = Field((), description="Languages fitted (default: every language with points).")
    laws: tuple[str, ...] = Field((), description="Law families tried (default: every registered law).")
    rounds: int = Field(1000, ge=1, description="Bootstrap rounds.")
    seed: int = Field(0, description="Bootstrap seed.")
    level: float = Field(0.95, gt=0, lt=1, description="Interval level.")

    @field_validator("task")
    @classmethod
    def _has_slot(cls, value: str) -> str:
        if LANG_SLOT not in value:
            raise ValueError(f"must contain {LANG_SLOT} (e.g. flores_gen_en_{LANG_SLOT})")
        return value

    @field_validator("laws")
    @classmethod
    def _known_laws(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from ..analysis.scaling import LAWS

        for name in value:
            LAWS.get(name)   # raises naming the known laws
        return value

    def identity(self) -> dict[str, Any]:
        """The settings that change the fit (the languages are in the points)."""
        from ..analysis.scaling import LAWS

        return {"task": self.task, "metric": self.metric, "filter": self.filter,
                "laws": sorted(self.laws or LAWS.names()), "rounds": self.rounds, "seed": self.seed,
                "level": self.level}


class BudgetSettings(BaseModel):
    """How a budget is allocated: its size, floors, caps and weights (a value for every language and/or
    per language: the language's own wins), and the step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    budget: int = Field(..., ge=0, description="Translation examples to allocate across the languages.")
    floor: int = Field(0, ge=0, description="Least size of every language.")
    floors: dict[str, int] = Field(default_factory=dict, description="Least size per language.")
    cap: int | None = Field(None, ge=0, description="Largest size of every language (default: none).")
    caps: dict[str, int] = Field(default_factory=dict, description="Largest size per language.")
    weights: dict[str, float] = Field(default_factory=dict, description="Weight of a language's quality "
                                      "(default 1).")
    step: int = Field(10, ge=1, description="Sizes move in steps of this many examples.")

    def resolved(self, languages: Sequence[str]) -> dict[str, Any]:
        """Floors, caps and weights per language (the allocation's stored settings, its identity)."""
        return {"floors": resolve(self.floor, self.floors, languages),
                "caps": resolve(self.cap, self.caps, languages),
                "weights": resolve(1.0, self.weights, languages), "step": self.step}


def settings_or_error(model: type[BaseModel], options: Mapping[str, str], **values: Any) -> Any:
    """``model(**values)``, or a :class:`FitError` naming the command-line option (``options``: field ->
    option) of the first problem."""
    try:
        return model(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else ""
        message = err["msg"].removeprefix("Value error, ")
        raise FitError(f"{options.get(name, name)}: {message}") from None


def per_language(values: Sequence[str], option: str, kind: type = int) -> tuple[Any | None, dict[str, Any]]:
    """``["50", "zh=100"]`` -> (50, {"zh": 100}): a global value and per-language ones (comma-separated
    items allowed); the last global value wins."""
    everyone: Any | None = None
    table: dict[str, Any] = {}
    for item in (part.strip() for value in values for part in value.split(",")):
        if not item:
            continue
        lang, _, number = item.rpartition("=")
        try:
            parsed = kind(number.strip())
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise FitError(f"{option} {item}: {number.strip()!r} is not {what} (give N or lang=N)") from None
        if lang:
            table[lang.strip()] = parsed
        else:
            everyone = parsed
    return everyone, table


def resolve(everyone: Any | None, table: Mapping[str, Any], languages: Sequence[str]) -> dict[str, Any]:
    """Per-language values over ``languages``: the language's own, else the global one (if any). A language
    in ``table`` that is not in ``languages`` is kept (the allocation refuses it by name)."""
    out = {lang: everyone for lang in languages if everyone is not None}
    out.update(table)
    return out


@dataclass(frozen=True)
class Point:
    variant_id: str
    variant: str
    size: int
    value: float


@dataclass(frozen=True, eq=False)
class LanguageFit:
    language: str
    task: str
    points: tuple[Point, ...]
    fit: ScalingFit


@dataclass(frozen=True)
class BudgetResult:
    allocation_id: str
    settings: BudgetSettings
    #: floors, caps and weights per language, and the step (as stored)
    resolved: dict[str, Any]
    allocation: Allocation
    #: language -> (predicted quality, interval low, interval high) at its allocated size
    predicted: dict[str, tuple[float, float, float]]


@dataclass
class FitOutcome:
    """What `harness fit` found, fitted, allocated and stored."""

    fit_id: str
    settings: FitSettings
    fits: dict[str, LanguageFit]
    variants: list[dict[str, Any]]
    skipped: list[str] = field(default_factory=list)
    budget: BudgetResult | None = None
    new_fit_rows: int = 0
    new_allocation_rows: int = 0
    recipe: Path | None = None
    #: the command that runs the written recipe
    run_with: str | None = None


def group_points(rows: Sequence[Mapping[str, Any]], settings: FitSettings,
                 n_variants: int) -> tuple[dict[str, list[Point]], list[str]]:
    """(points per language, languages skipped because no variant had translation data in them).

    Every language fitted needs at least 3 distinct sizes: otherwise a :class:`FitError` names the
    language and the sizes found. Without ``settings.languages``, a language whose points all have
    size 0 (the sweep gave it no translation data) is skipped, not an error."""
    by_language: dict[str, list[Point]] = {}
    for r in rows:
        by_language.setdefault(r["language"], []).append(
            Point(variant_id=r["variant_id"], variant=r["variant"], size=int(r["size"]), value=float(r["value"])))
    wanted = list(settings.languages) or sorted(by_language)
    what = f"{settings.task} {settings.metric} (filter {settings.filter})"
    if not wanted:
        raise FitError(f"no (size, quality) points: none of the {n_variants} variant(s) has {what} for a language "
                       f"of its data (check --task, --metric and --filter)")
    skipped = [] if settings.languages else [lang for lang in wanted
                                            if all(p.size == 0 for p in by_language[lang])]
    points: dict[str, list[Point]] = {}
    for lang in wanted:
        if lang in skipped:
            continue
        found = by_language.get(lang, [])
        if not found:
            raise FitError(f"{lang}: no points: no selected variant has translation data in {lang} and "
                           f"{settings.task.replace(LANG_SLOT, lang)} {settings.metric} (filter {settings.filter})")
        sizes = sorted({p.size for p in found})
        if len(sizes) < 3:
            raise FitError(f"{lang}: needs at least 3 distinct translation-data sizes, found {len(sizes)} "
                           f"({', '.join(map(str, sizes))}) in {len(found)} point(s)")
        points[lang] = found
    if not points:
        raise FitError(f"no language to fit: every language's points have no translation data "
                       f"({', '.join(skipped)})")
    return points, skipped


def fit_id_of(points: Mapping[str, Sequence[Point]], settings: FitSettings) -> str:
    return digest({"points": {lang: sorted((p.variant_id, p.size, p.value) for p in found)
                              for lang, found in points.items()},
                   "settings": settings.identity()})


def fit_languages(points: Mapping[str, Sequence[Point]], settings: FitSettings) -> dict[str, LanguageFit]:
    """One scaling fit per language (in language order)."""
    from ..analysis.scaling import ScalingError, fit_scaling

    out = {}
    for lang in sorted(points):
        found = points[lang]
        try:
            fit = fit_scaling([p.size for p in found], [p.value for p in found], laws=settings.laws or None,
                              rounds=settings.rounds, seed=settings.seed, level=settings.level)
        except ScalingError as exc:
            raise FitError(f"{lang}: {exc}") from None
        out[lang] = LanguageFit(language=lang, task=settings.task.replace(LANG_SLOT, lang), points=tuple(found),
                                fit=fit)
    return out


def curve(fit: ScalingFit) -> list[dict[str, float]]:
    """The fitted curve and its bootstrap band on a grid from 0 to twice the largest size."""
    import numpy as np

    top = max(2 * max(fit.sizes), 10.0)
    grid = np.unique(np.round(np.concatenate([np.linspace(0, top, CURVE_POINTS - 20),
                                              np.geomspace(1, top, 20)])))
    predicted = fit.predict(grid)
    low, high = fit.interval(grid)
    return [{"size": float(n), "predicted": float(p), "low": float(lo), "high": float(hi)}
            for n, p, lo, hi in zip(grid, predicted, low, high)]


def fit_rows(fit_id: str, fits: Mapping[str, LanguageFit], settings: FitSettings) -> list[dict[str, Any]]:
    """The ``scaling_fits`` rows of a fit, one per language."""
    return [{"fit_id": fit_id, "language": lang, "task": f.task, "metric": settings.metric, "law": f.fit.law,
             "params": f.fit.params, "params_low": f.fit.params_low, "params_high": f.fit.params_high,
             "loo_error": f.fit.loo_error,
             "points": [{"variant_id": p.variant_id, "size": p.size, "value": p.value} for p in f.points],
             "settings": settings.identity(), "curve": curve(f.fit)}
            for lang, f in fits.items()]


def allocate_budget(fit_id: str, fits: Mapping[str, LanguageFit], settings: BudgetSettings) -> BudgetResult:
    """Allocate the budget over the fitted languages by their fitted curves (point estimates)."""
    from ..analysis.allocation import AllocationError, allocate

    chosen = settings.resolved(sorted(fits))
    try:
        allocation = allocate({lang: f.fit.predict for lang, f in fits.items()}, settings.budget,
                              floors=chosen["floors"], caps=chosen["caps"], weights=chosen["weights"],
                              step=settings.step)
    except AllocationError as exc:
        raise FitError(f"--budget {settings.budget}: {exc}") from None
    predicted = {}
    for lang, n in allocation.sizes.items():
        low, high = fits[lang].fit.interval(n)
        predicted[lang] = (float(fits[lang].fit.predict(n)), low, high)
    return BudgetResult(allocation_id=digest({"fit_id": fit_id, "budget": settings.budget, "settings": chosen}),
                        settings=settings, resolved=chosen, allocation=allocation, predicted=predicted)


def allocation_rows(fit_id: str, result: BudgetResult) -> list[dict[str, Any]]:
    """The ``scaling_allocations`` rows of an allocation, one per language."""
    return [{"allocation_id": result.allocation_id, "fit_id": fit_id, "budget": result.settings.budget,
             "settings": result.resolved, "language": lang, "size": n, "predicted": result.predicted[lang][0],
             "predicted_low": result.predicted[lang][1], "predicted_high": result.predicted[lang][2]}
            for lang, n in result.allocation.sizes.items()]


# -- the recipe that trains on the allocation -------------------------------------------------------


def _inherited(path: Path) -> dict[str, Any]:
    """What a recipe extending ``path`` inherits (the loader's own merge of the ``extends`` chain)."""
    from ..core.errors import ConfigError
    from ..recipe.loader import inherited_tree

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
        if key == _SIZE_KEY:
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
    from ..core.errors import ConfigError
    from ..validate import recipe as load_recipe

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


# -- the command's whole run ------------------------------------------------------------------------


def run_fit(store_path: Path, *, recipe: str | None, pattern: str | None, settings: FitSettings,
            budget: BudgetSettings | None, write_to: Path | None = None,
            recipe_name: str | None = None, made_by: str = "harness fit", run_with: str | None = None) -> FitOutcome:
    """Read the sweep's points, fit, allocate, store; with ``write_to``, write the allocated recipe.

    Everything is checked and computed before anything is written: a :class:`FitError` leaves the
    store and the file system as they were."""
    from ..store import Store, StoreError
    from ..store import scaling_queries as q

    if recipe is None and pattern is None:
        raise FitError("--recipe NAME or --variants GLOB: say which sweep's variants to fit")
    if write_to is not None and budget is None:
        raise FitError("--write-recipe needs --budget (the recipe trains on the allocated sizes)")
    try:
        with Store(store_path).read() as con:
            variants = q.sweep_variants(con, recipe=recipe, pattern=pattern)
            rows = q.sweep_points(con, [v["variant_id"] for v in variants], settings.task, settings.metric,
                                  settings.filter) if variants else []
    except StoreError as exc:
        raise FitError(str(exc)) from None
    if not variants:
        chosen = " and ".join(x for x in (f"--recipe {recipe}" if recipe else "",
                                          f"--variants {pattern}" if pattern else "") if x)
        raise FitError(f"no variants matched {chosen} in {store_path}")
    points, skipped = group_points(rows, settings, len(variants))
    fit_id = fit_id_of(points, settings)
    fits = fit_languages(points, settings)
    outcome = FitOutcome(fit_id=fit_id, settings=settings, fits=fits, variants=variants, skipped=skipped)
    if budget is not None:
        outcome.budget = allocate_budget(fit_id, fits, budget)
    text = None
    if write_to is not None and outcome.budget is not None:
        fitted = {p.variant_id for found in points.values() for p in found}
        used = [v for v in variants if v["variant_id"] in fitted]
        name = recipe_name or _slug(write_to.stem)
        text = recipe_text(parent=sweep_recipe(used), target=write_to, name=name, result=outcome.budget, fits=fits,
                           metric=settings.metric, variants=used, made_by=made_by,
                           run_with=run_with or f"harness run {write_to}")
    draft = draft_recipe(write_to, text, outcome.budget.allocation.sizes) \
        if text is not None and write_to is not None and outcome.budget is not None else None
    try:
        with Store(store_path).write() as con:
            outcome.new_fit_rows = q.insert_fit(con, fit_rows(fit_id, fits, settings))
            if outcome.budget is not None:
                outcome.new_allocation_rows = q.insert_allocation(con, allocation_rows(fit_id, outcome.budget))
        if draft is not None and write_to is not None:
            os.replace(draft, write_to)
            outcome.recipe, outcome.run_with = write_to, run_with or f"harness run {write_to}"
    finally:
        if draft is not None:
            draft.unlink(missing_ok=True)
    return outcome


def _slug(text: str) -> str:
    import re

    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    return slug or "allocated"
