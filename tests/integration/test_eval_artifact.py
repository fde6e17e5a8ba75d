"""An evaluation is an artifact stage: its rows are written under its eval key before the store write, so a
process killed while storing them loses nothing -- the next run adopts the folder and generates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.integration._harness import harness, query

EVAL_ONLY = """
    name: ev
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [babel_qa_en, xalpaca_zh], limit: 2, gen_kwargs: {max_gen_toks: 8}}
"""


def _home(tmp_path: Path, name: str) -> Path:
    """A home of its own (no evaluation of an earlier test to adopt), sharing the session's built models."""
    home = tmp_path / name
    home.mkdir()
    (home / "models").symlink_to(Path(os.environ["BABELBENCH_HOME"]) / "models")
    return home


def _stored(store: Path) -> tuple[list[tuple], list[tuple]]:
    return (query(store, "SELECT * FROM metrics ORDER BY ALL"), query(store, "SELECT * FROM samples ORDER BY ALL"))


def _never_generate(*args, **kwargs):
    raise AssertionError("the evaluation was generated again")


def test_an_evaluation_killed_while_stored_is_adopted_from_disk(tiny_model, write_recipe, tmp_path, monkeypatch):
    recipe, store = write_recipe(EVAL_ONLY), tmp_path / "results.duckdb"
    monkeypatch.setenv("BABELBENCH_HOME", str(_home(tmp_path, "home")))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    killed = subprocess.run([sys.executable, str(Path(__file__).with_name("_killed_eval_write.py")), "run",
                             str(recipe), "--store", str(store)], env=env, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    # killed inside the store transaction: the rows died with it, the stage is left `running`
    assert query(store, "SELECT kind, status FROM stage_runs") == [("eval", "running")]
    assert query(store, "SELECT (SELECT count(*) FROM metrics), (SELECT count(*) FROM samples)") == [(0, 0)]

    monkeypatch.setattr("babelbench.evaluate.bridge.run_lm_eval", _never_generate)   # no model, no generation
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    assert "eval adopted: 1" in out, out
    assert query(store, "SELECT kind, status FROM stage_runs ORDER BY started_at") == [
        ("eval", "interrupted"), ("eval", "adopted")]
    adopted = _stored(store)
    # an unchanged re-run does nothing more (done); the rows are there once
    code, out = harness("run", recipe, "--store", store)
    assert code == 0 and "eval skipped: 1" in out, out
    assert _stored(store) == adopted
    for table, key in (("metrics", "eval_key, task, metric, filter"), ("samples", "eval_key, task, doc_id")):
        total, distinct = query(store, f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[0]
        assert total == distinct > 0, table
    monkeypatch.undo()

    # what an uninterrupted run stores, in a home and store of its own (it generates)
    monkeypatch.setenv("BABELBENCH_HOME", str(_home(tmp_path, "fresh")))
    fresh = tmp_path / "fresh.duckdb"
    code, out = harness("run", recipe, "--store", fresh)
    assert code == 0 and "eval ran: 1" in out, out
    assert query(fresh, "SELECT kind, status FROM stage_runs") == [("eval", "done")]
    assert adopted == _stored(fresh)
    assert [len(rows) for rows in adopted] == [len(rows) for rows in _stored(fresh)] and len(adopted[1]) == 4



SERVED = """
    name: sv
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [babel_qa_en], limit: 2, serve: {server: llama_cpp}}
"""


def test_a_served_evaluation_found_on_disk_is_adopted_instead_of_waiting_for_a_server(tiny_model, write_recipe,
                                                                                       tmp_path, monkeypatch):
    from rich.console import Console

    from babelbench import paths
    from babelbench.core.records import EvalRows, MetricRecord, SampleRecord
    from babelbench.evaluate.artifact import write_eval_artifact
    from babelbench.models._cache import build_once
    from babelbench.pipeline.evaluation import BaseModelFolder, Evaluations
    from babelbench.pipeline.keys import plan_variant
    from babelbench.pipeline.lifecycle import Lifecycle, RunSummary
    from babelbench.pipeline.runner import _evaluate
    from babelbench.recipe import load_recipe
    from babelbench.store import Store

    monkeypatch.setenv("BABELBENCH_HOME", str(_home(tmp_path, "home")))
    [variant] = load_recipe(write_recipe(SERVED))
    plan = plan_variant(variant, paths.tasks_dirs())
    # what a run whose store write failed left under the eval key
    rows = EvalRows([MetricRecord("babel_qa_en", "contains", "none", 0.5, "en", n=2, scored=True, is_primary=True)],
                    [SampleRecord("babel_qa_en", i, "en", f"q{i}", f"a{i}", f"a{i}", "none", None, "t", {"id": i})
                     for i in range(2)])
    build_once(paths.artifacts_dir("eval") / plan.eval_key, lambda tmp: write_eval_artifact(tmp, rows, {"samples": 2}))
    store = Store(tmp_path / "results.duckdb")
    summary = RunSummary()
    evaluations = Evaluations(Lifecycle(store, summary, Console(quiet=True)), frozenset(), False,
                              BaseModelFolder(variant.base_model, plan.recipe_dir))
    # not deferred to the sweep's server (none is started for it): adopted now
    assert _evaluate(plan, None, evaluations) is None
    assert summary.counts[("eval", "adopted")] == 1
    store_file = tmp_path / "results.duckdb"
    assert query(store_file, "SELECT key, status FROM stage_runs") == [(plan.eval_key, "adopted")]
    assert query(store_file, "SELECT doc_id, raw_response FROM samples ORDER BY doc_id") == [(0, "a0"), (1, "a1")]
    assert query(store_file, "SELECT task, metric, value FROM metrics") == [("babel_qa_en", "contains", 0.5)]
