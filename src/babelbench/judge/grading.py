"""The judge stage: grade one variant's answers with one judge, sending only what is not stored.

Every judgment has a key: the hash of the judge's identity (config, templates, backend model)
and exactly what the judge sees (the rendered messages; for ``language-id`` the answer and
the expected language). The runner reads the inputs from the store (the variant's samples,
the baseline's, the keys already stored) and hands in a ``sink``; this module never opens
the store. :func:`plan_judgments` is pure and cheap (the runner calls it to decide whether
anything needs sending); :func:`run_judgments` sends the missing requests and passes each
grade to the sink as it arrives, so a killed run loses only the calls in flight.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..core.hashing import digest
from ..core.records import JudgeRows, JudgmentLink, JudgmentRecord, StageResult
from .answers import has_target
from .judge import Judge
from .protocol import Ask, PlanContext, get_protocol

#: Receives each grade with the answers it grades, as soon as it exists.
Sink = Callable[[JudgmentRecord, list[JudgmentLink]], None]


@dataclass(frozen=True)
class Target:
    """The variant whose answers are judged (and, for a protocol that compares, its baseline)."""

    variant_id: str
    name: str
    eval_key: str
    plug: bool
    baseline_variant: str | None = None
    baseline_eval: str | None = None


@dataclass
class Item:
    ask: Ask
    links: list[JudgmentLink] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.ask.key


@dataclass
class Outcome:
    requested: int = 0        #: judgments this variant needs
    cached: int = 0           #: already in the store
    sent: int = 0             #: sent to the backend (or computed) this run
    parse_failures: int = 0   #: replies stored as parse failures
    ungraded: int = 0         #: no reply after every retry (retried by the next run)
    no_target: int = 0        #: PLUG answers without a target-language part (not judged)
    attempts: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "errors"}
        out["errors"] = self.errors[:5]
        return out

    def summary(self) -> str:
        extras = [f"{n} {what}" for n, what in ((self.retries, "retries"), (self.parse_failures, "parse failures"),
                                                (self.no_target, "without target part")) if n]
        return (f"{self.requested} judgment(s): {self.cached} stored, {self.sent} sent"
                + "".join(f", {e}" for e in extras))


@dataclass
class JudgePlan:
    """What a judge pass needs: the items to send and the links that need no sending."""

    target: Target
    missing: list[Item]
    #: Links to judgments already stored, and no-target links: written before anything is sent.
    ready_links: list[JudgmentLink]
    outcome: Outcome


def stage_key(judge: Judge, target: Target) -> str:
    return digest({"judge": judge.identity(), "eval": target.eval_key, "baseline": target.baseline_eval})


def judge_config_record(judge: Judge) -> dict[str, Any]:
    """What the store keeps of a judge: its config (backend included; keys are only ever env names)."""
    return {"config": judge.config.model_dump(mode="json"), "identity": judge.identity(),
            "templates": {"system": _hash(judge.system_template), "user": _hash(judge.user_template)}}


def _hash(text: str | None) -> str | None:
    return None if text is None else digest(text)


def plan_judgments(judge: Judge, target: Target, samples: list[dict[str, Any]],
                   baseline_samples: list[dict[str, Any]], stored_keys: set[str],
                   task_patterns: list[str]) -> JudgePlan:
    """The judgments ``target`` needs: grouped by key, split into stored and missing."""
    protocol = get_protocol(judge.kind)
    ctx = PlanContext(plug=target.plug, baseline_eval=target.baseline_eval,
                      baseline={(s["task"], s["doc_id"]): s for s in baseline_samples})
    identity = judge.identity()
    items: dict[str, Item] = {}
    no_target: list[JudgmentLink] = []
    for s in samples:
        if not any(fnmatch.fnmatchcase(s["task"], p) for p in task_patterns) or not protocol.applies(s, ctx):
            continue
        if not has_target(s, target.plug):
            no_target += [JudgmentLink(target.eval_key, s["task"], s["doc_id"], identity, slot, None, "no_target")
                          for slot in protocol.slots(ctx)]
            continue
        for ask in protocol.plan_answer(judge, s, ctx):
            item = items.setdefault(ask.key, Item(ask))
            item.links.append(JudgmentLink(target.eval_key, s["task"], s["doc_id"], identity, ask.slot, ask.key,
                                           "judged"))
    stored = [i for i in items.values() if i.key in stored_keys]
    missing = [i for i in items.values() if i.key not in stored_keys]
    outcome = Outcome(requested=len(items), cached=len(stored), no_target=len(no_target))
    return JudgePlan(target, missing, no_target + [link for i in stored for link in i.links], outcome)


def run_judgments(judge: Judge, plan: JudgePlan, sink: Sink) -> StageResult:
    """Judge the missing items; each grade goes to ``sink`` with its links as it arrives."""
    protocol = get_protocol(judge.kind)
    outcome = plan.outcome
    outcome.sent = len(plan.missing)
    if not protocol.uses_backend:
        for item in plan.missing:
            sink(protocol.grade_local(judge, item.ask.payload, item.key), item.links)
        return StageResult(info=outcome.info(), rows=JudgeRows())
    from .backends import Reply, make_backend

    by_key = {i.key: i for i in plan.missing}
    lock = threading.Lock()

    def on_reply(reply: Reply) -> None:
        with lock:
            if reply.text is None:
                outcome.ungraded += 1
                outcome.errors.append(reply.error or "no reply")
                return
            record = protocol.grade(judge, reply)
            outcome.parse_failures += record.status == "parse_failure"
        sink(record, by_key[reply.key].links)

    assert judge.config.backend is not None
    backend = make_backend(judge.config.backend)
    stats = backend.run([i.ask.request for i in plan.missing if i.ask.request is not None], on_reply)
    outcome.attempts, outcome.retries = stats.attempts, stats.retries
    error = (f"{outcome.ungraded} judgment(s) stayed ungraded: {outcome.errors[0]}" if outcome.ungraded else None)
    return StageResult(info=outcome.info(), rows=JudgeRows(), error=error)
