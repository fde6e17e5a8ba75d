"""Checkpoint selection, driver side: evaluate (and judge) every kept checkpoint on the validation
tasks, then run the ``select`` stage, which scores each checkpoint per language and picks one.

Each checkpoint's validation evaluation is an eval stage keyed on the checkpoint ({train key,
step}) and the validation settings, so it is cached, resumable and shared by every variant that
reaches the same checkpoint. The select stage is keyed on those evaluations, the judges and the
scoring rule; its rows (the curve: score per language per checkpoint, and the choice) go to the
store like any stage's. The variant's reported evaluation then runs on the chosen checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.hashing import digest
from ..core.records import CheckpointScore, SelectRows, StageResult
from ..recipe.schema import EvalConfig, Variant
from ..store import Store, judge_queries, writes
from .keys import VariantPlan, checkpoint_model, eval_key_for
from .lifecycle import StageInputMissing

if TYPE_CHECKING:
    from ..judge.judge import Judge
    from ..train.artifact import TrainArtifact
    from .evaluation import Evaluations

SELECTOR = "select-v1"


def validation_variant(variant: Variant) -> Variant:
    """The variant as its validation runs see it: the validation tasks, the eval section's generation settings."""
    assert variant.select is not None
    sel = variant.select
    validation = EvalConfig(tasks=sel.tasks, prompt_files=sel.prompt_files, limit=sel.limit,
                            gen_kwargs=variant.eval.gen_kwargs, backend=variant.eval.backend,
                            batch_size=variant.eval.batch_size, apply_chat_template=variant.eval.apply_chat_template,
                            data_source=variant.eval.data_source, data_dir=variant.eval.data_dir,
                            include_path=variant.eval.include_path)
    return variant.model_copy(update={"eval": validation})


def checkpoint_plans(plan: VariantPlan, steps: list[int]) -> dict[int, VariantPlan]:
    """One plan per kept checkpoint, whose eval key is that checkpoint's validation evaluation."""
    val = validation_variant(plan.variant)
    return {step: replace(plan, variant=val, eval_key=eval_key_for(val, checkpoint_model(plan, step),
                                                                   list(plan.tasks_dirs), plan.recipe_dir))
            for step in steps}


def select_key(plan: VariantPlan, checkpoints: dict[int, VariantPlan], judge_ids: dict[str, str]) -> str:
    sel = plan.variant.select
    assert sel is not None
    return digest({"stage": "select", "selector": SELECTOR, "evals": {str(s): p.eval_key for s, p in checkpoints.items()},
                   "judges": judge_ids, "rule": sel.model_dump(mode="json", include={"metric", "aggregate",
                                                                                     "higher_is_better"})})


def final_eval_key(plan: VariantPlan, step: int) -> str:
    return eval_key_for(plan.variant, checkpoint_model(plan, step), list(plan.tasks_dirs), plan.recipe_dir)


def run_selection(plan: VariantPlan, trained: TrainArtifact, evaluations: Evaluations,
                  judges_dirs: list[Path] | None, force: bool, read_only: bool = False) -> int:
    """The chosen checkpoint's step: stored already, or found by evaluating (through ``evaluations``) and
    judging every checkpoint ``trained`` kept, then running the select stage (not with ``read_only``, as
    for ``--only judge``); ``force``: select again."""
    from ..judge.grading import Target
    from ..judge.loader import load_judge
    from .judge_stage import judge_target

    v = plan.variant
    sel = v.select
    assert sel is not None
    lifecycle = evaluations.lifecycle
    steps = trained.kept_steps()
    if not steps:
        raise StageInputMissing("train.checkpoints kept no checkpoint to select from")
    checkpoints = checkpoint_plans(plan, steps)
    judges = [load_judge(name, judges_dirs).with_backend(v.judge.backend) for name in sel.judges]
    key = select_key(plan, checkpoints, {j.name: j.identity() for j in judges})
    with lifecycle.store.write() as con:
        for step, ckpt in checkpoints.items():
            writes.link_stage(con, plan.variant_id, f"eval@{step}", ckpt.eval_key)
        writes.link_stage(con, plan.variant_id, "select", key)
        chosen = judge_queries.selected_step(con, key) if not force else None
    if chosen is not None:
        lifecycle.skip("select", key, f"checkpoint {chosen} chosen already, skipped")
        return chosen
    if read_only:
        raise StageInputMissing("its checkpoint has not been selected (run without --only, or --only eval first)")
    for step, ckpt in checkpoints.items():
        lifecycle.console.print(f"  checkpoint step {step}: validation")
        evaluations.run(ckpt, trained.at_step(step))
        for judge in judges:
            target = Target(plan.variant_id, v.name, ckpt.eval_key, v.pivot.mode == "plug")
            outcome = judge_target(lifecycle.store, judge, target, v.judge.tasks or judge.config.tasks, lifecycle,
                                   register=False)
            if outcome.ungraded:
                raise StageInputMissing(f"checkpoint {step}: {outcome.ungraded} validation judgment(s) stayed ungraded")
    scores = _scores(lifecycle.store, checkpoints, sel.metric, {j.name: j for j in judges})
    result = lifecycle.run("select", key, plan.variant_id, lambda: select_stage(scores, sel.metric, sel.aggregate,
                                                                                sel.higher_is_better))
    assert isinstance(result.rows, SelectRows)
    lifecycle.console.print(f"  select: checkpoint {result.rows.selected_step} "
                            f"({sel.metric}, {_rule(sel.aggregate)} over languages)")
    return result.rows.selected_step


def select_stage(scores: dict[int, dict[str, tuple[float, int, str]]], metric: str, how: str | dict[str, float],
                 higher_is_better: bool) -> StageResult:
    """Pure: per checkpoint and language (value, n, eval key) -> the choice and the curve."""
    from ..analysis.selection import choose

    values = {step: {lang: v for lang, (v, _n, _k) in per.items()} for step, per in scores.items()}
    best, totals = choose(values, how, higher_is_better)
    rows = SelectRows(metric=metric, aggregate=_rule(how), selected_step=best, totals=totals,
                      scores=[CheckpointScore(step, lang, v, n, k) for step, per in sorted(scores.items())
                              for lang, (v, n, k) in sorted(per.items())])
    return StageResult(info={"selected_step": best, "totals": {str(s): t for s, t in totals.items()}}, rows=rows)


def _rule(how: str | dict[str, float]) -> str:
    return how if isinstance(how, str) else json.dumps(how, sort_keys=True)


def _scores(store: Store, checkpoints: dict[int, VariantPlan], metric: str,
            judges: dict[str, Judge]) -> dict[int, dict[str, tuple[float, int, str]]]:
    """Per checkpoint and language: the validation score, its n, and the evaluation it came from."""
    from ..core.metric_name import JudgeMetric
    from ..judge.protocol import get_protocol

    judged = JudgeMetric.parse(metric)   # the recipe's `select.metric`, as its author wrote it
    out: dict[int, dict[str, tuple[float, int, str]]] = {}
    with store.write() as con:
        for step, ckpt in checkpoints.items():
            if judged is not None:
                judge = judges[judged.judge]
                rows = judge_queries.judged_eval(con, ckpt.eval_key, judge.identity())
                config = judge.config.model_dump(mode="json")
                values: dict[str, list[float]] = {}
                for o in get_protocol(judge.kind).observations(config, [r for r in rows if r.link_status == "judged"]):
                    if o.metric == judged.facet and o.language is not None:
                        values.setdefault(o.language, []).append(o.value)
                out[step] = {lang: (sum(v) / len(v), len(v), ckpt.eval_key) for lang, v in values.items()}
            else:
                out[step] = {lang: (value, n, ckpt.eval_key)
                             for lang, value, n in judge_queries.language_means(con, ckpt.eval_key, metric)}
    return out
