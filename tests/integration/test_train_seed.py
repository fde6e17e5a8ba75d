"""`train.seed` fixes the whole training, LoRA initialisation included: two fresh processes
training the same variant write the same adapter, byte for byte."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

from tests.conftest import SAMPLES, TINY_RECIPE


def _harness(*args: str, home) -> None:
    env = {**os.environ, "BABELBENCH_HOME": str(home), "HF_HOME": str(home / "hf")}
    done = subprocess.run([sys.executable, "-c", "from babelbench.cli.app import main; main()", *args],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]


def test_same_seed_gives_byte_identical_adapters_in_fresh_processes(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(textwrap.dedent(TINY_RECIPE).lstrip().replace("{samples}", str(SAMPLES)))
    digests = []
    for run in ("a", "b"):
        home = tmp_path / f"home-{run}"
        store = tmp_path / f"results-{run}.duckdb"
        # data first (this process also builds builtin:tiny), then training in a process of its own,
        # whose random state nothing has touched before the adapter is created
        _harness("run", str(recipe), "--store", str(store), "--only", "data", home=home)
        _harness("run", str(recipe), "--store", str(store), "--only", "train", home=home)
        [adapter] = list(home.rglob("adapter_model.safetensors"))
        digests.append(hashlib.sha256(adapter.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
