"""Judging one variant's stored answers with one judge, sending only what is not stored yet.

Every judgment has a key: the hash of the judge's identity (config, templates, backend
model) and exactly what the judge sees (the rendered messages; for ``language-id`` the
answer and the expected language). Keys already in ``judgments`` are linked, not sent.
Replies are written by a group-commit writer thread as they arrive -- each transaction
takes whatever has arrived since the last one -- so a killed run loses only the calls in
flight; the next run sends just those.
"""

from __future__ import annotations

import fnmatch
import json
import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..recipe.identity import digest
from ..store import Store
from ..store import writes
from . import parse
from .backends import Reply, Request, make_backend
from .loader import Judge
from .prompts import language_name, render


@dataclass(frozen=True)
class Target:
    """The variant whose answers are judged (and, for pairwise, its baseline)."""

    variant_id: str
    name: str
    eval_key: str
    plug: bool
    baseline_variant: str | None = None
    baseline_eval: str | None = None


@dataclass
class Item:
    key: str
    request: Request | None = None               #: LLM judges
    langid: tuple[str, str | None] | None = None  #: language-id: (answer, expected language)
    links: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    requested: int = 0        #: judgments this variant needs
    cached: int = 0           #: already in the store
    sent: int = 0             #: sent to the backend this run
    parse_failures: int = 0   #: replies stored as parse failures
    ungraded: int = 0         #: no reply after every retry (retried by the next run)
    no_target: int = 0        #: PLUG answers without a target-language part (not sent)
    attempts: int = 0
    retries: int = 0
    errors: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "errors"}
        out["errors"] = self.errors[:5]
        return out


def stage_key(judge: Judge, target: Target) -> str:
    return digest({"judge": judge.identity(), "eval": target.eval_key, "baseline": target.baseline_eval})


def judge_config_record(judge: Judge) -> dict[str, Any]:
    """What the store keeps of a judge: its config (backend included; keys are only ever env names)."""
    return {"config": judge.config.model_dump(mode="json"), "identity": judge.identity(),
            "templates": {"system": _hash(judge.system_template), "user": _hash(judge.user_template)}}


def _hash(text: str | None) -> str | None:
    return None if text is None else digest(text)


def _samples(con, eval_key: str) -> list[dict[str, Any]]:
    cur = con.execute("SELECT task, doc_id, language, prompt, kept_response, pivot_status, doc FROM samples "
                      "WHERE eval_key = ? ORDER BY task, doc_id", [eval_key])
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for r in rows:
        r["doc"] = json.loads(r["doc"]) if isinstance(r["doc"], str) else (r["doc"] or {})
    return rows


def instruction_of(sample: dict[str, Any]) -> str:
    """The instruction as the user wrote it (not the chat-templated prompt), where the document has it."""
    doc = sample["doc"]
    for key in ("instruction", "question", "prompt"):
        if isinstance(doc.get(key), str) and doc[key].strip():
            text = doc[key]
            if key == "instruction" and isinstance(doc.get("input"), str) and doc["input"].strip():
                text += "\n\n" + doc["input"]
            return text
    messages = doc.get("messages")
    if isinstance(messages, list):
        users = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        if users:
            return str(users[-1])
    return sample["prompt"]


def expected_language(sample: dict[str, Any]) -> str | None:
    """The language the answer should be in: ``expected_language`` if the prompt asks for one, else its own."""
    return sample["doc"].get("expected_language") or sample["language"]


def has_target(sample: dict[str, Any], plug: bool) -> bool:
    """A PLUG answer whose target-language part is missing (only the pivot part) is pivot leakage."""
    if not plug:
        return True
    return sample["pivot_status"] != "only_pivot" and bool(sample["kept_response"].strip())


def plan(con, judge: Judge, target: Target, task_patterns: list[str]) -> list[Item]:
    """The judgments ``target`` needs, as items keyed by judgment key (links included)."""
    identity = judge.identity()
    samples = [s for s in _samples(con, target.eval_key)
               if any(fnmatch.fnmatchcase(s["task"], p) for p in task_patterns)]
    base_link = {"eval_key": target.eval_key, "judge_hash": identity}
    items: dict[str, Item] = {}
    no_target: list[dict[str, Any]] = []

    def add(key: str, link: dict[str, Any], **kw: Any) -> None:
        item = items.setdefault(key, Item(key, **kw))
        item.links.append({**link, "judgment_key": key, "status": "judged"})

    schema = (parse.pairwise_schema(judge.config.rationale_chars) if judge.kind == "pairwise"
              else parse.rubric_schema(judge.config.facets, judge.config.rationale_chars))

    def ask(variables: dict[str, Any], link: dict[str, Any]) -> None:
        messages = render(judge, variables)
        key = digest({"judge": identity, "messages": messages})
        add(key, link, request=Request(key, messages, schema))

    baseline: dict[tuple[str, int], dict[str, Any]] = {}
    if judge.kind == "pairwise":
        assert target.baseline_eval is not None
        baseline = {(s["task"], s["doc_id"]): s for s in _samples(con, target.baseline_eval)}
    for s in samples:
        link = {**base_link, "task": s["task"], "doc_id": s["doc_id"], "slot": ""}
        expected = expected_language(s)
        answer = s["kept_response"]
        if judge.kind == "pairwise":
            other = baseline.get((s["task"], s["doc_id"]))
            if other is None or instruction_of(other) != instruction_of(s):
                continue  # the baseline was not asked this prompt
            slots = [(f"{target.baseline_eval}:ab", answer, other["kept_response"]),
                     (f"{target.baseline_eval}:ba", other["kept_response"], answer)]
            if not has_target(s, target.plug):
                no_target += [{**link, "slot": slot, "judgment_key": None, "status": "no_target"} for slot, *_ in slots]
                continue
            for slot, a, b in slots:
                ask({"instruction": instruction_of(s), "answer_a": a, "answer_b": b,
                     "language": language_name(expected), "language_code": expected}, {**link, "slot": slot})
            continue
        if not has_target(s, target.plug):
            no_target.append({**link, "judgment_key": None, "status": "no_target"})
            continue
        if judge.kind == "language-id":
            add(digest({"judge": identity, "text": answer, "expected": expected}), link, langid=(answer, expected))
        else:
            ask({"instruction": instruction_of(s), "answer": answer, "language": language_name(expected),
                 "language_code": expected}, link)
    out = list(items.values())
    if no_target:
        out.append(Item("", links=no_target))
    return out


def grade(judge: Judge, reply: Reply) -> dict[str, Any]:
    """A reply turned into a judgments row: a grade, or a parse failure with the raw text."""
    cfg = judge.config
    row: dict[str, Any] = {"judgment_key": reply.key, "judge": judge.name, "judge_hash": judge.identity(),
                           "kind": judge.kind, "raw": reply.text, "attempts": reply.attempts,
                           "seconds": reply.seconds, "backend": cfg.backend.type if cfg.backend else None,
                           "model": cfg.backend.model if cfg.backend else None}
    assert reply.text is not None
    if judge.kind == "rubric":
        parsed = parse.parse_rubric(reply.text, cfg.facets, cfg.rationale_chars)
        if parsed.ok:
            scores = (parse.apply_floor_rules(parsed.scores, cfg.facets, cfg.floor_rules)
                      if cfg.apply_floor_rules else parsed.scores)
            row.update(raw_scores=parsed.scores, scores=scores)
    else:
        parsed = parse.parse_pairwise(reply.text, cfg.rationale_chars)
        row["verdict"] = parsed.verdict
    row.update(status="ok" if parsed.ok else "parse_failure", rationale=parsed.rationale, error=parsed.error)
    return row


def language_id_row(judge: Judge, item: Item) -> dict[str, Any]:
    from ..langid import detect

    assert item.langid is not None
    text, expected = item.langid
    found = detect(text, expected)
    match = int(bool(found.matches)) if expected else None
    return {"judgment_key": item.key, "judge": judge.name, "judge_hash": judge.identity(), "kind": judge.kind,
            "status": "ok", "scores": {"match": match, "code_switch": found.code_switch},
            "detected_language": found.language, "code_switch": found.code_switch, "backend": "lingua",
            "attempts": 0, "seconds": 0.0}


class _GroupWriter:
    """A thread that writes whatever has arrived, one short transaction at a time."""

    def __init__(self, store: Store):
        self.store = store
        self.queue: queue.Queue = queue.Queue()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="judgment-writer", daemon=True)
        self.thread.start()

    def put(self, judgment: dict[str, Any], links: list[dict[str, Any]]) -> None:
        self.queue.put((judgment, links))

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _loop(self) -> None:
        stop = False
        while not stop:
            batch = [self.queue.get()]
            while True:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(entry is None for entry in batch)
            entries = [e for e in batch if e is not None]
            if not entries or self.error is not None:
                continue
            try:
                with self.store.write() as con:
                    writes.write_judgments(con, [j for j, _ in entries], [l for _, ls in entries for l in ls])
            except BaseException as exc:  # surfaced by close(); later entries are not written
                self.error = exc


def link_stored(store: Store, items: Iterable[Item]) -> tuple[Outcome, list[Item]]:
    """Link every item whose judgment is stored already; return the items still to be judged."""
    outcome = Outcome()
    items = list(items)
    graded = [i for i in items if i.key]
    no_target = [link for i in items if not i.key for link in i.links]
    outcome.no_target = len(no_target)
    outcome.requested = len(graded)
    with store.write() as con:
        stored = writes.existing_judgments(con, [i.key for i in graded])
        writes.write_judgments(con, [], no_target + [l for i in graded if i.key in stored for l in i.links])
    missing = [i for i in graded if i.key not in stored]
    outcome.cached = len(graded) - len(missing)
    return outcome, missing


def send(store: Store, judge: Judge, missing: list[Item], outcome: Outcome) -> Outcome:
    """Judge the missing items, storing each grade as it arrives."""
    outcome.sent = len(missing)
    if judge.kind == "language-id":
        rows = [language_id_row(judge, i) for i in missing]
        with store.write() as con:
            writes.write_judgments(con, rows, [l for i in missing for l in i.links])
        return outcome
    by_key = {i.key: i for i in missing}
    writer = _GroupWriter(store)
    lock = threading.Lock()

    def on_reply(reply: Reply) -> None:
        with lock:
            if reply.text is None:
                outcome.ungraded += 1
                outcome.errors.append(reply.error or "no reply")
                return
            row = grade(judge, reply)
            outcome.parse_failures += row["status"] == "parse_failure"
        writer.put(row, by_key[reply.key].links)

    assert judge.config.backend is not None
    backend = make_backend(judge.config.backend)
    try:
        stats = backend.run([i.request for i in missing if i.request is not None], on_reply)
    finally:
        writer.close()
    outcome.attempts, outcome.retries = stats.attempts, stats.retries
    return outcome
