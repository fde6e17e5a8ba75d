"""Stages (data -> train -> eval -> judge), their keys, the lifecycle that records them, and
the runner that skips finished work."""

from .keys import VariantPlan, plan_variant
from .lifecycle import Lifecycle, RunSummary, StageInputMissing
from .runner import run_variants

__all__ = ["Lifecycle", "RunSummary", "StageInputMissing", "VariantPlan", "plan_variant", "run_variants"]
