"""Judging takes its stage key's lock like the artifact stages: two processes judging the same answers pay
for each judgment once (the second waits, then finds the grades stored) and leave the first's run alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration._harness import query
from tests.support.openai_loopback import FixedLatencyJudge

JUDGED = """
    name: jl
    base_model: builtin:tiny
    train: {method: none}
    eval: {tasks: [xalpaca_en], limit: 4, gen_kwargs: {max_gen_toks: 6}}
    judges: [rubric-6facet]
    judge:
      backend: {model: loop, base_url: "BASE_URL", max_retries: 0, concurrency: 1, timeout_s: 30}
"""


def _harness_process(recipe: Path, store: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "BABELBENCH_HOME": str(home),
           "PYTHONPATH": os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(ROOT)) if p)}
    harness_bin = Path(sys.executable).parent / "harness"
    return subprocess.Popen([str(harness_bin), "run", str(recipe), "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


@pytest.mark.slow
def test_two_processes_judging_the_same_answers_request_each_judgment_once(tiny_model, tmp_path, write_recipe):
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(Path(os.environ["BABELBENCH_HOME"]) / "models")  # the tiny model, built once
    store = tmp_path / "results.duckdb"
    # each request takes a while, so the second process reaches the judges while the first is still judging
    with FixedLatencyJudge(latency=1.0) as server:
        recipe = write_recipe(JUDGED.replace("BASE_URL", server.base_url))
        first, second = _harness_process(recipe, store, home), _harness_process(recipe, store, home)
        outputs = [p.communicate(timeout=600)[0] for p in (first, second)]
        sent, bodies = server.requests, dict(server.bodies)
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    judged = query(store, "SELECT count(*) FROM judgments")[0][0]
    assert judged == 4 and sent == 4, (sent, outputs)          # 4 answers, each judged once
    assert sorted(bodies.values()) == [1, 1, 1, 1]
    # one judge run, finished; the process that waited found the grades stored (no run of its own, and the
    # first's live row was never marked interrupted)
    assert query(store, "SELECT status, count(*) FROM stage_runs WHERE kind = 'judge' GROUP BY ALL") == [("done", 1)]
    assert "judge skipped: 1" in " ".join(outputs), outputs
