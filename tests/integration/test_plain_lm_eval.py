"""tasks/ is an ordinary lm-eval include path: the `lm_eval` CLI itself runs a task from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def test_lm_eval_cli_runs_a_babelbench_task(tiny_model, tmp_path):
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={tiny_model}", "--device", "cpu",
           "--include_path", str(ROOT / "tasks"), "--tasks", "babel_qa_it", "--limit", "3",
           "--apply_chat_template", "--gen_kwargs", "max_gen_toks=4", "--output_path", str(out), "--log_samples"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path, env={**os.environ})
    assert done.returncode == 0, done.stderr[-3000:]
    [results_file] = list(out.rglob("results_*.json"))
    results = json.loads(results_file.read_text())["results"]["babel_qa_it"]
    assert set(results) >= {"exact_match,none", "contains,none", "exact_match,plug", "contains,plug"}
    [samples_file] = list(out.rglob("samples_babel_qa_it_*.jsonl"))
    samples = [json.loads(line) for line in samples_file.read_text().splitlines()]
    none = [s for s in samples if s["filter"] == "none"]
    assert len(none) == 3
    assert results["contains,none"] == sum(s["contains"] for s in none) / 3
