"""Short factual questions with one-word or number answers, in parallel across languages.

Scored two ways with babelbench's multilingual SQuAD-style normalisation
(:mod:`babelbench.evaluate.metrics`): exact match of the normalised answer, and whether the
normalised gold answer is contained in the normalised response (the lenient measure
instruction-tuned models need, since they answer in sentences); plus language fidelity.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)
from babelbench.evaluate.metrics import contains, exact_match, language_fidelity

_DATA = Path(__file__).parent / "data"


def load_shipped(language: str, **_: object) -> dict[str, datasets.Dataset]:
    rows = [json.loads(line) for line in (_DATA / f"babel_qa.{language}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    response, golds, language = results[0], [doc["answer"]], doc.get("language")
    return {"exact_match": exact_match(response, golds, language), "contains": contains(response, golds, language),
            "language_fidelity": language_fidelity(response, language)}
