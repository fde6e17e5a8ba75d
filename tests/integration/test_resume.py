"""A training run killed mid-way resumes from its checkpoint and finishes with the weights an uninterrupted run
of the same seed trains (bit for bit: fp32 on CPU, the same torch threads); no duplicate rows."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, TINY_RECIPE
from tests.integration._adapters import assert_same_adapter
from tests.integration._harness import harness, query


def test_killed_training_resumes_and_store_has_no_duplicates(write_recipe, tiny_model, tmp_path, monkeypatch):
    # A home of its own: a training finished by an earlier session would be adopted, not killed.
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    recipe = write_recipe(TINY_RECIPE.replace("max_steps: 2", "max_steps: 6").replace("save_steps: 1", "save_steps: 2")
                          .replace("seed: 3", "seed: 11")
                          # LoRA dropout draws from torch's RNG: a resume that did not restore it trains other weights
                          .replace("dropout: 0.0", "dropout: 0.1"))
    store = tmp_path / "results.duckdb"
    env = {**os.environ, "KILL_AT_STEP": "4",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    killed = subprocess.run([sys.executable, str(Path(__file__).with_name("_killed_run.py")), "run", str(recipe),
                             "--store", str(store)], env=env, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert query(store, "SELECT kind, status FROM stage_runs ORDER BY started_at") == [
        ("data", "done"), ("train", "running")]
    [train_dir] = [Path(r[0]) for r in query(store, "SELECT output FROM stage_runs WHERE kind = 'data'")]
    checkpoints = sorted(p.name for p in (train_dir.parent.parent / "train").glob("*/checkpoints/checkpoint-*"))
    assert "checkpoint-4" in checkpoints

    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    runs = query(store, "SELECT kind, status, info FROM stage_runs ORDER BY started_at")
    assert [(k, s) for k, s, _ in runs] == [("data", "done"), ("train", "interrupted"), ("train", "done"), ("eval", "done")]
    info = json.loads(runs[2][2])
    assert info["resumed_from"] == "checkpoint-4" and info["global_step"] == 6
    for table, key in (("metrics", "eval_key, task, metric, filter"), ("samples", "eval_key, task, doc_id"),
                       ("variants", "variant_id"), ("data_stats", "data_key, language")):
        total, distinct = query(store, f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[0]
        assert total == distinct > 0, table

    # the same recipe, never interrupted, in a home of its own (nothing to adopt): the same adapter
    [train_out] = [Path(r[0]) for r in query(store, "SELECT output FROM stage_runs WHERE kind = 'train' AND status = 'done'")]
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home-uninterrupted"))
    reference = tmp_path / "uninterrupted.duckdb"
    code, out = harness("run", recipe, "--store", reference)
    assert code == 0, out
    [(ref_out, ref_info)] = query(reference, "SELECT output, info FROM stage_runs WHERE kind = 'train'")
    assert json.loads(ref_info)["resumed_from"] is None
    assert_same_adapter(train_out / "adapter", Path(ref_out) / "adapter")
