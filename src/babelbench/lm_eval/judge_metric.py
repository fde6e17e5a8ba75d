"""Judges as lm-eval metrics: plain ``lm_eval`` reports judge facets for babelbench's tasks.

Configured by task metadata -- ``lm_eval --include_path tasks --metadata '{"judges": ["rubric-6facet"],
"judge_base_url": "http://127.0.0.1:8080/v1", "judge_model": "gemma"}'``. The shipped tasks' loaders
hand their metadata to :func:`configure`; their ``process_results`` add :func:`judge_metrics` for each
answer, named ``judge:<judge>/<facet>`` as the harness names them (averaged by lm-eval). Without
``judges`` in the metadata nothing changes.

Grades go through the same planning, keys, backends and store as ``harness run``'s judge stage: a
judgment already in the store (``judge_store`` in the metadata, default ``BABELBENCH_HOME/judgments.duckdb``)
is read, not sent; a new one is stored under its key, so a later ``harness run`` over the same answers
with the same store sends nothing again, and the other way round. Every ``judge_<field>`` of the metadata
is a backend override (``judge_base_url``, ``judge_model``, ``judge_structured_output``, ...). Judges
that compare against a baseline (pairwise) need the harness (no baseline exists in a plain run).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SETTINGS: Settings | None = None


@dataclass(frozen=True)
class Settings:
    judges: tuple[str, ...]
    store: Path
    override: tuple[tuple[str, Any], ...] = ()
    judges_dir: tuple[Path, ...] = ()


def configure(metadata: Mapping[str, Any]) -> None:
    """Take the judge settings from a task's metadata (every task of a run gets the same)."""
    global _SETTINGS
    names = metadata.get("judges")
    if not names:
        return
    from .. import paths

    names = [names] if isinstance(names, str) else list(names)
    override = tuple(sorted((k.removeprefix("judge_"), v) for k, v in metadata.items()
                            if k.startswith("judge_") and k not in ("judge_store", "judge_dirs")))
    store = Path(metadata.get("judge_store") or paths.home() / "judgments.duckdb")
    dirs = metadata.get("judge_dirs") or []
    _SETTINGS = Settings(tuple(names), store, override, tuple(Path(d) for d in ([dirs] if isinstance(dirs, str) else dirs)))

@functools.lru_cache(maxsize=8)
def _judges(settings: Settings):
    from ..judge.loader import load_judge
    from ..judge.protocol import get_protocol
    from ..judge.schema import BackendOverride
    from ..paths import judges_dirs

    override = BackendOverride.model_validate(dict(settings.override)) if settings.override else None
    roots = judges_dirs(settings.judges_dir)
    loaded = [load_judge(name, roots).with_backend(override) for name in settings.judges]
    return [j for j in loaded if not get_protocol(j.kind).needs_baseline]


def judge_metrics(doc: dict[str, Any], response: str, task: str = "lm-eval", doc_id: int = 0) -> dict[str, float]:
    """``judge:<judge>/<facet>`` -> this answer's value, for each configured judge ({} if none)."""
    settings = _SETTINGS
    if settings is None:
        return {}
    out: dict[str, float] = {}
    for judge in _judges(settings):
        out.update(_grade(settings.store, judge, doc, response, task, doc_id))
    return out


def _grade(store_path: Path, judge, doc: dict[str, Any], response: str, task: str, doc_id: int) -> dict[str, float]:
    from ..core.metric_name import JudgeMetric
    from ..core.records import JudgedRow
    from ..judge.grading import Target, plan_judgments, run_judgments
    from ..judge.protocol import get_protocol
    from ..pipeline.sink import GroupWriter
    from ..store import Store
    from ..store.judge_queries import judgments_by_key

    protocol = get_protocol(judge.kind)
    sample = {"task": task, "doc_id": doc_id, "doc": doc, "language": doc.get("language"), "prompt": "",
              "kept_response": response, "pivot_status": None}
    target = Target(variant_id="lm-eval", name="lm-eval", eval_key="lm-eval", plug=False)
    patterns = list(judge.config.tasks)
    # this answer's judgment keys, then which of them the store holds (not every key of the judge)
    asked = plan_judgments(judge, target, [sample], [], set(), patterns)
    keys = [item.key for item in asked.missing]
    store = Store(store_path)
    with store.write() as con:   # a write connection: the store may not exist yet
        found = judgments_by_key(con, keys)
    plan = plan_judgments(judge, target, [sample], [], set(found), patterns)
    if plan.missing:   # graded through the judge stage's own writer (one short transaction per batch)
        writer = GroupWriter(store)
        try:
            run_judgments(judge, plan, lambda record, _links: writer(record, []))
        finally:
            writer.close()
        with store.read(retry_seconds=10) as con:
            found = judgments_by_key(con, keys)
    language = doc.get("language")
    rows = []
    for link in plan.ready_links + [lk for item in plan.missing for lk in item.links]:
        status, scores, verdict = found.get(link.judgment_key or "", (None, {}, None))
        rows.append(JudgedRow(task, language, doc_id, link.slot, link.status, status, scores, verdict))
    return {JudgeMetric(judge.name, o.metric).label: o.value
            for o in protocol.observations(judge.config.model_dump(mode="json"), rows)}
