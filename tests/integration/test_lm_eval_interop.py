"""A variant the harness trained, named from plain lm-eval: `lm_eval $(harness model-args V)` and
`python -m babelbench.lm_eval --model babelbench --model_args variant=V` each give exactly the answers and
metrics `harness run` stored for it (and differ from the base model's, so the adapter was loaded)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.integration._harness import harness, query

TASK = "babel_qa_en"
LIMIT = 3


@pytest.fixture(scope="module")
def trained(tmp_path_factory, tiny_model):
    folder = tmp_path_factory.mktemp("interop")
    recipe = folder / "interop.yaml"
    recipe.write_text(textwrap.dedent(f"""\
        name: interop
        base_model: builtin:tiny
        data:
          sources: [{{path: {SAMPLES}/instructions.en.jsonl, language: en}}]
          mix: {{en: 1.0}}
          size: 16
          seed: 11
        train: {{method: lora, lr: 0.5, max_steps: 8, batch_size: 4, max_length: 128, lora: {{r: 4, alpha: 8}}}}
        eval:
          tasks: [{TASK}]
          limit: {LIMIT}
          gen_kwargs: {{max_gen_toks: 8}}
        """), encoding="utf-8")
    store = folder / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    return folder, store


def _lm_eval(cwd: Path, out: Path, *model: str) -> tuple[dict, list[str]]:
    cmd = [*model, "--device", "cpu", "--include_path", str(ROOT / "tasks"), "--tasks", TASK, "--limit", str(LIMIT),
           "--apply_chat_template", "--gen_kwargs", "max_gen_toks=8", "--batch_size", "1", "--output_path", str(out),
           "--log_samples"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=cwd,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    [results] = list(out.rglob("results_*.json"))
    [samples] = list(out.rglob(f"samples_{TASK}_*.jsonl"))
    answers = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines()]
    answers = [a["resps"][0][0] for a in sorted(answers, key=lambda a: a["doc_id"]) if a["filter"] == "none"]
    return json.loads(results.read_text(encoding="utf-8"))["results"][TASK], answers


def _stored(store: Path) -> tuple[dict[str, float], list[str]]:
    metrics = {f"{m},{f}": v for m, f, v in query(store, """
        SELECT m.metric, m.filter, m.value FROM metrics m JOIN variant_stages s ON s.key = m.eval_key AND s.kind = 'eval'
        WHERE m.task = ?""", [TASK])}
    answers = [a for (a,) in query(store, f"SELECT raw_response FROM samples WHERE task = '{TASK}' ORDER BY doc_id")]
    return metrics, answers


def _same(computed: dict, stored: dict[str, float | None]) -> bool:
    """lm-eval's numbers equal the stored ones (a metric with no value is stored NULL, lm-eval says NaN)."""
    for key, value in stored.items():
        got = computed[key]
        if value is None:
            assert got != got, key
        else:
            assert got == pytest.approx(value), key
    return True


def test_model_args_names_the_base_model_and_the_trained_adapter(trained, tiny_model):
    folder, store = trained
    [(output,)] = query(store, "SELECT output FROM stage_runs WHERE kind = 'train' AND status = 'done'")
    code, out = harness("model-args", "interop", "--store", store)
    assert code == 0, out
    assert out.strip() == (f"--model hf --model_args pretrained={tiny_model},dtype=float32,"
                           f"peft={Path(output) / 'adapter'}")
    code, out = harness("model-args", "interop", "--store", store, "--backend", "vllm")
    assert out.strip() == (f"--model vllm --model_args pretrained={tiny_model},dtype=float32,tensor_parallel_size=1,"
                           "data_parallel_size=1,gpu_memory_utilization=0.9,enable_lora=True,"
                           f"lora_local_path={Path(output) / 'adapter'},max_lora_rank=4")   # the recipe's LoRA rank


def test_an_unknown_variant_is_one_line_naming_the_known_ones(trained):
    _, store = trained
    code, out = harness("model-args", "nope", "--store", store)
    assert code == 1 and out.strip() == f"error: no variant 'nope' in {store}; known: interop"


def test_plain_lm_eval_with_model_args_gives_the_stored_answers_and_metrics(trained, tiny_model):
    folder, store = trained
    _, args = harness("model-args", "interop", "--store", store)
    metrics, answers = _lm_eval(folder, folder / "plain", sys.executable, "-m", "lm_eval", *shlex.split(args))
    stored_metrics, stored_answers = _stored(store)
    assert answers == stored_answers
    assert _same(metrics, stored_metrics)
    _, base_answers = _lm_eval(folder, folder / "base", sys.executable, "-m", "lm_eval", "--model", "hf",
                               "--model_args", f"pretrained={tiny_model},dtype=float32")
    assert base_answers != stored_answers       # the adapter changed the answers: it was loaded


def test_the_babelbench_model_in_lm_evals_own_command_line(trained):
    folder, store = trained
    metrics, answers = _lm_eval(folder, folder / "module", sys.executable, "-m", "babelbench.lm_eval",
                                "--model", "babelbench", "--model_args", f"variant=interop,store={store}")
    stored_metrics, stored_answers = _stored(store)
    assert answers == stored_answers
    assert _same(metrics, stored_metrics)
