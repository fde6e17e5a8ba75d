"""The data, train and eval stages: functions of a plan and input artifacts that return a
:class:`~babelbench.core.records.StageResult` and never open the store.

Artifacts are built in a temporary (or ``.partial``) folder and renamed into place, so a
half-built folder is never mistaken for a finished one; the caller holds the key's lock.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..core.records import DataRows, EvalRows, LanguageStats, StageResult
from .keys import VariantPlan

DONE_MARK = ".complete"


def complete(folder: Path | None) -> bool:
    return folder is not None and (folder / DONE_MARK).is_file()


def data_stage(plan: VariantPlan, base_path: str, out: Path) -> StageResult:
    from transformers import AutoTokenizer

    from ..data.build import build_training_set
    from ..models._cache import build_once

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    build_once(out, lambda tmp: build_training_set(plan.variant, plan.recipe_dir, tokenizer, tmp))
    return built_data(out)


def built_data(out: Path) -> StageResult:
    """A built data folder's result, from its manifest (also what adopting the folder stores)."""
    from ..data.build import DataManifest

    manifest = DataManifest.read(out / "manifest.json")
    stats = [LanguageStats(lang, s.examples, s.unique, s.prompt_tokens, s.response_tokens, s.translation)
             for lang, s in manifest.languages.items()]
    info = {"size": manifest.size, "sha256": manifest.sha256, "plug_pairs_missing": manifest.plug_pairs_missing}
    return StageResult(info=info, rows=DataRows(stats), output=str(out))


def train_stage(plan: VariantPlan, base_path: str, data_dir: Path, out: Path) -> StageResult:
    """Train into ``<out>.partial`` (checkpoints there survive a kill and are resumed), then rename."""
    from ..train import train_variant

    partial = out.with_name(out.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    if plan.variant.train.launcher == "accelerate":
        from ..train.launch import launch_training

        result = launch_training(plan.variant, base_path, data_dir, partial)
    else:
        result = train_variant(plan.variant, base_path, data_dir, partial)
    (partial / DONE_MARK).write_text("ok\n")
    if out.exists():  # an unfinished folder from before artifacts were renamed into place
        shutil.rmtree(out)
    os.rename(partial, out)
    info = {"global_step": result.global_step, "train_loss": result.train_loss, "resumed_from": result.resumed_from,
            "examples": result.examples, "kind": result.kind, "processes": result.processes}
    return StageResult(info=info, output=str(out))


def eval_stage(plan: VariantPlan, model_path: str, adapter: str | None, out: Path) -> StageResult:
    """Evaluate, then write the rows into the eval folder ``out`` (renamed into place) before they are
    returned for the store: a store write that fails leaves them there, to be adopted by the next run."""
    from ..evaluate.artifact import write_eval_artifact
    from ..evaluate.bridge import run_lm_eval
    from ..models._cache import build_once

    output = run_lm_eval(plan.variant, model_path, adapter, list(plan.tasks_dirs))
    info = {**output.info, "metrics": len(output.metrics), "samples": len(output.samples)}
    rows = EvalRows(output.metrics, output.samples)
    build_once(out, lambda tmp: write_eval_artifact(tmp, rows, info))
    return StageResult(info=info, rows=rows, output=str(out))


def built_eval(out: Path) -> StageResult:
    """A finished eval folder's result: its rows and info, as the stage returned them (what adopting it stores)."""
    from ..evaluate.artifact import read_eval_artifact

    rows, info = read_eval_artifact(out)
    return StageResult(info=info, rows=rows, output=str(out))
