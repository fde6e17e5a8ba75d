"""The one writer of stage runs: start, finish, fail, interrupt, adopt.

Every stage -- data, train, eval, judge, and the analyses to come -- is a function that
returns a :class:`~babelbench.core.records.StageResult` and never opens the store. This
class runs it and records it: a ``running`` row before (after marking earlier attempts that
never finished as ``interrupted``), and its rows plus ``done`` in one transaction after, so a
run killed mid-stage leaves no partial rows and the next run redoes only that stage.
Transactions are short and never held while a stage works, so readers can open the store.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from rich.console import Console

from ..core import progress
from ..core.records import StageResult
from ..store import Store, writes
from .display import PlainDisplay
from .env import git_commit, versions

#: Libraries whose versions are recorded with each kind of stage run.
STAGE_LIBRARIES: dict[str, tuple[str, ...]] = {
    "data": ("babelbench", "transformers", "tokenizers", "datasets"),
    "train": ("babelbench", "torch", "transformers", "peft", "accelerate"),
    "eval": ("babelbench", "torch", "transformers", "peft", "lm-eval"),
    "judge": ("babelbench", "openai", "lingua-language-detector"),
}


class StageInputMissing(RuntimeError):
    """``--only`` asked for a stage whose input stage has not run."""


@dataclass
class RunSummary:
    #: (kind, outcome) -> count; outcome is ran | skipped | adopted | failed
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def ran(self, kind: str | None = None) -> int:
        return sum(n for (k, o), n in self.counts.items() if o == "ran" and (kind is None or k == kind))


class Lifecycle:
    def __init__(self, store: Store, summary: RunSummary, console: Console | PlainDisplay):
        #: where the run is shown (a bare rich Console is shown line by line)
        self.console: PlainDisplay = console if isinstance(console, PlainDisplay) else PlainDisplay(console)
        self.store, self.summary = store, summary

    def is_done(self, kind: str, key: str) -> bool:
        with self.store.write() as con:
            return writes.is_done(con, kind, key)

    def skip(self, kind: str, key: str, why: str = "done already, skipped") -> None:
        self.summary.counts[(kind, "skipped")] += 1
        self.console.stage(kind, "skipped", key, why)

    def adopt(self, kind: str, key: str, variant_id: str, output: str | None) -> None:
        """A finished artifact found on disk (built by another process or store): take it over without work."""
        with self.store.write() as con:
            run_id = self._start(con, kind, key, variant_id)
            writes.finish_run(con, run_id, "adopted", 0.0, output=output)
        self.summary.counts[(kind, "adopted")] += 1
        self.console.stage(kind, "adopted", key, "found on disk, adopted")

    def run(self, kind: str, key: str, variant_id: str, work: Callable[[], StageResult],
            label: str | None = None) -> StageResult:
        """Run ``work`` as a stage: record it, store its rows, and re-raise its failure."""
        label = label or key
        with self.store.write() as con:
            writes.interrupt_stale(con, kind, key)
            run_id = self._start(con, kind, key, variant_id)
        self.console.stage(kind, "running", label)
        started = time.perf_counter()
        try:
            with progress.reporting(self.console.progress):
                result = work()
        except BaseException as exc:
            with self.store.write() as con:
                writes.finish_run(con, run_id, "failed", time.perf_counter() - started,
                                  error=f"{type(exc).__name__}: {exc}")
            self.summary.counts[(kind, "failed")] += 1
            self.console.stage(kind, "failed", label, f"{type(exc).__name__}: {' '.join(str(exc).split())}")
            raise
        seconds = time.perf_counter() - started
        status = "failed" if result.error else "done"
        with self.store.write() as con:
            writes.write_rows(con, key, result.rows)
            writes.finish_run(con, run_id, status, seconds, output=result.output, info=result.info,
                              error=result.error)
        self.summary.counts[(kind, "failed" if result.error else "ran")] += 1
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
