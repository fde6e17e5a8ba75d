"""Evaluating a variant's weights, for the runner and for checkpoint selection.

:class:`Evaluations` holds what an evaluation needs besides its plan and weights -- the run's
lifecycle, the stage keys the variant's registration found done, ``--force`` and the base model
(resolved on first use) -- so selection is handed it explicitly rather than calling back into the
runner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..core.records import StageResult
from ..evaluate.backends import get_eval_backend
from ..models.registry import resolve_base_model
from ..train.artifact import TrainArtifact
from .keys import VariantPlan
from .lifecycle import Lifecycle
from .locks import artifact_lock, reading_artifact
from .stages import built_eval, complete, eval_stage


class BaseModelFolder:
    """A variant's base model folder, resolved (built from the registry or fetched) on first use only."""

    def __init__(self, name: str, recipe_dir: Path) -> None:
        self.name = name
        self.recipe_dir = recipe_dir

    @functools.cached_property
    def path(self) -> str:
        return resolve_base_model(self.name, self.recipe_dir)


@dataclass(frozen=True)
class Evaluations:
    """Evaluations of one variant's weights (its own, or a kept checkpoint's) in one run."""

    lifecycle: Lifecycle
    #: The (kind, key) stages the variant's registration found done.
    done: frozenset[tuple[str, str]]
    force: bool
    base: BaseModelFolder

    def skipped(self, target: VariantPlan) -> bool:
        """Whether ``target``'s evaluation is done already (known from the registration): then it is skipped."""
        if ("eval", target.eval_key) in self.done and not self.force:
            self.lifecycle.skip("eval", target.eval_key)
            return True
        return False

    def run(self, target: VariantPlan, trained: TrainArtifact | None) -> None:
        """Evaluate ``target`` on ``trained``'s weights (None: the base model), unless done already."""
        if not self.skipped(target):
            self.evaluate(target, trained)

    def evaluate(self, target: VariantPlan, trained: TrainArtifact | None) -> None:
        """Evaluate ``target`` now (another process evaluating the same key meanwhile is waited for)."""
        v = target.variant
        adapter, model = trained.adapter_and_model() if trained is not None else (None, None)
        served = not get_eval_backend(v.eval.backend).needs_weights   # a server generates: no weights to build
        base = self.base   # the work may run in another process (an executor's): it carries the base, not self
        reads = trained.folder if trained is not None else None

        def work(out: Path) -> StageResult:   # the train folder is read (--force on it waits) while this runs
            with reading_artifact(reads):
                return eval_stage(target, model or (v.base_model if served else base.path), adapter, out)

        run_eval(self.lifecycle, target, work, self.force)

    def adopt_found(self, target: VariantPlan) -> bool:
        """Adopt ``target``'s evaluation if its folder is complete on disk (True), without generating."""
        if self.force or not complete(eval_folder(target)):
            return False
        with artifact_lock(eval_folder(target)):
            return _done_or_adopted(self.lifecycle, target)


def eval_folder(plan: VariantPlan) -> Path:
    """Where the evaluation's artifact lies: ``<artifacts>/eval/<eval key>``."""
    return paths.artifacts_dir("eval") / plan.eval_key


def run_eval(lifecycle: Lifecycle, plan: VariantPlan, work: Callable[[Path], StageResult], force: bool) -> None:
    """An evaluation, unless its key is done or its folder is found complete (then adopted, not generated
    again); ``work(folder)`` evaluates into the folder. Another process evaluating the same key meanwhile is
    waited for (the key's lock)."""
    if not force and lifecycle.is_done("eval", plan.eval_key):
        lifecycle.skip("eval", plan.eval_key)
        return
    folder = eval_folder(plan)
    with artifact_lock(folder):
        if not force and _done_or_adopted(lifecycle, plan):
            return
        if folder.exists():   # --force, or a folder left unfinished
            import shutil

            shutil.rmtree(folder)
        variant = plan.variant
        lifecycle.run("eval", plan.eval_key, plan.variant_id, lambda: work(folder), resources=variant.resources.eval,
                      secrets=get_eval_backend(variant.eval.backend).secret_names(variant))


def _done_or_adopted(lifecycle: Lifecycle, plan: VariantPlan) -> bool:
    """Under the key's lock: the evaluation recorded done meanwhile (skipped), or its folder complete on disk --
    its store write failed or was killed, or another store's run built it -- and now adopted."""
    if lifecycle.is_done("eval", plan.eval_key):
        lifecycle.skip("eval", plan.eval_key, "done by another run meanwhile, skipped")
        return True
    folder = eval_folder(plan)
    if not complete(folder):
        return False
    lifecycle.adopt("eval", plan.eval_key, plan.variant_id, str(folder), built_eval(folder))
    return True
