"""The whole `harness fit` run: read the sweep's points from the store, fit, allocate, store, write the recipe."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from .compute import FitOutcome, allocate_budget, allocation_rows, fit_id_of, fit_languages, fit_rows, group_points
from .recipe_file import _slug, draft_recipe, recipe_text, sweep_recipe
from .settings import BudgetSettings, FitError, FitSettings


def run_fit(store_path: Path, *, recipe: str | None, pattern: str | None, settings: FitSettings,
            budget: BudgetSettings | None, write_to: Path | None = None,
            recipe_name: str | None = None, made_by: str = "harness fit", run_with: str | None = None) -> FitOutcome:
    """Read the sweep's points, fit, allocate, store; with ``write_to``, write the allocated recipe.

    Everything is checked and computed before anything is written: a :class:`FitError` leaves the
    store and the file system as they were."""
    from ...store import Store, StoreError
    from ...store import scaling_queries as q

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
