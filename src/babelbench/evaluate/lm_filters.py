"""Stable import path for task files: ``from babelbench.evaluate.lm_filters import PlugTargetFilter``.

The shipped ``tasks/*/utils.py`` (and users' own task files) name this path. A task folder's files are
part of every eval key, so the shipped ones keep it and stored evaluations keep their keys; the filter
lives in :mod:`babelbench.lm_eval.filters`.
"""

from ..lm_eval.filters import PlugTargetFilter

__all__ = ["PlugTargetFilter"]
