"""What a generated prompt-file task (:mod:`babelbench.evaluate.prompt_tasks`) calls inside lm-eval:
its dataset loader and its ``process_results`` (descriptive metrics, language fidelity and, when the
task metadata names judges, the judges' facets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..evaluate.prompt_tasks import _instruction, prompt_rows


def load(path: str, language: str, expected_language: str | None = None, **metadata: Any):
    """lm-eval ``custom_dataset``: the prompt file as a ``test`` split (judges in the metadata: see
    :mod:`babelbench.lm_eval.judge_metric`)."""
    import datasets

    from .judge_metric import configure

    configure(metadata)

    rows = []
    for number, row, problem in prompt_rows(Path(path)):
        if row is None or problem:
            raise ValueError(f"{path}:{number}: {problem}")
        rows.append({"id": str(row.get("id", number)), "language": language,
                     "expected_language": row.get("expected_language") or expected_language,
                     "instruction": _instruction(row)})
    return {"test": datasets.Dataset.from_list(rows)}


def process_results(doc: dict, results: list[str]) -> dict[str, float]:
    from ..evaluate.metrics import language_fidelity
    from .judge_metric import judge_metrics

    answer = results[0].strip()
    return {"answered": float(bool(answer)), "answer_chars": float(len(answer)),
            "language_fidelity": language_fidelity(answer, doc.get("expected_language") or doc["language"]),
            **judge_metrics(doc, results[0], task="prompts")}
