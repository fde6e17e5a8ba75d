"""Ctrl-C under `--executor ray` stops the run promptly, on a real Ray local cluster: two variants'
stage tasks are running when SIGINT arrives; both tasks are cancelled (their workers killed: neither
stage finishes), no variant starts its next stage, both stage runs are stored `interrupted`, and the
KeyboardInterrupt goes on up."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from rich.console import Console

from babelbench.core.records import StageResult
from babelbench.pipeline.executors import ExecutorSettings
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.pipeline.ray_executor import RayExecutor
from babelbench.recipe.schema import StageResources
from babelbench.store import Store

pytest.importorskip("ray")


def _interrupt_when_started(marks: Path, expected: int, sent: list[bool]) -> None:
    """SIGINT this process once ``expected`` stages have written their start mark (give up after 5 min)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if len(list(marks.glob("started-*"))) >= expected:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)
            return
        time.sleep(0.2)


def test_ctrl_c_cancels_the_running_ray_stages_and_starts_no_more(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("BABELBENCH_HOME", str(home))
    marks = tmp_path / "marks"
    marks.mkdir()
    executor = RayExecutor(ExecutorSettings(name="ray", num_cpus=2))
    executor.start(home)
    store = Store(tmp_path / "r.duckdb")
    lifecycle = Lifecycle(store, RunSummary(), Console(quiet=True), executor)
    folder = str(marks)

    def variant(i: int) -> None:
        def slow() -> StageResult:
            Path(folder, f"started-{i}").write_text("")
            for _ in range(600):   # 5 minutes, unless cancelled
                time.sleep(0.5)
            Path(folder, f"finished-{i}").write_text("")
            return StageResult()

        def after() -> StageResult:
            Path(folder, f"next-{i}").write_text("")
            return StageResult()

        lifecycle.run("train", f"t-{i}", f"v-{i}", slow, resources=StageResources(cpus=1))
        lifecycle.run("eval", f"e-{i}", f"v-{i}", after, resources=StageResources(cpus=1))

    sent: list[bool] = []
    threading.Thread(target=_interrupt_when_started, args=(marks, 2, sent), daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            executor.each([0, 1], variant)
    finally:
        executor.close()
    assert sent == [True]
    assert sorted(p.name for p in marks.iterdir()) == ["started-0", "started-1"]   # none finished, none went on
    with store.read() as con:
        runs = con.execute("SELECT kind, key, status FROM stage_runs ORDER BY key").fetchall()
    assert runs == [("train", "t-0", "interrupted"), ("train", "t-1", "interrupted")]
