"""A stage stopped by Ctrl-C is recorded ``interrupted`` (the next run redoes it), not ``failed``; a stage
that raises is ``failed``. Either way the exception goes on up."""

from __future__ import annotations

import pytest
from rich.console import Console

from babelbench.core.records import StageResult
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.store import Store


def _run(tmp_path, exc: BaseException):
    store = Store(tmp_path / "r.duckdb")
    summary = RunSummary()
    lifecycle = Lifecycle(store, summary, Console(quiet=True))

    def work() -> StageResult:
        raise exc

    with pytest.raises(type(exc)):
        lifecycle.run("eval", "e-1", "v-1", work)
    with store.read() as con:
        rows = con.execute("SELECT status, error FROM stage_runs WHERE key = 'e-1'").fetchall()
    return rows, summary


def test_ctrl_c_is_stored_as_interrupted(tmp_path):
    rows, summary = _run(tmp_path, KeyboardInterrupt())
    assert rows == [("interrupted", "KeyboardInterrupt: ")]
    assert dict(summary.counts) == {("eval", "interrupted"): 1}


def test_an_error_is_stored_as_failed(tmp_path):
    rows, summary = _run(tmp_path, RuntimeError("boom"))
    assert rows == [("failed", "RuntimeError: boom")]
    assert dict(summary.counts) == {("eval", "failed"): 1}
