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


from .compute import (
           BudgetResult,
           FitOutcome,
           LanguageFit,
           Point,
           allocate_budget,
           allocation_rows,
           curve,
           fit_id_of,
           fit_languages,
           fit_rows,
           group_points,
)
from .recipe_file import draft_recipe, recipe_text, sweep_recipe
from .run import run_fit
from .settings import CURVE_POINTS, LANG_SLOT, BudgetSettings, FitError, FitSettings, per_language, resolve, settings_or_error

__all__ = ["CURVE_POINTS", "LANG_SLOT", "BudgetResult", "BudgetSettings", "FitError", "FitOutcome", "FitSettings",
           "LanguageFit", "Point", "allocate_budget", "allocation_rows", "curve", "draft_recipe", "fit_id_of",
           "fit_languages", "fit_rows", "group_points", "per_language", "recipe_text", "resolve", "run_fit",
           "settings_or_error", "sweep_recipe"]
