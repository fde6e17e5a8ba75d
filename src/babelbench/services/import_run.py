"""Storing a run made elsewhere (:mod:`babelbench.lm_eval.run_files`) as a variant with one eval
stage, through the same lifecycle as the harness's own stages: importing the same run twice finds the
stage done and adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from ..core.records import EvalRows, StageResult
from ..lm_eval.run_files import ImportedRun
from ..pipeline.lifecycle import Lifecycle, RunSummary
from ..store import Store, writes


def store_import(store: Path, run: ImportedRun, console: Console) -> bool:
    """Store ``run``; False when the store holds it already."""
    variant = run.variant
    key = run.eval_key
    st = Store(store)
    with st.write() as con:
        writes.register_recipe(con, variant["recipe_hash"], variant["recipe_file"],
                               json.dumps(variant["config"], indent=2, ensure_ascii=False, default=str))
        writes.register_variant(con, variant)
        writes.link_stage(con, variant["variant_id"], "eval", key)
        if writes.is_done(con, "eval", key):
            return False
    Lifecycle(st, RunSummary(), console).run(
        "eval", key, variant["variant_id"], label=f"{run.name} from {run.results_file}",
        work=lambda: StageResult(info=run.info, rows=EvalRows(run.metrics, run.samples), output=str(run.results_file)))
    return True


def judge_import(store: Path, run: ImportedRun, judges: list[str], override: dict[str, str],
                 judges_dirs: list[Path], console: Console) -> None:
    """Grade an imported run's stored answers with ``judges`` (those that need no baseline), as the judge
    stage grades a variant's: stored judgments are linked, not sent; the variant's judge numbers follow."""
    from ..core.errors import ConfigError, Problem
    from ..judge.loader import load_judge
    from ..judge.protocol import get_protocol
    from ..judge.schema import BackendOverride
    from ..pipeline.judge_stage import judge_target, refresh_judge_metrics

    loaded = [load_judge(name, judges_dirs).with_backend(BackendOverride.model_validate(override) if override else None)
              for name in judges]
    paired = [j.name for j in loaded if get_protocol(j.kind).needs_baseline]
    if paired:
        raise ConfigError([Problem("--judge", None, ",".join(paired), "a pairwise judge needs a baseline variant: "
                                                                       "list the imported variant in a recipe's judge.baseline")])
    from ..judge.grading import Target

    st = Store(store)
    lifecycle = Lifecycle(st, RunSummary(), console)
    target = Target(run.variant["variant_id"], run.name, run.eval_key, plug=False)
    try:
        for judge in loaded:
            judge_target(st, judge, target, list(judge.config.tasks), lifecycle)
    finally:
        refresh_judge_metrics(st, run.variant["variant_id"])
