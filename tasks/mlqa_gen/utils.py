"""Generative extractive QA with the instruction in the target language (mlqa_gen).

Scored with babelbench's multilingual SQuAD-style metrics (exact match, token F1 with CJK
characters as tokens, gold answer contained in the response) against every gold answer,
plus language fidelity.

`data_source` (task metadata; a recipe's `eval.data_source`, or
`lm_eval --metadata '{"data_source": "hub"}'`): `shipped` (default) reads the sample in data/
(5 items a language, written for babelbench, CC0); `hub` reads MLQA (facebook/mlqa, CC BY-SA 3.0), question and context in the same language
with `datasets`, which needs the network. No silent fallback between the two.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
from babelbench.evaluate.lm_filters import PlugTargetFilter  # noqa: F401  (used by the YAML)
from babelbench.evaluate.metrics import language_fidelity, qa_scores

_DATA = Path(__file__).parent / "data"


def load(language: str, data_source: str = "shipped", **_: object) -> dict[str, datasets.Dataset]:
    if data_source == "hub":
        hub = datasets.load_dataset("facebook/mlqa", name=f"mlqa.{language}.{language}", split="test")
        rows = [{"id": r["id"], "language": language, "context": r["context"], "question": r["question"],
                 "answers": list(r["answers"]["text"])} for r in hub]
    elif data_source == "shipped":
        lines = (_DATA / f"mlqa_gen.{language}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
    else:
        raise ValueError(f"data_source must be 'shipped' or 'hub', not {data_source!r}")
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    answer = results[0].strip()
    return {**qa_scores(answer, doc["answers"], doc["language"]),
            "language_fidelity": language_fidelity(answer, doc["language"])}
