"""``train.method``: how a variant's weights are built from its base model.

A :class:`~enum.StrEnum`, so a member equals (and prints, formats and JSON-encodes as) its value:
recipes, canonical forms and store rows keep the plain strings ``lora``, ``full`` and ``none``.
"""

from __future__ import annotations

from enum import StrEnum


class TrainMethod(StrEnum):
    #: A LoRA adapter (peft) over the base model.
    LORA = "lora"
    #: Full fine-tuning: a whole model that replaces the base model.
    FULL = "full"
    #: No training: the base model is evaluated as it is.
    NONE = "none"

