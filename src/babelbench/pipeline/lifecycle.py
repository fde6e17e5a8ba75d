"""The one writer of stage runs: start, finish, fail, interrupt, adopt.

Every stage -- data, train, eval, judge, and the analyses to come -- is a function that
returns a :class:`~babelbench.core.records.StageResult` and never opens the store. This
class runs it and records it: a ``running`` row before (after marking earlier attempts that
never finished as ``interrupted``), and its rows plus ``done`` in one transaction after, so a
run killed mid-stage leaves no partial rows and the next run redoes only that stage.
Transactions are short and never held while a stage works, so readers can open the store.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.console import Console

from ..console.display import PlainDisplay
from ..core import progress
from ..core.records import StageResult
from ..store import Store, writes
from .env import git_commit, versions
from .executors import Executor, ExecutorSettings, LocalExecutor

if TYPE_CHECKING:
    from ..recipe.schema import StageResources

#: Libraries whose versions are recorded with each kind of stage run.
STAGE_LIBRARIES: dict[str, tuple[str, ...]] = {
    "data": ("babelbench", "transformers", "tokenizers", "datasets"),
    "train": ("babelbench", "torch", "transformers", "peft", "accelerate"),
    "eval": ("babelbench", "torch", "transformers", "peft", "lm-eval"),
    "judge": ("babelbench", "openai", "lingua-language-detector"),
    "alignment": ("babelbench", "torch", "transformers", "peft"),
}


class StageInputMissing(RuntimeError):
    """``--only`` asked for a stage whose input stage has not run."""


@dataclass
class RunSummary:
    #: (kind, outcome) -> count; outcome is ran | skipped | adopted | failed | interrupted
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def ran(self, kind: str | None = None) -> int:
        return sum(n for (k, o), n in self.counts.items() if o == "ran" and (kind is None or k == kind))


class Lifecycle:
    """Records stage runs; ``executor`` decides where a stage's function runs (this process by default).
    Safe to use from several driver threads (an executor that runs variants side by side)."""

    def __init__(self, store: Store, summary: RunSummary, console: Console | PlainDisplay,
                 executor: Executor | None = None):
        #: where the run is shown (a bare rich Console is shown line by line)
        self.console: PlainDisplay = console if isinstance(console, PlainDisplay) else PlainDisplay(console)
        self.store, self.summary = store, summary
        self.executor = executor or LocalExecutor(ExecutorSettings())
        self._counts = threading.Lock()

    def _count(self, kind: str, outcome: str) -> None:
        with self._counts:
            self.summary.counts[(kind, outcome)] += 1

    def is_done(self, kind: str, key: str) -> bool:
        with self.store.write() as con:
            return writes.is_done(con, kind, key)

    def skip(self, kind: str, key: str, why: str = "done already, skipped") -> None:
        self._count(kind, "skipped")
        self.console.stage(kind, "skipped", key, why)

    def adopt(self, kind: str, key: str, variant_id: str, output: str | None,
              found: StageResult | None = None) -> None:
        """A finished artifact found on disk (built by another process or store): take it over without work;
        ``found``: what the artifact itself says (its rows and info), stored with it."""
        with self.store.write() as con:
            writes.interrupt_stale(con, kind, key)   # the caller holds the key's lock: a running row is a dead one's
            run_id = self._start(con, kind, key, variant_id)
            if found is not None:
                writes.write_rows(con, key, found.rows)
            writes.finish_run(con, run_id, "adopted", 0.0, output=output, info=found.info if found else None)
        self._count(kind, "adopted")
        self.console.stage(kind, "adopted", key, "found on disk, adopted")

    def run(self, kind: str, key: str, variant_id: str, work: Callable[[], StageResult],
            label: str | None = None, resources: StageResources | None = None,
            secrets: tuple[str, ...] = ()) -> StageResult:
        """Run ``work`` as a stage: record it, store its rows, and re-raise its failure. With ``resources``
        the executor may run it elsewhere (a Ray task asking for them); without, it runs in this process."""
        label = label or key
        with self.store.write() as con:
            writes.interrupt_stale(con, kind, key)
            run_id = self._start(con, kind, key, variant_id)
        self.console.stage(kind, "running", label)
        started = time.perf_counter()
        try:
            remote = resources is not None and self.executor.remote
            with contextlib.nullcontext() if remote else progress.reporting(self.console.progress):
                result = self.executor.execute(kind, label, work, resources, secrets)
        except BaseException as exc:
            # Ctrl-C (or a stop the executor turned into one) is no failure of the stage: the next run redoes it
            outcome = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            with self.store.write() as con:
                writes.finish_run(con, run_id, outcome, time.perf_counter() - started,
                                  error=f"{type(exc).__name__}: {exc}")
            self._count(kind, outcome)
            self.console.stage(kind, outcome, label, f"{type(exc).__name__}: {' '.join(str(exc).split())}")
            raise
        seconds = time.perf_counter() - started
        status = "failed" if result.error else "done"
        with self.store.write() as con:
            writes.write_rows(con, key, result.rows)
            writes.finish_run(con, run_id, status, seconds, output=result.output, info=result.info,
                              error=result.error)
        self._count(kind, "failed" if result.error else "ran")
        if result.error:
            self.console.stage(kind, "failed", label, result.error)
        else:
            self.console.stage(kind, "done", label, f"in {seconds:.1f}s")
        return result

    def _start(self, con, kind: str, key: str, variant_id: str) -> str:
        run_id = uuid.uuid4().hex
        writes.start_run(con, run_id, kind, key, variant_id, versions(*STAGE_LIBRARIES.get(kind, ("babelbench",))),
                         git_commit())
        return run_id
