"""`eval.backend: openai`: lm-eval's chat-completions model against a real OpenAI-compatible server (llama.cpp
serving the embedded Gemma, behind the loopback proxy). The stored answers are exactly the server's replies,
one request per document, scored by the task like any others; nothing builds the base model's weights; a
re-run sends nothing. Settings the backend cannot run with are refused at their line."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.integration._harness import harness, query
from tests.support.openai_loopback import FaultProxy

pytestmark = pytest.mark.slow


def _recipe(tmp_path, base_url: str, extra: str = ""):
    path = tmp_path / "served.yaml"
    path.write_text(textwrap.dedent(f"""\
        name: served
        base_model: builtin:gemma-3-270m
        train: {{method: none}}
        eval:
          tasks: [babel_qa_en]
          limit: 3
          gen_kwargs: {{max_gen_toks: 12}}
          backend: openai
          openai: {{base_url: "{base_url}", model: gemma, concurrency: 2}}
        """) + extra, encoding="utf-8")
    return path


def test_a_served_model_is_evaluated_through_lm_evals_chat_completions(llama_server, tmp_path, babelbench_home):
    store = tmp_path / "results.duckdb"
    from babelbench.models.gemma import FOLDER

    gemma_checkpoint = babelbench_home / "models" / FOLDER
    built_before = gemma_checkpoint.exists()
    with FaultProxy(llama_server) as proxy:
        recipe = _recipe(tmp_path, proxy.base_url)
        code, out = harness("run", recipe, "--store", store)
        assert code == 0, out
        assert len(proxy.log.forwarded) == 3                       # one chat completion per document
        replies = list(proxy.log.replies.values())
        answers = [a for (a,) in query(store, "SELECT raw_response FROM samples ORDER BY doc_id")]
        assert sorted(answers) == sorted(replies)                  # stored exactly as the server said
        contains = [json.loads(m)["contains"] for (m,) in query(
            store, "SELECT sample_metrics FROM samples ORDER BY doc_id")]
        [(value, n)] = query(store, "SELECT value, n FROM metrics WHERE task = 'babel_qa_en' AND metric = 'contains' "
                                    "AND filter = 'none'")
        assert (value, n) == (pytest.approx(sum(contains) / 3), 3)
        code, out = harness("run", recipe, "--store", store)       # unchanged: nothing sent again
        assert code == 0 and len(proxy.log.forwarded) == 3, out
    assert gemma_checkpoint.exists() == built_before               # no weights were built for a served model


def test_settings_the_backend_cannot_run_with_are_refused(tmp_path):
    recipe = _recipe(tmp_path, "http://127.0.0.1:9/v1")
    code, out = harness("validate", recipe)
    assert (code, out.strip()) == (0, "ok: 1 variant(s)"), out
    (tmp_path / "d.jsonl").write_text('{"instruction": "a", "output": "b"}\n')
    trained = recipe.read_text().replace("train: {method: none}", "train: {method: lora, max_steps: 1}") \
        + "data: {sources: [{path: d.jsonl, language: en}], mix: {en: 1.0}, size: 1}\n"
    recipe.write_text(trained)
    code, out = harness("validate", recipe)
    assert code == 2 and f"{recipe}:3: train.method: the openai backend evaluates the model a server serves" in out, out
    unserved = "".join(line for line in trained.splitlines(keepends=True) if not line.startswith("  openai:"))
    recipe.write_text(unserved.replace("train: {method: lora, max_steps: 1}", "train: {method: none}"))
    code, out = harness("validate", recipe)
    assert code == 2 and "eval.openai: the openai backend needs eval.openai: {base_url, model}" in out, out
