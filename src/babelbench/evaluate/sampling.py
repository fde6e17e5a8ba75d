"""Which documents of each task an evaluation runs (``eval.limit``).

A count or a share is lm-eval's own ``limit`` (the first documents). A stratified sample
(``{per_language: N, seed: S}``) is chosen here and handed to lm-eval as its ``samples`` (document indices
per task): in each task, for each language of its documents (``doc["language"]``; a task whose documents
carry none is one stratum), the N documents whose ``sha256(seed:id)`` is lowest (the index stands in for
a document without an ``id``). The choice depends only on the seed and the documents, not on the variant,
the run or the order of the file: every variant is evaluated on the same documents (paired comparisons),
and a parallel dataset (XQuAD: the same ids in every language) is sampled on the same questions in every
language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any


def _rank(seed: int, key: object) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def stratified_indices(docs: Sequence[Any], per_language: int, seed: int) -> list[int]:
    """Indices (sorted) of up to ``per_language`` documents of each language in ``docs``."""
    by_language: dict[str, list[tuple[str, int]]] = {}
    for index, doc in enumerate(docs):
        fields = doc if isinstance(doc, Mapping) else {}
        key = fields.get("id", index)
        by_language.setdefault(str(fields.get("language")), []).append((_rank(seed, key), index))
    chosen = [index for ranked in by_language.values() for _, index in sorted(ranked)[:per_language]]
    return sorted(chosen)


def leaf_tasks(task_dict: Mapping[Any, Any]) -> dict[str, Any]:
    """lm-eval's task dict (groups nest dicts) -> task name -> task object."""
    out: dict[str, Any] = {}
    for key, value in task_dict.items():
        if isinstance(value, Mapping):
            out.update(leaf_tasks(value))
        elif value is not None and hasattr(value, "eval_docs"):
            out[str(getattr(key, "task", key) if not isinstance(key, str) else key)] = value
    return out


def stratified_samples(tasks: list[str], task_manager: Any, per_language: int, seed: int) -> dict[str, list[int]]:
    """lm-eval's ``samples`` for a stratified sample of every task ``tasks`` select."""
    from lm_eval.tasks import get_task_dict

    selected = leaf_tasks(get_task_dict(tasks, task_manager))
    return {name: stratified_indices(list(task.eval_docs), per_language, seed) for name, task in selected.items()}
