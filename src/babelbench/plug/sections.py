"""PLUG responses: composing them for training and keeping the target part at evaluation.

A PLUG response is ``<pivot label>\\n<pivot answer>\\n\\n<target label>\\n<target answer>``.
Both directions live here, so the training format and the lm-eval filter (used by
``tasks/*/utils.py``) cannot drift apart.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from enum import Enum

from ..core.environment import environment_set
from .labels import label_table


class PivotStatus(str, Enum):
    OK = "ok"                            # target section found and kept
    LABEL_NOT_FOUND = "label_not_found"  # no section label at all: the whole answer is kept
    ONLY_PIVOT = "only_pivot"            # labels present, but not the target's: nothing kept


#: A recipe's own section labels (``pivot.labels``), for the evaluation filter: lm-eval calls the
#: filter with the answer and the document only, so the labels travel in the environment
#: (:func:`labels_in_use`), which also reaches worker processes.
LABELS_ENV = "BABELBENCH_PLUG_LABELS"


def labels_in_use(labels: Mapping[str, str]) -> AbstractContextManager[None]:
    """Make ``labels`` (a recipe's ``pivot.labels``) the extra labels :func:`extract_target` knows."""
    return environment_set(LABELS_ENV, json.dumps(dict(labels), ensure_ascii=False, sort_keys=True))


@functools.lru_cache(maxsize=8)
def _parse_labels(text: str) -> dict[str, str]:
    try:
        found = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _labels(extra: Mapping[str, str] | None) -> dict[str, str]:
    if extra is None:
        extra = _parse_labels(os.environ.get(LABELS_ENV, "{}"))
    return label_table(extra)


def format_plug_response(pivot_language: str, pivot_answer: str, target_language: str, target_answer: str,
                         labels: Mapping[str, str] | None = None) -> str:
    """Training response for one item; a pivot-language item gets its single section.
    ``labels``: the recipe's own section labels (``pivot.labels``), added to the shipped ones."""
    table = label_table(labels)
    pivot_part = f"{table[pivot_language]}\n{pivot_answer.strip()}"
    if target_language == pivot_language:
        return pivot_part
    return f"{pivot_part}\n\n{table[target_language]}\n{target_answer.strip()}"


def extract_target(response: str, target_language: str,
                   labels: Mapping[str, str] | None = None) -> tuple[str, PivotStatus]:
    """The target-language section of ``response`` and how it was found.

    Pivot-agnostic: the target section runs from its label to the next known label (or
    the end), so the same filter serves any pivot language. ``labels``: a recipe's own labels
    (default: those in use, see :func:`labels_in_use`). A target without a label keeps the whole
    answer, as an answer without labels does.
    """
    table = _labels(labels)
    others = list(table.values())
    label = table.get(target_language)
    start = response.find(label) if label else -1
    if label is None or start < 0:
        if label and any(other in response for other in others):
            return "", PivotStatus.ONLY_PIVOT
        return response.strip(), PivotStatus.LABEL_NOT_FOUND
    body = response[start + len(label):]
    end = min((i for i in (body.find(other) for other in others) if i >= 0), default=len(body))
    return body[:end].strip(), PivotStatus.OK
