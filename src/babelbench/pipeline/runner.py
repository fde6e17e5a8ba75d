"""Running variants stage by stage, skipping every stage whose key is already done.

The runner is the only code that writes stage results (through :class:`Lifecycle`); the
stages themselves (:mod:`.stages`, :mod:`babelbench.judge.grading`) only compute. Artifact
stages (data, train, eval) build under a per-key lock: a second process that wants the same key
waits, then adopts the finished folder instead of building it again (as does a run after one
whose store write failed). Judging and alignment take the same lock by their keys.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from rich.console import Console

from .. import paths
from ..console.display import PlainDisplay
from ..core.records import StageResult
from ..models.registry import resolve_base_model
from ..recipe.schema import StageResources, Variant
from ..store import Store, receipts, writes
from ..store.db import FileStamp
from ..train.artifact import TrainArtifact
from . import serving
from .evaluation import BaseModelFolder, Evaluations, run_eval
from .executors import Executor
from .judge_stage import judge_variant, refresh_rankings
from .keys import VariantPlan, plan_variant
from .lifecycle import Lifecycle, RunSummary, StageInputMissing
from .locks import artifact_lock, deleting, reading_artifact
from .serving import DeferredEval
from .stages import built_data, complete, data_stage, eval_stage, train_stage

Stage = Literal["data", "train", "eval", "judge"]
STAGES: tuple[Stage, ...] = ("data", "train", "eval", "judge")

T = TypeVar("T")

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

    registration = _registration(plans)
    done = _register(store, registration)
    outcomes = lifecycle.executor.each(plans, functools.partial(
        _run_plan, lifecycle=lifecycle, done=done, only=only, force=force, judges_dirs=judges_dirs, verbose=verbose))
    plans = [o.plan for o in outcomes]   # a variant that selected a checkpoint knows its eval key
    failed = {o.plan.variant_id for o in outcomes if not o.ok}
    deferred = [o.deferred for o in outcomes if o.deferred is not None]   # served sweeps' evaluations (eval.serve)
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
    if not receipts.is_current(store.path, registration.digest):   # this run wrote the store: renew the receipt,
        _seal(store, registration)                                  # so an unchanged re-run need not connect
    return summary


def _stages_of(plan: VariantPlan, only: Stage | None) -> list[str]:
    """The stages a variant goes through in this run (for the display's grid)."""
    v = plan.variant
    kinds = (["data", "train"] if plan.trains else []) + (["select"] if v.select is not None else []) + ["eval"] \
        + (["alignment"] if "alignment" in v.analysis else []) + (["judge"] if v.judges else [])
    return [k for k in kinds if only is None or k == only or (only == "eval" and k in ("select", "alignment"))]


def _guarded(plan: VariantPlan, summary: RunSummary, console: PlainDisplay, verbose: bool,
             work: Callable[[], object]) -> bool:
    """Run ``work``; on failure record it and go on (other variants' finished work is kept either way)."""
    return _attempt(plan, summary, console, verbose, work)[0]


def _attempt(plan: VariantPlan, summary: RunSummary, console: PlainDisplay, verbose: bool,
             work: Callable[[], T]) -> tuple[bool, T | None]:
    """(True, what ``work`` returns); on failure (False, None), the failure recorded and shown."""
    try:
        return True, work()
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
    return False, None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


@dataclass(frozen=True)
class _Registration:
    """What a run records of its variants before any stage: recipes (hash, file, text), variant rows and stage
    links (variant id, kind, key); ``digest`` identifies all of it (the store receipt's key)."""

    recipes: list[tuple[str, str, str]]
    rows: list[dict[str, Any]]
    links: list[tuple[str, str, str]]
    digest: str

    def done_by_variant(self, done: set[tuple[str, str]]) -> dict[str, frozenset[tuple[str, str]]]:
        """Variant id -> which of its linked stages are among ``done``."""
        out: dict[str, set[tuple[str, str]]] = {vid: set() for vid, _, _ in self.links}
        for vid, kind, key in self.links:
            if (kind, key) in done:
                out[vid].add((kind, key))
        return {vid: frozenset(stages) for vid, stages in out.items()}


def _registration(plans: list[VariantPlan]) -> _Registration:
    recipes: dict[str, tuple[str, str, str]] = {}
    hashes: dict[str, str] = {}
    rows, links = [], []
    for plan in plans:
        v = plan.variant
        if v.recipe_file not in hashes:
            path = Path(v.recipe_file)
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
            hashes[v.recipe_file] = hashlib.sha256(text.encode()).hexdigest()[:16]
            recipes.setdefault(hashes[v.recipe_file], (hashes[v.recipe_file], v.recipe_file, text))
        rows.append({
            "variant_id": plan.variant_id, "name": v.name, "recipe_hash": hashes[v.recipe_file],
            "recipe_file": v.recipe_file, "base_model": v.base_model, "method": str(v.train.method),
            "pivot_mode": v.pivot.mode, "pivot_language": v.pivot.pivot_language,
            "data_mix": v.data.mix if v.data and plan.trains else None,
            "data_size": v.data.size if v.data and plan.trains else None,
            "config": v.model_dump(mode="json", exclude={"judges", "judge"}), "choices": v.choices,
        })
        links += [(plan.variant_id, kind, key) for kind, key in
                  (("data", plan.data_key), ("train", plan.train_key), ("eval", plan.eval_key)) if key]
    digest = hashlib.sha256(json.dumps([list(recipes.values()), rows, links], sort_keys=True,
                                       default=str).encode()).hexdigest()
    return _Registration(list(recipes.values()), rows, links, digest)


def _register(store: Store, registration: _Registration) -> dict[str, frozenset[tuple[str, str]]]:
    """Record the run's recipes, variants and their stage keys; return, per variant id, which of its stages
    are done. The store's receipt answers an unchanged re-run without a connection (:mod:`babelbench.store.
    receipts`); otherwise one transaction for the whole run, not one a variant."""
    done = receipts.done_stages(store.path, registration.digest)
    return registration.done_by_variant(done if done is not None else _seal(store, registration))


def _seal(store: Store, registration: _Registration) -> set[tuple[str, str]]:
    """Register the run (writing only what the store lacks) and keep the store's receipt; the done stages."""
    stamped: list[FileStamp] = []
    with store.write(stamped) as con:
        done = writes.register_runs(con, registration.recipes, registration.rows, registration.links)
    if stamped:
        receipts.keep(store.path, registration.digest, done, stamped[0])
    return done


@dataclass(frozen=True)
class _Outcome:
    """One variant's run: its plan (with the eval key of the checkpoint it selected, once selected), whether
    it went without failure, and its evaluation waiting for a server (``eval.serve``), if any."""

    plan: VariantPlan
    ok: bool
    deferred: DeferredEval | None = None


def _run_plan(plan: VariantPlan, *, lifecycle: Lifecycle, done: dict[str, frozenset[tuple[str, str]]],
              only: Stage | None, force: bool, judges_dirs: list[Path] | None, verbose: bool) -> _Outcome:
    """One variant's stages up to its evaluation (and alignment); a failure is recorded, shown and ends it.
    ``done``: the stages the run's registration found done, per variant id."""
    v = plan.variant
    evaluations = Evaluations(lifecycle, done.get(plan.variant_id, frozenset()), force,
                              BaseModelFolder(v.base_model, plan.recipe_dir))
    attempt = functools.partial(_attempt, plan, lifecycle.summary, lifecycle.console, verbose)
    ok, prepared = attempt(functools.partial(_prepare, plan, evaluations, only, judges_dirs))
    if prepared is None:   # failed, or this run stops before evaluating (--only data/train; --only judge)
        return _Outcome(plan, ok)
    plan, trained = prepared
    if only == "judge":   # the checkpoint is selected already: the judges get its eval key
        return _Outcome(plan, True)
    ok, deferred = attempt(functools.partial(_evaluate, plan, trained, evaluations))
    if ok and "alignment" in v.analysis and only in (None, "eval"):   # on the weights just evaluated
        ok, _ = attempt(functools.partial(_align, plan, trained, evaluations))
    return _Outcome(plan, ok, deferred)


def _prepare(plan: VariantPlan, evaluations: Evaluations, only: Stage | None,
             judges_dirs: list[Path] | None) -> tuple[VariantPlan, TrainArtifact | None] | None:
    """Build the variant's data and train artifacts and select its checkpoint (what ``only`` asks for of
    these); then the plan (its eval key the selected checkpoint's) and the weights to evaluate, or None
    when this run evaluates nothing of the variant."""
    v = plan.variant
    evaluations.lifecycle.console.variant(v.name)
    _build(plan, evaluations, only)
    if only not in (None, "eval", "judge") or (only == "judge" and v.select is None):
        return None
    trained = _trained(plan)
    if v.select is None:
        return plan, trained
    from .selection_stage import final_eval_key, run_selection

    assert trained is not None
    step = run_selection(plan, trained, evaluations, judges_dirs, force=evaluations.force and only != "judge",
                         read_only=only == "judge")
    plan = replace(plan, eval_key=final_eval_key(plan, step))
    with evaluations.lifecycle.store.write() as con:
        writes.link_stage(con, plan.variant_id, "eval", plan.eval_key)
    return plan, trained.at_step(step)


def _build(plan: VariantPlan, evaluations: Evaluations, only: Stage | None) -> None:
    """The data and train stages (those ``only`` asks for), each skipped when done."""
    v, lifecycle, done, force, base = (plan.variant, evaluations.lifecycle, evaluations.done, evaluations.force,
                                       evaluations.base)
    data_dir = paths.artifacts_dir("data") / plan.data_key if plan.data_key else None
    train_dir = paths.artifacts_dir("train") / plan.train_key if plan.train_key else None
    if plan.trains and only in (None, "data"):
        assert plan.data_key is not None and data_dir is not None
        _artifact_stage(lifecycle, plan, "data", plan.data_key, data_dir, ("data", plan.data_key) in done, force,
                        lambda: data_stage(plan, base.path, data_dir), v.resources.data)
    if plan.trains and only in (None, "train"):
        assert plan.train_key is not None and train_dir is not None and data_dir is not None
        if not complete(data_dir):
            raise StageInputMissing("its data stage has not run (run without --only, or --only data first)")
        _artifact_stage(lifecycle, plan, "train", plan.train_key, train_dir, ("train", plan.train_key) in done,
                        force, functools.partial(_train_reading, plan, base, data_dir, train_dir), v.resources.train)


def _train_reading(plan: VariantPlan, base: BaseModelFolder, data_dir: Path, train_dir: Path) -> StageResult:
    """The train stage, holding its data folder's readers lock (``--force`` on the data waits its turn)."""
    with reading_artifact(data_dir):
        return train_stage(plan, base.path, data_dir, train_dir)


def _trained(plan: VariantPlan) -> TrainArtifact | None:
    """The variant's train artifact (its final weights), None without training; the train stage must have run."""
    if not plan.trains:
        return None
    assert plan.train_key is not None
    train_dir = paths.artifacts_dir("train") / plan.train_key
    if not complete(train_dir):
        raise StageInputMissing("its train stage has not run (run without --only, or --only train first)")
    return TrainArtifact(train_dir, plan.variant.train.method)


def _evaluate(plan: VariantPlan, trained: TrainArtifact | None, evaluations: Evaluations) -> DeferredEval | None:
    """The variant's evaluation on ``trained`` (None: its base model), unless done; a served sweep's
    (``eval.serve``) is returned instead, to run once the run's server for its base model is up."""
    if evaluations.skipped(plan):   # known from the registration transaction
        return None
    if plan.variant.eval.serve is not None:   # an evaluation found on disk is adopted without starting a server
        if evaluations.adopt_found(plan):
            return None
        return DeferredEval(plan, trained.weights if trained is not None else None)
    evaluations.evaluate(plan, trained)
    return None


def _align(plan: VariantPlan, trained: TrainArtifact | None, evaluations: Evaluations) -> None:
    from .alignment_stage import align_variant

    adapter, full = trained.adapter_and_model() if trained is not None else (None, None)
    with reading_artifact(trained.folder if trained is not None else None):
        align_variant(plan, evaluations.lifecycle, full or evaluations.base.path, adapter,
                      step=trained.step if trained is not None else None, force=evaluations.force,
                      resources=plan.variant.resources.eval)


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
            port, host = serving.free_port(), serving.server_host(lifecycle.executor.remote)
            command = serving.server_command(server, base, items, port, host)
            display.print(f"serving {len(items)} variant(s) with {server.name} on {host}:{port}", markup=False)
            with _reading_trained(items), serving.running_server(
                    command, port, serve.startup_timeout_s, serving.server_log(), host,
                    server.environment(first.variant)) as live:
                while pending:
                    live.check()   # a server that died fails the variants left at once
                    item = pending.pop(0)
                    plan, name = item.plan, serving.served_name(server, item)
                    display.variant(plan.variant.name, f"served by {server.name}")
                    work = functools.partial(run_eval, lifecycle, plan, functools.partial(
                        eval_stage, serving.through_server(plan, live.url, name), plan.variant.base_model, None), force)
                    if not _guarded(plan, summary, display, verbose, work):
                        failed.add(plan.variant_id)
                        live.check_after_failure()   # the server dying mid-variant: the rest fail at once
        except Exception as exc:   # one group's failure (server, download, bad rank) fails its variants only
            for item in pending:
                _guarded(item.plan, summary, display, verbose, functools.partial(_raise, exc))
                failed.add(item.plan.variant_id)
    return failed


@contextlib.contextmanager
def _reading_trained(items: list[DeferredEval]) -> Iterator[None]:
    """Hold the readers lock of each served variant's train folder while the server may load its weights."""
    with contextlib.ExitStack() as stack:
        for item in items:
            if item.plan.trains and item.plan.train_key:
                stack.enter_context(reading_artifact(paths.artifacts_dir("train") / item.plan.train_key))
        yield


def _raise(exc: BaseException) -> None:
    raise exc


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
    """Delete ``folder`` (``--force``), unless another process is reading it (:class:`ArtifactInUse`)."""
    import shutil

    with deleting(folder):
        shutil.rmtree(folder)
