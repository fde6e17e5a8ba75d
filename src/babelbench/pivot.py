"""PLUG responses: composing them for training and keeping the target part at evaluation.

A PLUG response is ``<pivot label>\\n<pivot answer>\\n\\n<target label>\\n<target answer>``.
Both directions live here, so the training format and the lm-eval filter (used by
``tasks/*/utils.py``) cannot drift apart.
"""

from __future__ import annotations

from enum import Enum

from . import languages


class PivotStatus(str, Enum):
    OK = "ok"                            # target section found and kept
    LABEL_NOT_FOUND = "label_not_found"  # no section label at all: the whole answer is kept
    ONLY_PIVOT = "only_pivot"            # labels present, but not the target's: nothing kept


def format_plug_response(pivot_language: str, pivot_answer: str,
                         target_language: str, target_answer: str) -> str:
    """Training response for one item; a pivot-language item gets its single section."""
    pivot_part = f"{languages.section_label(pivot_language)}\n{pivot_answer.strip()}"
    if target_language == pivot_language:
        return pivot_part
    return f"{pivot_part}\n\n{languages.section_label(target_language)}\n{target_answer.strip()}"


def _all_labels() -> list[str]:
    return [lang.section_label for lang in languages.LANGUAGES.values() if lang.section_label]


def extract_target(response: str, target_language: str) -> tuple[str, PivotStatus]:
    """The target-language section of ``response`` and how it was found.

    Pivot-agnostic: the target section runs from its label to the next known label (or
    the end), so the same filter serves any pivot language.
    """
    label = languages.section_label(target_language)
    start = response.find(label)
    if start < 0:
        if any(other in response for other in _all_labels()):
            return "", PivotStatus.ONLY_PIVOT
        return response.strip(), PivotStatus.LABEL_NOT_FOUND
    body = response[start + len(label):]
    end = min((i for i in (body.find(other) for other in _all_labels()) if i >= 0), default=len(body))
    return body[:end].strip(), PivotStatus.OK
