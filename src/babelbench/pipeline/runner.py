"""Running variants stage by stage, skipping every stage whose key is already done.

The runner is the only code that writes stage results (through :class:`Lifecycle`); the
stages themselves (:mod:`.stages`, :mod:`babelbench.judge.grading`) only compute. Artifact
stages (data, train) build under a per-key lock: a second process that wants the same key
waits, then adopts the finished folder instead of building it again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from rich.console import Console

from .. import paths
from ..console.display import PlainDisplay
from ..core.records import StageResult
from ..evaluate.backends import get_eval_backend
from ..models.registry import resolve_base_model
from ..recipe.schema import StageResources, Variant
from ..store import Store, writes
from . import serving
from .executors import Executor
from .judge_stage import judge_variant, refresh_rankings
from .keys import VariantPlan, plan_variant
from .lifecycle import Lifecycle, RunSummary, StageInputMissing
from .locks import artifact_lock
from .serving import DeferredEval, ServerFailed
from .stages import built_data, complete, data_stage, eval_stage, train_stage

Stage = Literal["data", "train", "eval", "judge"]
STAGES: tuple[Stage, ...] = ("data", "train", "eval", "judge")

__all__ = ["STAGES", "RunSummary", "Stage", "StageInputMissing", "run_variants"]


def run_variants(variants: list[Variant], store: Store, *, only: Stage | None = None, force: bool = False,
                 tasks_dirs: list[Path] | None = None, judges_dirs: list[Path] | None = None,
                 console: Console | PlainDisplay | None = None, verbose: bool = False,
                 executor: Executor | None = None) -> RunSummary:
    """Run every variant's stages (judges last); ``console``: where the run is shown (a display, or a
    rich Console shown line by line); ``executor``: where stages run (this process by default; see
    :mod:`.executors`). The executor must be started; the store is written here only."""
    tasks_dirs = tasks_dirs or paths.tasks_dirs()
    plans = [plan_variant(v, tasks_dirs) for v in variants]
    summary = RunSummary()
    lifecycle = Lifecycle(store, summary, console or Console(stderr=True), executor)
    display = lifecycle.console
    display.plan([(p.variant.name, _stages_of(p, only)) for p in plans])

    deferred: list[DeferredEval] = []   # evaluations of served sweeps (eval.serve), run once a server is up

    def one(plan: VariantPlan) -> tuple[VariantPlan, bool]:
        done = _register(store, plan)
        resolved: list[VariantPlan] = []
        work = functools.partial(_run_plan, plan, lifecycle, done, only, force, judges_dirs, resolved, deferred)
        ok = _guarded(plan, summary, display, verbose, work)
        return (resolved[0] if resolved else plan), ok   # a variant that selected a checkpoint knows its eval key

    outcomes = lifecycle.executor.each(plans, one)
    plans = [plan for plan, _ in outcomes]
    failed = {plan.variant_id for plan, ok in outcomes if not ok}
    failed |= _serve_sweeps(deferred, lifecycle, verbose, force)
    # Judges run once every variant is evaluated, so a pairwise baseline listed later is ready.
    if only in (None, "judge"):
        by_name = {p.variant.name: p for p in plans}
        for plan in plans:
            if plan.variant.judges and plan.variant_id not in failed:
                _guarded(plan, summary, display, verbose,
                         functools.partial(judge_variant, plan, store, by_name, lifecycle, judges_dirs))
        if any(p.variant.judges for p in plans):
            refresh_rankings(store)
    return summary


def _stages_of(plan: VariantPlan, only: Stage | None) -> list[str]:
    """The stages a variant goes through in this run (for the display's grid)."""
    v = plan.variant
    kinds = (["data", "train"] if plan.trains else []) + (["select"] if v.select is not None else []) + ["eval"] \
        + (["alignment"] if "alignment" in v.analysis else []) + (["judge"] if v.judges else [])
    return [k for k in kinds if only is None or k == only or (only == "eval" and k in ("select", "alignment"))]


def _guarded(plan: VariantPlan, summary: RunSummary, console: PlainDisplay, verbose: bool,
             work: Callable[[], None]) -> bool:
    """Run ``work``; on failure record it and go on (other variants' finished work is kept either way)."""
    try:
        work()
        return True
    except StageInputMissing as exc:
        summary.failures.append(f"{plan.variant.name}: {_one_line(exc)}")
        console.print(f"✗ {plan.variant.name}: {_one_line(exc)}", style="red", markup=False, soft_wrap=True)
    except Exception as exc:
        # one line each (a Hub client's error spans several: offline, no connection, HTTP status)
        summary.failures.append(f"{plan.variant.name}: {type(exc).__name__}: {_one_line(exc)}")
        console.print(f"✗ {plan.variant.name}: {type(exc).__name__}: {_one_line(exc)}", style="red", markup=False,
                      soft_wrap=True)
        if verbose:
            console.print_exception()
    return False


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


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


def _run_plan(plan: VariantPlan, lifecycle: Lifecycle, done: set[tuple[str, str]], only: Stage | None,
              force: bool, judges_dirs: list[Path] | None, resolved: list[VariantPlan],
              deferred: list[DeferredEval]) -> None:
    v = plan.variant
    lifecycle.console.variant(v.name)
    base_path: str | None = None

    def base() -> str:
        nonlocal base_path
        if base_path is None:
            base_path = resolve_base_model(v.base_model, plan.recipe_dir)
        return base_path

    data_dir = paths.artifacts_dir("data") / plan.data_key if plan.data_key else None
    train_dir = paths.artifacts_dir("train") / plan.train_key if plan.train_key else None

    if plan.trains and only in (None, "data"):
        assert plan.data_key is not None and data_dir is not None
        _artifact_stage(lifecycle, plan, "data", plan.data_key, data_dir, ("data", plan.data_key) in done, force,
                        lambda: data_stage(plan, base(), data_dir), v.resources.data)
    if plan.trains and only in (None, "train"):
        assert plan.train_key is not None and train_dir is not None and data_dir is not None
        if not complete(data_dir):
            raise StageInputMissing("its data stage has not run (run without --only, or --only data first)")
        _artifact_stage(lifecycle, plan, "train", plan.train_key, train_dir, ("train", plan.train_key) in done,
                        force, lambda: train_stage(plan, base(), data_dir, train_dir), v.resources.train)
    if only not in (None, "eval", "judge") or (only == "judge" and v.select is None):
        return
    trained: Path | None = None
    if plan.trains:
        if not complete(train_dir):
            raise StageInputMissing("its train stage has not run (run without --only, or --only train first)")
        assert train_dir is not None
        trained = train_dir / ("adapter" if v.train.method == "lora" else "model")

    def evaluate(target: VariantPlan, weights: Path | None) -> None:
        if ("eval", target.eval_key) in done and not force:  # known from the registration transaction
            lifecycle.skip("eval", target.eval_key)
            return
        if v.eval.serve is not None:   # evaluated once the run's server for this base model is up
            deferred.append(DeferredEval(target, weights))
            return
        adapter, model = ((str(weights), None) if v.train.method == "lora" else (None, str(weights))) if weights \
            else (None, None)
        served = not get_eval_backend(v.eval.backend).needs_weights   # a server generates: no weights to build
        _eval(lifecycle, target, lambda: eval_stage(target, model or (v.base_model if served else base()), adapter),
              force)

    step: int | None = None
    if v.select is not None:
        assert train_dir is not None
        from ..train.trainer import KEPT
        from .selection_stage import final_eval_key, run_selection

        step = run_selection(plan, lifecycle, train_dir, force and only != "judge", evaluate, judges_dirs,
                             read_only=only == "judge")
        plan = replace(plan, eval_key=final_eval_key(plan, step))
        trained = train_dir / KEPT / f"step-{step}"
        with lifecycle.store.write() as con:
            writes.link_stage(con, plan.variant_id, "eval", plan.eval_key)
        resolved.append(plan)
        if only == "judge":
            return
    evaluate(plan, trained)
    if "alignment" in v.analysis and only in (None, "eval"):   # on the weights just evaluated
        from .alignment_stage import align_variant

        adapter, full = ((str(trained), None) if v.train.method == "lora" else (None, str(trained))) if trained \
            else (None, None)
        align_variant(plan, lifecycle, full or base(), adapter, step=step, force=force, resources=v.resources.eval)


def _serve_sweeps(deferred: list[DeferredEval], lifecycle: Lifecycle, verbose: bool, force: bool) -> set[str]:
    """Evaluate the deferred variants, one server per group; returns the ids of variants that failed."""
    groups: dict[str, list[DeferredEval]] = {}
    for item in deferred:
        groups.setdefault(serving.group_key(item.plan.variant), []).append(item)
    failed: set[str] = set()
    display, summary = lifecycle.console, lifecycle.summary
    for items in groups.values():
        server, first = serving.server_for(items), items[0].plan
        serve = first.variant.eval.serve
        assert serve is not None
        pending = list(items)
        try:
            base = server.base_model(first.variant, functools.partial(resolve_base_model, first.variant.base_model,
                                                                      first.recipe_dir))
            port = serving.free_port()
            command = serving.server_command(server, base, items, port)
            display.print(f"serving {len(items)} variant(s) with {server.name} on 127.0.0.1:{port}", markup=False)
            with serving.running_server(command, port, serve.startup_timeout_s, serving.server_log()) as url:
                while pending:
                    item = pending.pop(0)
                    plan, name = item.plan, serving.served_name(server, item)
                    display.variant(plan.variant.name, f"served by {server.name}")
                    work = functools.partial(_eval, lifecycle, plan, functools.partial(
                        eval_stage, serving.through_server(plan, url, name), plan.variant.base_model, None), force)
                    if not _guarded(plan, summary, display, verbose, work):
                        failed.add(plan.variant_id)
        except ServerFailed as exc:
            for item in pending:
                _guarded(item.plan, summary, display, verbose, functools.partial(_raise, exc))
                failed.add(item.plan.variant_id)
    return failed


def _raise(exc: BaseException) -> None:
    raise exc


def _eval(lifecycle: Lifecycle, plan: VariantPlan, work: Callable[[], StageResult], force: bool) -> None:
    """An evaluation, unless its key is done; another process evaluating the same key meanwhile is waited for."""
    if not force and lifecycle.is_done("eval", plan.eval_key):
        lifecycle.skip("eval", plan.eval_key)
        return
    with artifact_lock(paths.artifacts_dir("eval") / plan.eval_key):
        if not force and lifecycle.is_done("eval", plan.eval_key):
            lifecycle.skip("eval", plan.eval_key, "done by another run meanwhile, skipped")
        else:
            lifecycle.run("eval", plan.eval_key, plan.variant_id, work, resources=plan.variant.resources.eval)


def _artifact_stage(lifecycle: Lifecycle, plan: VariantPlan, kind: str, key: str, folder: Path, done: bool,
                    force: bool, work: Callable[[], StageResult], resources: StageResources) -> None:
    """Skip a stage recorded done with its artifact present; otherwise build it under the key's lock
    (or adopt what another process finished while this one waited)."""
    if done and not force and complete(folder):
        lifecycle.skip(kind, key)
        return
    with artifact_lock(folder):
        if complete(folder) and not force:
            if lifecycle.is_done(kind, key):   # recorded meanwhile (another variant of this run shares the key)
                lifecycle.skip(kind, key, "done meanwhile, skipped")
            else:   # built by another process or for another store: a data folder's stats come with it
                lifecycle.adopt(kind, key, plan.variant_id, str(folder), built_data(folder) if kind == "data" else None)
            return
        if force and folder.exists():
            _discard(folder)
        lifecycle.run(kind, key, plan.variant_id, work, resources=resources)


def _discard(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder)
