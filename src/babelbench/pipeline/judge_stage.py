"""The judge pass: grade each variant's stored answers with its judges, after every variant
of the run has been evaluated (so a pairwise baseline listed later is ready).

Judgments already stored are linked, never sent again; a run that sends anything is recorded
in ``stage_runs`` (kind ``judge``); the variant's judge metrics are refreshed at the end.
"""

from __future__ import annotations

import time
import uuid

from rich.console import Console

from ..store import Store
from ..store import writes
from .env import git_commit, versions
from .keys import VariantPlan
from .runner import RunSummary, StageInputMissing


def judge_variant(plan: VariantPlan, store: Store, by_name: dict[str, VariantPlan], console: Console,
                summary: RunSummary) -> None:
    """Grade the variant's stored answers with each of its judges; send only what is not stored."""
    from ..store.judge_queries import refresh

    v = plan.variant
    with store.write() as con:
        if not writes.is_done(con, "eval", plan.eval_key):
            raise StageInputMissing("its eval stage has not run (run without --only, or --only eval first)")
    console.rule(f"[bold]{v.name} · judges")
    try:
        _run_judges(plan, store, by_name, console, summary)
    finally:  # whatever was graded, the variant's judge numbers match the stored judgments
        with store.write() as con:
            refresh(con, plan.variant_id)


def _run_judges(plan: VariantPlan, store: Store, by_name: dict[str, VariantPlan], console: Console,
                summary: RunSummary) -> None:
    from ..judge import run as judging
    from ..judge.loader import load_judge

    v = plan.variant
    for name in v.judges:
        judge = load_judge(name).with_backend(v.judge.backend)
        baseline_variant = baseline_eval = None
        if judge.kind == "pairwise":
            assert v.judge.baseline is not None
            if v.judge.baseline == v.name:
                console.print(f"  judge {name}: [dim]this is the baseline, nothing to compare")
                continue
            baseline_variant, baseline_eval = _baseline(store, by_name, v.judge.baseline)
        target = judging.Target(plan.variant_id, v.name, plan.eval_key, v.pivot.mode == "plug",
                                baseline_variant, baseline_eval)
        with store.write() as con:
            writes.register_variant_judge(con, {
                "variant_id": plan.variant_id, "judge": name, "judge_hash": judge.identity(), "kind": judge.kind,
                "baseline_variant": baseline_variant, "baseline_eval": baseline_eval,
                "config": judging.judge_config_record(judge)})
            items = judging.plan(con, judge, target, v.judge.tasks or judge.config.tasks)
        outcome, missing = judging.link_stored(store, items)
        if not missing:
            summary.counts[("judge", "skipped")] += 1
            console.print(f"  judge {name}: [dim]{_judged(outcome)}, skipped")
            continue
        key = judging.stage_key(judge, target)
        run_id = uuid.uuid4().hex
        started = time.perf_counter()
        with store.write() as con:
            writes.interrupt_stale(con, "judge", key)
            writes.start_run(con, run_id, "judge", key, plan.variant_id,
                             versions("babelbench", "openai", "lingua-language-detector"), git_commit())
        try:
            judging.send(store, judge, missing, outcome)
        except BaseException as exc:
            with store.write() as con:
                writes.finish_run(con, run_id, "failed", time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
            summary.counts[("judge", "failed")] += 1
            raise
        seconds = time.perf_counter() - started
        status = "failed" if outcome.ungraded else "done"
        error = f"{outcome.ungraded} judgment(s) stayed ungraded: {outcome.errors[0]}" if outcome.ungraded else None
        with store.write() as con:
            writes.finish_run(con, run_id, status, seconds, info=outcome.info(), error=error)
        if outcome.ungraded:
            summary.counts[("judge", "failed")] += 1
            summary.failures.append(f"{v.name}: judge {name}: {error} (re-run to retry them)")
            console.print(f"  judge {name}: [red]{_judged(outcome)}; {error}")
        else:
            summary.counts[("judge", "ran")] += 1
            console.print(f"  judge {name}: {_judged(outcome)} [green]done[/] in {seconds:.1f}s")


def _judged(outcome) -> str:
    extras = [f"{n} {what}" for n, what in ((outcome.retries, "retries"), (outcome.parse_failures, "parse failures"),
                                            (outcome.no_target, "without target part")) if n]
    return (f"{outcome.requested} judgment(s): {outcome.cached} stored, {outcome.sent} sent"
            + "".join(f", {e}" for e in extras))

def _baseline(store: Store, by_name: dict[str, VariantPlan], name: str) -> tuple[str, str]:
    """The pairwise baseline's variant id and eval key: from this run, else the newest evaluated one stored."""
    plan = by_name.get(name)
    with store.write() as con:
        if plan is not None:
            if not writes.is_done(con, "eval", plan.eval_key):
                raise StageInputMissing(f"baseline {name!r} has not been evaluated")
            return plan.variant_id, plan.eval_key
        row = con.execute("""
            SELECT v.variant_id, s.key FROM variants v
            JOIN variant_stages s ON s.variant_id = v.variant_id AND s.kind = 'eval'
            JOIN stage_runs r ON r.kind = 'eval' AND r.key = s.key AND r.status IN ('done', 'adopted')
            WHERE v.name = ? ORDER BY v.created_at DESC LIMIT 1""", [name]).fetchone()
    if row is None:
        raise StageInputMissing(f"baseline {name!r} is neither in this run nor evaluated in the store")
    return row[0], row[1]
