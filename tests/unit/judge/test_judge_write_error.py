"""A store write that fails stops the judge pass: no paid request is sent once grades can no longer be
stored (those in flight may finish), and the judge stage fails with the write's error."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from babelbench.core.records import EvalRows, SampleRecord
from babelbench.judge import grading
from babelbench.judge.loader import load_judge
from babelbench.judge.schema import BackendOverride
from babelbench.pipeline import sink
from babelbench.pipeline.judge_stage import judge_target
from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
from babelbench.store import Store, writes
from tests.support.openai_loopback import FixedLatencyJudge

ROOT = Path(__file__).resolve().parents[3]
ANSWERS = 40
CONCURRENCY = 2


def _target(store: Store) -> grading.Target:
    samples = [SampleRecord(task="xalpaca_en", doc_id=i, language="en", prompt=f"<prompt {i}>",
                            raw_response=f"Bakery number {i}.", kept_response=f"Bakery number {i}.", kept_filter="none",
                            pivot_status=None, target="",
                            doc={"id": f"x{i}", "language": "en", "instruction": f"Name bakery {i}."})
               for i in range(ANSWERS)]
    with store.write() as con:
        writes.register_recipe(con, "r", "recipe.yaml", "")
        writes.register_variant(con, {"variant_id": "v", "name": "v", "recipe_hash": "r", "recipe_file": "recipe.yaml",
                                      "base_model": "builtin:tiny", "method": "none", "pivot_mode": "none",
                                      "pivot_language": "en", "data_mix": None, "data_size": None, "config": {},
                                      "choices": {}})
        writes.start_run(con, "run-e", "eval", "e", "v", {}, None)
        writes.finish_run(con, "run-e", "done", 0.0)
        writes.write_eval(con, "e", EvalRows([], samples))
    return grading.Target("v", "v", "e", False)


def test_a_store_write_error_stops_the_pass_and_fails_the_stage(tmp_path, monkeypatch):
    store = Store(tmp_path / "results.duckdb")
    target = _target(store)
    with FixedLatencyJudge(latency=0.05) as server:
        requested_at_error: list[int] = []

        def full_disk(con, judgments, links):   # the grade writer's store write fails (a full disk)
            requested_at_error.append(server.requests)
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(sink, "writes", SimpleNamespace(write_judgments=full_disk))
        judge = load_judge(ROOT / "judges" / "rubric-6facet").with_backend(
            BackendOverride(base_url=server.base_url, model="m", concurrency=CONCURRENCY, max_retries=0))
        with pytest.raises(OSError, match="No space left on device"):
            judge_target(store, judge, target, ["*"], Lifecycle(store, RunSummary(), Console(quiet=True)))
        sent = server.requests
    assert len(requested_at_error) == 1                 # one failed write; nothing was written after it
    # no request after the error: only those in flight then (at most `concurrency`) were answered
    assert requested_at_error[0] <= sent <= requested_at_error[0] + CONCURRENCY < ANSWERS
    with store.read() as con:
        runs = con.execute("SELECT status, error FROM stage_runs WHERE kind = 'judge'").fetchall()
        assert con.execute("SELECT count(*) FROM judgments").fetchone() == (0,)
    assert runs == [("failed", "OSError: [Errno 28] No space left on device")]
