"""Running variants stage by stage, skipping every stage whose key is already done.

Store writes are short transactions between stages (never held during training or
generation), so a reader can open the store at any time. A stage's rows are written
in the same transaction that marks it done: a run killed mid-stage leaves no partial
rows, and the next run redoes only that stage (training resumes from its checkpoint).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.console import Console

from .. import paths
from ..models.registry import resolve_base_model
from ..recipe.schema import Variant
from ..store import Store
from ..store import writes
from .env import git_commit, versions
from .keys import VariantPlan, plan_variant

Stage = Literal["data", "train", "eval", "judge"]
STAGES: tuple[Stage, ...] = ("data", "train", "eval", "judge")
_DONE_MARK = ".complete"


class StageInputMissing(RuntimeError):
    """``--only`` asked for a stage whose input stage has not run."""


@dataclass
class RunSummary:
    #: (kind, outcome) -> count; outcome is ran | skipped | adopted | failed
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def ran(self, kind: str | None = None) -> int:
        return sum(n for (k, o), n in self.counts.items() if o == "ran" and (kind is None or k == kind))


def run_variants(variants: list[Variant], store: Store, *, only: Stage | None = None, force: bool = False,
                 tasks_dir: Path | None = None, console: Console | None = None,
                 verbose: bool = False) -> RunSummary:
    console = console or Console(stderr=True)
    tasks_dir = tasks_dir or paths.tasks_dir()
    plans = [plan_variant(v, tasks_dir) for v in variants]
    summary = RunSummary()
    failed: set[str] = set()
    for plan in plans:
        done = _register(store, plan)
        if not _guarded(plan, summary, console, verbose,
                        lambda: _run_plan(plan, store, done, only, force, tasks_dir, console, summary)):
            failed.add(plan.variant_id)
    # Judges run once every variant is evaluated, so a pairwise baseline listed later is ready.
    if only in (None, "judge"):
        from .judge_stage import judge_variant

        by_name = {p.variant.name: p for p in plans}
        for plan in plans:
            if plan.variant.judges and plan.variant_id not in failed:
                _guarded(plan, summary, console, verbose,
                         lambda: judge_variant(plan, store, by_name, console, summary))
    return summary


def _guarded(plan: VariantPlan, summary: RunSummary, console: Console, verbose: bool, work) -> bool:
    """Run ``work``; on failure record it and go on (other variants' finished work is kept either way)."""
    try:
        work()
        return True
    except StageInputMissing as exc:
        summary.failures.append(f"{plan.variant.name}: {exc}")
        console.print(f"[red]✗ {plan.variant.name}: {exc}")
    except Exception as exc:
        summary.failures.append(f"{plan.variant.name}: {type(exc).__name__}: {exc}")
        console.print(f"[red]✗ {plan.variant.name}: {type(exc).__name__}: {exc}")
        if verbose:
            console.print_exception()
    return False


def _register(store: Store, plan: VariantPlan) -> set[tuple[str, str]]:
    """Record the recipe, the variant and its stage keys; return which of those stages are done.

    One short transaction per variant, so an unchanged re-run costs one connection each.
    """
    v = plan.variant
    text = Path(v.recipe_file).read_text(encoding="utf-8") if Path(v.recipe_file).is_file() else ""
    recipe_hash = hashlib.sha256(text.encode()).hexdigest()[:16]
    with store.write() as con:
        writes.register_recipe(con, recipe_hash, v.recipe_file, text)
        writes.register_variant(con, {
            "variant_id": plan.variant_id, "name": v.name, "recipe_hash": recipe_hash,
            "recipe_file": v.recipe_file, "base_model": v.base_model, "method": v.train.method,
            "pivot_mode": v.pivot.mode, "pivot_language": v.pivot.pivot_language,
            "data_mix": v.data.mix if v.data and plan.trains else None,
            "data_size": v.data.size if v.data and plan.trains else None,
            "config": v.model_dump(mode="json", exclude={"judges", "judge"}), "choices": v.choices,
        })
        stages = [(kind, key) for kind, key in
                  (("data", plan.data_key), ("train", plan.train_key), ("eval", plan.eval_key)) if key]
        for kind, key in stages:
            writes.link_stage(con, plan.variant_id, kind, key)
        return {(kind, key) for kind, key in stages if writes.is_done(con, kind, key)}


def _run_plan(plan: VariantPlan, store: Store, done: set[tuple[str, str]], only: Stage | None, force: bool,
              tasks_dir: Path,
              console: Console, summary: RunSummary) -> None:
    v = plan.variant
    console.rule(f"[bold]{v.name}")
    base_path: str | None = None

    def base() -> str:
        nonlocal base_path
        if base_path is None:
            base_path = resolve_base_model(v.base_model, plan.recipe_dir)
        return base_path

    data_dir = paths.artifacts_dir("data") / plan.data_key if plan.data_key else None
    train_dir = paths.artifacts_dir("train") / plan.train_key if plan.train_key else None

    if plan.trains and only in (None, "data"):
        _stage(store, summary, console, plan, "data", plan.data_key, ("data", plan.data_key) in done, data_dir, force,
               lambda: _data_stage(plan, base(), data_dir))
    if plan.trains and only in (None, "train"):
        if not _complete(data_dir):
            raise StageInputMissing("its data stage has not run (run without --only, or --only data first)")
        _stage(store, summary, console, plan, "train", plan.train_key, ("train", plan.train_key) in done, train_dir, force,
               lambda: _train_stage(plan, base(), data_dir, train_dir))
    if only in (None, "eval"):
        adapter = model = None
        if plan.trains:
            if not _complete(train_dir):
                raise StageInputMissing("its train stage has not run (run without --only, or --only train first)")
            trained = train_dir / ("adapter" if v.train.method == "lora" else "model")
            adapter, model = (str(trained), None) if v.train.method == "lora" else (None, str(trained))
        _stage(store, summary, console, plan, "eval", plan.eval_key, ("eval", plan.eval_key) in done, None, force,
               lambda: _eval_stage(plan, model or base(), adapter, tasks_dir))


def _complete(folder: Path | None) -> bool:
    return folder is not None and (folder / _DONE_MARK).is_file()


def _stage(store: Store, summary: RunSummary, console: Console, plan: VariantPlan, kind: Stage, key: str,
           done: bool, artifact: Path | None, force: bool, work) -> None:
    if done and not force and (artifact is None or _complete(artifact)):
        summary.counts[(kind, "skipped")] += 1
        console.print(f"  {kind:<5} [dim]{key}  done already, skipped")
        return
    stage_versions = versions("babelbench", "torch", "transformers", "peft", "lm-eval", "datasets")
    run_id = uuid.uuid4().hex
    if artifact is not None and _complete(artifact) and not force:
        # Finished on disk by a run recorded in another store: take it over without work.
        with store.write() as con:
            writes.start_run(con, run_id, kind, key, plan.variant_id, stage_versions, git_commit())
            writes.finish_run(con, run_id, "adopted", 0.0, output=str(artifact))
        summary.counts[(kind, "adopted")] += 1
        console.print(f"  {kind:<5} [dim]{key}  found on disk, adopted")
        return
    with store.write() as con:
        writes.interrupt_stale(con, kind, key)
        writes.start_run(con, run_id, kind, key, plan.variant_id, stage_versions, git_commit())
    console.print(f"  {kind:<5} {key}  running…")
    started = time.perf_counter()
    try:
        info, rows_writer = work()
    except BaseException as exc:
        with store.write() as con:
            writes.finish_run(con, run_id, "failed", time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
        summary.counts[(kind, "failed")] += 1
        raise
    seconds = time.perf_counter() - started
    with store.write() as con:
        if rows_writer is not None:
            rows_writer(con)
        writes.finish_run(con, run_id, "done", seconds, output=str(artifact) if artifact else None, info=info)
    summary.counts[(kind, "ran")] += 1
    console.print(f"  {kind:<5} {key}  [green]done[/] in {seconds:.1f}s")


def _data_stage(plan: VariantPlan, base_path: str, out: Path):
    from transformers import AutoTokenizer

    from ..data.build import DataManifest, build_training_set
    from ..models._cache import build_once

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    build_once(out, lambda tmp: build_training_set(plan.variant, plan.recipe_dir, tokenizer, tmp))
    manifest = DataManifest.read(out / "manifest.json")
    info = {"size": manifest.size, "sha256": manifest.sha256, "plug_pairs_missing": manifest.plug_pairs_missing}
    return info, lambda con: writes.write_data_stats(con, plan.data_key, manifest.languages)


def _train_stage(plan: VariantPlan, base_path: str, data_dir: Path, out: Path):
    from ..train import train_variant

    out.mkdir(parents=True, exist_ok=True)
    (out / _DONE_MARK).unlink(missing_ok=True)
    result = train_variant(plan.variant, base_path, data_dir, out)
    (out / _DONE_MARK).write_text("ok\n")
    return {"global_step": result.global_step, "train_loss": result.train_loss,
            "resumed_from": result.resumed_from, "examples": result.examples, "kind": result.kind}, None


def _eval_stage(plan: VariantPlan, model_path: str, adapter: str | None, tasks_dir: Path):
    from ..evaluate.bridge import run_lm_eval

    output = run_lm_eval(plan.variant, model_path, adapter, tasks_dir)
    info = {**output.info, "metrics": len(output.metrics), "samples": len(output.samples)}
    return info, lambda con: writes.write_eval(con, plan.eval_key, output.metrics, output.samples)
