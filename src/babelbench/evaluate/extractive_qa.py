"""Shared loading and scoring of the generative extractive-QA tasks (``xquad_gen``, ``mlqa_gen``).

Each task folder's ``utils.py`` names its shipped sample and its Hub dataset; the rest is here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .metrics import language_fidelity, qa_scores


def load(data_file: Path, hub: Callable[[], Any], language: str, data_source: str):
    """The task's ``test`` split from the shipped sample, or from the Hub (SQuAD-format rows)."""
    import datasets

    if data_source == "hub":
        rows = [{"id": r["id"], "language": language, "context": r["context"], "question": r["question"],
                 "answers": list(r["answers"]["text"])} for r in hub()]
    elif data_source == "shipped":
        lines = data_file.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
    else:
        raise ValueError(f"data_source must be 'shipped' or 'hub', not {data_source!r}")
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    answer = results[0].strip()
    return {**qa_scores(answer, doc["answers"], doc["language"]),
            "language_fidelity": language_fidelity(answer, doc["language"])}
