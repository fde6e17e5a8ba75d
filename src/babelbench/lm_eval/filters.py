"""lm-eval filters babelbench's tasks use (imported by ``tasks/*/utils.py``)."""

from __future__ import annotations

from lm_eval.api.filter import Filter

from ..plug.sections import extract_target


class PlugTargetFilter(Filter):
    """Keep the target-language section of a PLUG answer; the target is the doc's ``language``."""

    def apply(self, resps, docs):
        return [[extract_target(r, doc["language"])[0] for r in group] for group, doc in zip(resps, docs)]
