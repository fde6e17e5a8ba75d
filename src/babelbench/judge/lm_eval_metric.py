"""Stable import path for task files: ``from babelbench.judge.lm_eval_metric import configure, judge_metrics``.

The shipped ``tasks/xalpaca/utils.py`` (and users' own task files) name this path. A task folder's files
are part of every eval key, so the shipped ones keep it and stored evaluations keep their keys; the
judges-as-lm-eval-metrics code lives in :mod:`babelbench.lm_eval.judge_metric`.
"""

from ..lm_eval.judge_metric import configure, judge_metrics

__all__ = ["configure", "judge_metrics"]
