"""`harness run --executor ray` on a real Ray local cluster (started by the fixture with this machine's CPUs,
no dashboard): four builtin:tiny variants as Ray tasks, one worker killed mid-training and retried, the store
written by the driver alone, and a report equal to the local executor's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, TINY_RECIPE
from tests.integration._adapters import assert_same_adapter
from tests.integration._harness import harness, query

ray = pytest.importorskip("ray")

# the shared tiny recipe, with training long enough to be killed mid-way, and four variants; LoRA dropout on, so a
# resume must restore the RNG to train the weights an uninterrupted run trains
RECIPE = TINY_RECIPE.replace("max_steps: 2", "max_steps: 40").replace("save_steps: 1", "save_steps: 4").replace(
    "dropout: 0.0", "dropout: 0.1") + """
    resources:
      train: {cpus: 1}
      eval: {cpus: 1}
    sweep:
      train.lr: [1.0e-3, 2.0e-3, 3.0e-3, 4.0e-3]
"""
assert "max_steps: 40" in RECIPE and "save_steps: 4" in RECIPE and "dropout: 0.1" in RECIPE
PASSED_ENV = ("BABELBENCH_HOME", "HF_HOME", "HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TOKENIZERS_PARALLELISM")


def _write_recipe(folder: Path) -> Path:
    recipe = folder / "recipe.yaml"
    recipe.write_text(textwrap.dedent(RECIPE).lstrip().replace("{samples}", str(SAMPLES)), encoding="utf-8")
    return recipe


@pytest.fixture
def ray_cluster(tmp_path, monkeypatch, tiny_model):
    """A Ray instance with this test's CPUs and its own BABELBENCH_HOME (workers get the same environment)."""
    home = tmp_path / "ray-home"
    monkeypatch.setenv("BABELBENCH_HOME", str(home))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {k: os.environ[k] for k in PASSED_ENV if k in os.environ}})
    yield home
    ray.shutdown()


def _kill_first_training(after_checkpoint: Path, killed: list[str], stop: threading.Event,
                         seen: set[str]) -> None:
    """SIGKILL the first Ray worker running a train task once that training has saved a checkpoint."""
    import psutil

    while not stop.is_set():
        for proc in psutil.process_iter(["cmdline"]):
            title = " ".join(proc.info["cmdline"] or [])
            if title.startswith("ray::"):
                seen.add(title)
            if title.startswith("ray::train:"):
                key = title.removeprefix("ray::train:").strip()
                partial = after_checkpoint / f"{key}.partial" / "checkpoints"
                if any(partial.glob("checkpoint-*/trainer_state.json")):
                    proc.send_signal(signal.SIGKILL)
                    killed.append(key)
                    return
        time.sleep(0.05)


def test_ray_run_survives_a_killed_worker_and_reports_like_local(ray_cluster, tmp_path):
    recipe = _write_recipe(tmp_path)
    store = tmp_path / "ray.duckdb"
    train_dir = ray_cluster / "artifacts" / "train"
    killed: list[str] = []
    stop = threading.Event()
    seen: set[str] = set()
    killer = threading.Thread(target=_kill_first_training, args=(train_dir, killed, stop, seen), daemon=True)
    killer.start()
    try:
        code, out = harness("run", recipe, "--store", store, "--executor", "ray")
    finally:
        stop.set()
        killer.join()
    assert code == 0, out
    assert "4 variant(s)" in out and "train ran: 4" in out and "eval ran: 4" in out
    assert killed, f"no training worker was killed: the test did not exercise the retry (saw {sorted(seen)})"
    key = killed[0]

    # the killed training was retried by Ray, resumed from its checkpoint, and recorded once
    runs = query(store, "SELECT status, info FROM stage_runs WHERE kind = 'train' AND key = ?", [key])
    assert [status for status, _ in runs] == ["done"]
    info = json.loads(runs[0][1])
    assert info["resumed_from"] is not None and info["resumed_from"].startswith("checkpoint-")
    assert info["global_step"] == 40
    # the driver alone wrote: one done run per stage key, no duplicate rows
    assert query(store, "SELECT kind, status, count(*) FROM stage_runs GROUP BY ALL ORDER BY ALL") == [
        ("data", "done", 1), ("eval", "done", 4), ("train", "done", 4)]   # one data key, built once
    assert query(store, "SELECT count(*), count(DISTINCT (eval_key, task, doc_id)) FROM samples") == [(16, 16)]
    # the ray run's report equals a local run's (one torch thread, like each Ray worker; its own home)
    local_store = tmp_path / "local.duckdb"
    env = {**os.environ, "BABELBENCH_HOME": str(tmp_path / "local-home"), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", "from babelbench.cli.app import main; main()", "run", str(recipe),
                           "--store", str(local_store)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert harness("report", "--store", store, "--long") == harness("report", "--store", local_store, "--long")
    # the killed training, retried and resumed, trained the adapter the uninterrupted local run trained, bit for bit
    # (fp32 on CPU, one torch thread in both: a Ray task with num_cpus 1 and OMP_NUM_THREADS=1 above)
    assert query(local_store, "SELECT info->>'resumed_from' FROM stage_runs WHERE kind = 'train' AND key = ?",
                 [key]) == [(None,)]
    assert_same_adapter(train_dir / key / "adapter", tmp_path / "local-home" / "artifacts" / "train" / key / "adapter")


def test_ray_refuses_workers_that_cannot_see_the_artifacts(tmp_path, monkeypatch, tiny_model):
    """Workers whose BABELBENCH_HOME is another folder (a node without the shared filesystem): refused before
    any work, with the folder named, and no store written."""
    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "driver-home"))
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"BABELBENCH_HOME": str(tmp_path / "elsewhere")}})
    try:
        recipe = _write_recipe(tmp_path)
        store = tmp_path / "results.duckdb"
        code, out = harness("run", recipe, "--store", store, "--executor", "ray")
    finally:
        ray.shutdown()
    assert code == 1
    assert "cannot see this driver's BABELBENCH_HOME" in out and str(tmp_path / "driver-home") in out
    assert str(tmp_path / "elsewhere") in out
    assert not store.exists()


def test_executor_settings_from_a_config_file_and_flags(tmp_path):
    from babelbench.cli.run import _executor_settings
    from babelbench.core.errors import ConfigError

    config = tmp_path / "run.yaml"
    config.write_text("executor:\n  name: ray\n  address: auto\n  max_retries: 5\n", encoding="utf-8")
    settings = _executor_settings(config, None, None)
    assert (settings.name, settings.address, settings.max_retries) == ("ray", "auto", 5)
    assert _executor_settings(config, "local", "ray://head:10001").model_dump() == {
        "name": "local", "address": "ray://head:10001", "max_retries": 5, "num_cpus": None}
    config.write_text("executor:\n  name: ray\n  retries: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as bad:
        _executor_settings(config, None, None)
    problem = bad.value.problems[0]
    assert (problem.line, problem.field, problem.message) == (3, "executor.retries", "unknown key")
    config.write_text("executor:\n  name: dask\n", encoding="utf-8")
    with pytest.raises(ConfigError) as bad:
        _executor_settings(config, None, None)
    assert (bad.value.problems[0].line, bad.value.problems[0].field) == (2, "executor.name")
    assert "known: local, ray" in bad.value.problems[0].message
