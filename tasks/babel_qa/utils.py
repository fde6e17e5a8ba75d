"""Short factual questions with one-word or number answers, in parallel across languages.

Scored two ways: SQuAD-style exact match of the normalised answer, and whether the
normalised gold answer is contained in the normalised response (the lenient measure
instruction-tuned models need, since they answer in sentences).
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from pathlib import Path

import datasets

from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)

_DATA = Path(__file__).parent / "data"
_PUNCT = set(string.punctuation) | {"。", "，", "、", "！", "？", "：", "；", "“", "”", "‘", "’", "（", "）", "¿", "¡", "«", "»"}
_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)


def load_shipped(language: str, **_: object) -> dict[str, datasets.Dataset]:
    rows = [json.loads(line) for line in (_DATA / f"babel_qa.{language}.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return {"test": datasets.Dataset.from_list(rows)}


def normalize(text: str) -> str:
    """SQuAD normalisation (lower case, no punctuation, no English articles, single spaces),
    with Unicode punctuation and NFKC so full-width forms compare equal."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(ch for ch in text if ch not in _PUNCT and not unicodedata.category(ch).startswith("P"))
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    response, gold = normalize(results[0]), normalize(doc["answer"])
    return {"exact_match": float(response == gold), "contains": float(bool(gold) and gold in response)}
