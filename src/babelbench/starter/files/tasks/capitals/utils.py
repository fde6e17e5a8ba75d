"""Loader and scorer of the starter task (lm-eval imports this file through `!function`)."""

from __future__ import annotations

import json
from pathlib import Path

import datasets

_DATA = Path(__file__).parent / "data" / "capitals.en.jsonl"


def load(**_: object) -> dict[str, datasets.Dataset]:
    rows = [json.loads(line) for line in _DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    """1 when the capital's name appears in the answer (case-insensitive), else 0."""
    return {"contains": float(doc["capital"].lower() in results[0].lower())}
