"""Judges as lm-eval metrics: plain `lm_eval --include_path tasks --metadata '{"judges": [...]}'` against the
llama.cpp server reports the judges' facets, each the mean of the grades it stored under the harness's
judgment keys; a following `harness run` over the same answers and store sends zero judge requests (the
fault proxy's request log) and reports the same numbers. Without judges the task reports what it always did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration._harness import harness, query
from tests.support.openai_loopback import FaultProxy

pytestmark = pytest.mark.slow

TASK = "xalpaca_en"


def _lm_eval(tiny_model: Path, out: Path, metadata: dict | None) -> dict:
    cmd = [sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={tiny_model},dtype=float32",
           "--device", "cpu", "--include_path", str(ROOT / "tasks"), "--tasks", TASK, "--limit", "2",
           "--apply_chat_template", "--gen_kwargs", "max_gen_toks=8", "--output_path", str(out)]
    if metadata is not None:
        cmd += ["--metadata", json.dumps(metadata)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=out.parent,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    [results] = list(out.rglob("results_*.json"))
    return json.loads(results.read_text(encoding="utf-8"))["results"][TASK]


def test_plain_lm_eval_reports_judge_facets_through_the_harness_cache(tiny_model, llama_server, tmp_path):
    store = tmp_path / "results.duckdb"
    metadata = {"judges": ["rubric-6facet", "language-id"], "judge_model": "gemma",
                "judge_structured_output": "json_object", "judge_store": str(store)}
    with FaultProxy(llama_server) as proxy:
        results = _lm_eval(tiny_model, tmp_path / "judged", {**metadata, "judge_base_url": proxy.base_url})
        sent = list(proxy.log.forwarded)
    # one rubric request per distinct answer text (each filter's: the raw answer under `none`, the kept part
    # under `plug`), each stored under its key; language-id grades locally
    rubric_keys = query(store, "SELECT count(*) FROM judgments WHERE kind = 'rubric'")[0][0]
    assert len(sent) == len(set(sent)) == rubric_keys and 2 <= rubric_keys <= 4
    judged = {k.split(",")[0]: v for k, v in results.items() if k.startswith("judge:") and k.endswith(",none")
              and "_stderr" not in k}
    assert judged["judge:language-id/code_switch"] is not None and "judge:language-id/match" in judged
    assert "judge:rubric-6facet/parse_failure_rate" in judged

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: same-answers
        base_model: builtin:tiny
        train: {{method: none}}
        eval: {{tasks: [{TASK}], limit: 2, gen_kwargs: {{max_gen_toks: 8}}}}
        judges: [rubric-6facet, language-id]
        judge:
          backend: {{model: gemma, structured_output: json_object}}
        """), encoding="utf-8")
    with FaultProxy(llama_server) as proxy:
        code, out = harness("run", recipe, "--store", store, "--judge-base-url", proxy.base_url)
        assert code == 0, out
        assert proxy.log.forwarded == []                     # every judgment was in the store already
    # the harness's numbers for these answers (the `none` filter's) are lm-eval's
    code, out = harness("report", "--store", store, "--format", "json")
    reported = {r["metric"]: r["value"] for r in json.loads(out) if r["task"] == TASK and r["metric"].startswith("judge:")}
    shared = [m for m in judged if m in reported]
    assert {"judge:rubric-6facet/parse_failure_rate", "judge:language-id/code_switch"} <= set(shared)
    if query(store, "SELECT count(*) FROM judgments WHERE kind = 'rubric' AND status = 'ok'")[0][0]:
        facets = ("language", "fluency", "helpfulness", "accuracy", "logical_coherence", "harmlessness")
        assert {f"judge:rubric-6facet/{f}" for f in facets} <= set(shared)
    for metric in shared:
        assert reported[metric] == pytest.approx(judged[metric]), metric


def test_without_judges_the_task_reports_what_it_did(tiny_model, tmp_path):
    results = _lm_eval(tiny_model, tmp_path / "plain", None)
    assert {k.split(",")[0] for k in results if "," in k and "_stderr" not in k} == {
        "answered", "answer_chars", "language_fidelity"}
