"""Storing a run made elsewhere (:mod:`babelbench.evaluate.lm_eval_import`) as a variant with one eval
stage, through the same lifecycle as the harness's own stages: importing the same run twice finds the
stage done and adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from ..core.records import EvalRows, StageResult
from ..evaluate.lm_eval_import import ImportedRun
from ..store import Store, writes
from .lifecycle import Lifecycle, RunSummary


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
