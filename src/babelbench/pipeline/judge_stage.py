"""The judge pass, driver side: read the judge stage's inputs from the store, run the stage
through the lifecycle with a sink that stores grades as they arrive, then store the variant's
judge metrics. Runs after every variant of the run is evaluated (so a baseline listed later
is ready). Judgments already stored are linked, never sent again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..core import progress
from ..core.metric_name import JudgeMetric
from ..core.records import StageResult
from ..store import Store, judge_queries, writes
from .keys import VariantPlan
from .lifecycle import Lifecycle, StageInputMissing
from .locks import stage_lock
from .sink import GroupWriter

if TYPE_CHECKING:
    from ..judge.grading import Outcome, Target
    from ..judge.judge import Judge


def judge_variant(plan: VariantPlan, store: Store, by_name: dict[str, VariantPlan], lifecycle: Lifecycle,
                  judges_dirs: list[Path] | None = None) -> None:
    """Grade the variant's stored answers with each of its judges; send only what is not stored."""
    v = plan.variant
    with store.write() as con:
        if not writes.is_done(con, "eval", plan.eval_key):
            raise StageInputMissing("its eval stage has not run (run without --only, or --only eval first)")
    lifecycle.console.variant(v.name, "judges")
    try:
        for name in v.judges:
            _one_judge(plan, name, store, by_name, lifecycle, judges_dirs)
    finally:  # whatever was graded, the variant's judge numbers match the stored judgments
        refresh_judge_metrics(store, plan.variant_id)


def _one_judge(plan: VariantPlan, name: str, store: Store, by_name: dict[str, VariantPlan], lifecycle: Lifecycle,
               judges_dirs: list[Path] | None) -> None:
    from ..judge.grading import Target
    from ..judge.loader import load_judge
    from ..judge.protocol import get_protocol

    v = plan.variant
    judge = load_judge(name, judges_dirs).with_backend(v.judge.backend)
    patterns = v.judge.tasks or judge.config.tasks
    plug = v.pivot.mode == "plug"
    if not get_protocol(judge.kind).needs_baseline:
        judge_target(store, judge, Target(plan.variant_id, v.name, plan.eval_key, plug), patterns, lifecycle)
        return
    others = compared_with(v.name, name, v.judge.pairs, v.judge.baseline, by_name)
    if not others:
        lifecycle.console.print(f"  judge {name}: [dim]nothing to compare this variant with")
    for other in others:
        baseline_variant, baseline_eval = _baseline(store, by_name, other)
        target = Target(plan.variant_id, v.name, plan.eval_key, plug, baseline_variant, baseline_eval)
        judge_target(store, judge, target, patterns, lifecycle)


def compared_with(name: str, judge: str, pairs, baseline: str | None, by_name: dict[str, VariantPlan]) -> list[str]:
    """The variants ``name`` is judged against: the baseline; under ``all``, every later variant of
    the run that lists the judge (so each pair is judged once); or the explicit pairs naming it first."""
    if pairs == "baseline":
        return [baseline] if baseline and baseline != name else []
    if pairs == "all":
        names = [n for n, p in by_name.items() if judge in p.variant.judges]
        return [n for n in names if n > name]
    return [other for first, other in pairs if first == name and other != name]


def judge_target(store: Store, judge: Judge, target: Target, task_patterns: list[str],
                 lifecycle: Lifecycle, register: bool = True) -> Outcome:
    """Register (unless the evaluation is no variant's report, e.g. a checkpoint's validation run),
    plan and, if anything is missing, run one judge over one evaluation. Planning and sending hold the
    stage key's lock: a second process judging the same answers waits, then finds the grades stored."""
    from ..judge.grading import stage_key

    if register:
        with store.write() as con:
            _register_judge(con, judge, target)
    with stage_lock("judge", stage_key(judge, target)):
        with store.write() as con:
            samples = judge_queries.eval_samples(con, target.eval_key)
            baseline = judge_queries.eval_samples(con, target.baseline_eval) if target.baseline_eval else []
            stored = judge_queries.stored_judgment_keys(con, judge.identity())
        return _judge_planned(store, judge, target, task_patterns, lifecycle, samples, baseline, stored)


def _register_judge(con, judge: Judge, target: Target) -> None:
    from ..judge import grading

    writes.register_variant_judge(con, {
            "variant_id": target.variant_id, "judge": judge.name, "judge_hash": judge.identity(),
            "kind": judge.kind, "baseline_variant": target.baseline_variant, "baseline_eval": target.baseline_eval,
            "config": grading.judge_config_record(judge)})


def _judge_planned(store: Store, judge: Judge, target: Target, task_patterns: list[str], lifecycle: Lifecycle,
                   samples: list, baseline: list, stored: set[str]) -> Outcome:
    from ..judge import grading

    jplan = grading.plan_judgments(judge, target, samples, baseline, stored, task_patterns)
    with store.write() as con:
        writes.write_judgments(con, [], jplan.ready_links)
    if not jplan.missing:
        lifecycle.skip("judge", judge.name, f"{jplan.outcome.summary()}, skipped")
        return jplan.outcome
    writer = GroupWriter(store)
    total, graded = len(jplan.missing), [0]

    def sink(record, links) -> None:   # each grade stored as it arrives, and counted on the display
        writer(record, links)
        graded[0] += 1
        progress.report(graded[0], total, f"{jplan.outcome.cached} cached")

    def work() -> StageResult:
        try:
            result = grading.run_judgments(judge, jplan, sink)
        finally:
            writer.close()
        return result

    result = lifecycle.run("judge", grading.stage_key(judge, target), target.variant_id, work,
                           label=f"{judge.name}")
    lifecycle.console.print(f"  judge {judge.name}: {jplan.outcome.summary()}")
    if result.error:
        lifecycle.summary.failures.append(f"{target.name}: judge {judge.name}: {result.error} (re-run to retry them)")
    return jplan.outcome


def refresh_judge_metrics(store: Store, variant_id: str) -> None:
    from ..analysis.judge_metrics import judge_metric_rows

    with store.write() as con:
        rows = judge_metric_rows(judge_queries.judged(con, variant_id))
        writes.write_judge_metrics(con, variant_id, rows)


def _baseline(store: Store, by_name: dict[str, VariantPlan], name: str) -> tuple[str, str]:
    """The baseline's variant id and eval key: from this run, else the newest evaluated one stored."""
    plan = by_name.get(name)
    with store.write() as con:
        if plan is not None:
            if not writes.is_done(con, "eval", plan.eval_key):
                raise StageInputMissing(f"baseline {name!r} has not been evaluated")
            return plan.variant_id, plan.eval_key
        found = judge_queries.newest_evaluated(con, name)
    if found is None:
        raise StageInputMissing(f"baseline {name!r} is neither in this run nor evaluated in the store")
    return found


def refresh_rankings(store: Store) -> None:
    """Bradley–Terry strengths and length-controlled win rates of every judge's comparisons, refitted
    together over all the variants it compared (rankings are joint)."""
    from collections import defaultdict

    from ..analysis.rankings import Compared, ranking_rows
    from ..judge.protocol import get_protocol

    with store.write() as con:
        heads = judge_queries.compared_variants(con)
        if not heads:
            return
        by_judge: dict[str, list[Compared]] = defaultdict(list)
        ids: dict[str, dict[str, str]] = defaultdict(dict)
        for h in heads:
            protocol = get_protocol(h["kind"])
            [judged] = [j for j in judge_queries.judged(con, h["variant_id"])
                        if j.judge == h["judge"] and j.baseline == h["baseline"]]
            outcomes = [(o.task, o.language, o.doc_id, o.value)
                        for o in protocol.outcomes(judged.config, [r for r in judged.rows if r.link_status == "judged"])]
            mine, theirs = (judge_queries.answer_lengths(con, h["eval_key"]),
                            judge_queries.answer_lengths(con, h["baseline_eval"]))
            diffs = {k: float(mine[k] - theirs[k]) for k in mine.keys() & theirs.keys()}
            by_judge[h["judge"]].append(Compared(h["variant_id"], h["name"], h["baseline"], outcomes, diffs))
            ids[h["judge"]].update({h["name"]: h["variant_id"], h["baseline"]: h["baseline_variant"]})
        for judge, compared in by_judge.items():
            names = [JudgeMetric(judge, "bt_win_prob"), JudgeMetric(judge, "lc_win_rate")]
            rows = ranking_rows(judge, compared, ids[judge])
            for variant_id in set(ids[judge].values()):
                writes.write_judge_metrics(con, variant_id, rows.get(variant_id, []), only=names)
