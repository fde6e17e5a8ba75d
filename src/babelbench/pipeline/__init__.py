"""Stages (data -> train -> eval), their keys, and the runner that skips finished work."""

from .keys import VariantPlan, plan_variant
from .runner import RunSummary, run_variants

__all__ = ["RunSummary", "VariantPlan", "plan_variant", "run_variants"]
