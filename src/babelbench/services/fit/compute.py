"""Fitting and allocating, on values: points per language from the sweep's rows, a law per language,
a budget allocated from the laws, and the rows that store them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.hashing import digest

if TYPE_CHECKING:
    from ...analysis.allocation import Allocation
    from ...analysis.scaling import ScalingFit

from .settings import CURVE_POINTS, LANG_SLOT, BudgetSettings, FitError, FitSettings


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
    from ...analysis.scaling import ScalingError, fit_scaling

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
    from ...analysis.allocation import AllocationError, allocate

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
