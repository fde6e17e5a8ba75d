"""X-AlpacaEval-style open-ended instructions: loading, the PLUG filter, descriptive metrics.

No reference metric grades these answers (that is the judges' job); the metrics here
only describe them: whether an answer was given at all and its length.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)

_DATA = Path(__file__).parent / "data"


def load_shipped(language: str, **_: object) -> dict[str, datasets.Dataset]:
    """The shipped parallel sample (same ``id`` = same item in every language)."""
    lines = (_DATA / f"xalpaca.{language}.jsonl").read_text(encoding="utf-8").splitlines()
    # `expected_language` is set on items that ask for an answer in another language.
    rows = [{"expected_language": None, **json.loads(line)} for line in lines if line.strip()]
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    answer = results[0].strip()
    return {"answered": float(bool(answer)), "answer_chars": float(len(answer))}
