"""Judge numbers from stored judgments: each protocol's observations averaged per (task,
language) and over all of a variant's answers (task ``all``), with a bootstrap 95 % interval;
the share of PLUG answers without a target part; and agreement between judges that vote on
the answer's language (e.g. the rubric's language facet against the language identifier).

Rows have the shape of report rows, their ``metric`` a :class:`JudgeMetric`; the runner stores them
in ``judge_metrics`` after a variant's judge pass, so readers only select.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Protocol

from ..core.metric_name import JudgeMetric
from ..core.records import JudgedRow, Observation
from .bootstrap import mean_ci


class _Judged(Protocol):
    judge: str
    kind: str
    baseline: str | None
    plug: bool
    config: dict[str, Any]
    rows: list[JudgedRow]


def _no_target(rows: list[JudgedRow]) -> list[Observation]:
    """Once per answer (the first slot of each document)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for r in rows:
        if (r.task, r.doc_id) in seen:
            continue
        seen.add((r.task, r.doc_id))
        out.append(Observation(r.task, r.language, r.doc_id, "no_target", float(r.link_status == "no_target")))
    return out


def judge_metric_rows(judged: Sequence[_Judged]) -> list[dict[str, Any]]:
    """One variant's judge metrics, from each of its judges' stored rows (a judge that compares the
    variant with several baselines gives one set of rows per baseline)."""
    from ..judge.protocol import get_protocol

    observations: dict[int, list[Observation]] = {}
    hidden: dict[int, frozenset[str]] = {}
    votes: dict[tuple[str, int], dict[int, bool]] = defaultdict(dict)   # (task, doc) -> judge -> vote
    reference: set[int] = set()
    for index, j in enumerate(judged):
        protocol = get_protocol(j.kind)
        hidden[index] = protocol.reliability_metrics | {"language_agreement"}
        judged_rows = [r for r in j.rows if r.link_status != "no_target"]
        obs = list(protocol.observations(j.config, judged_rows))
        if j.plug:
            obs += _no_target(j.rows)
        observations[index] = obs
        if protocol.language_reference:
            reference.add(index)
        for r in judged_rows:
            vote = protocol.language_vote(j.config, r)
            if vote is not None:
                votes[(r.task, r.doc_id)][index] = vote
    languages = {(r.task, r.doc_id): r.language for j in judged for r in j.rows}
    for (task, doc), by_judge in votes.items():
        truth = next((by_judge[i] for i in sorted(reference) if i in by_judge), None)
        if truth is None:
            continue
        for i, vote in by_judge.items():
            if i not in reference:
                observations[i].append(Observation(task, languages.get((task, doc)), doc, "language_agreement",
                                                   float(vote == truth)))
    rows: list[dict[str, Any]] = []
    for index, obs in observations.items():
        head = judged[index]
        scopes: dict[tuple[str, str | None], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for o in obs:
            for scope in ((o.task, o.language), ("all", None)):
                scopes[scope][o.metric].append(o.value)
        for (task, language), metrics in scopes.items():
            for metric, values in sorted(metrics.items()):
                mean, low, high = mean_ci(values)
                rows.append({"task": task, "language": language,
                             "metric": JudgeMetric(head.judge, metric, head.baseline),
                             "filter": "plug" if head.plug else "none", "value": mean, "n": len(values),
                             "ci_low": low, "ci_high": high, "baseline": head.baseline,
                             "headline": metric not in hidden[index]})
    rows.sort(key=lambda r: (r["task"] == "all", r["task"], r["metric"].name, r["baseline"] or ""))
    return rows
