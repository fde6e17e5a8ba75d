"""The embedded default model (Gemma 3 270M from PyPI) through one training step and one evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration._harness import harness, query

pytestmark = pytest.mark.slow


def test_gemma_trains_one_step_and_evaluates(write_recipe, tmp_path):
    recipe = write_recipe("""
    name: gemma-one-step
    base_model: builtin:gemma-3-270m
    data:
      sources:
        - {path: {samples}/instructions.en.jsonl, language: en}
        - {path: {samples}/instructions.ko.jsonl, language: ko}
      mix: {en: 0.5, ko: 0.5}
      size: 4
    pivot: {mode: plug}
    train: {method: lora, lora: {r: 4, alpha: 8}, max_steps: 1, batch_size: 2, max_length: 128, save_steps: 1}
    eval: {tasks: [babel_qa_ko], limit: 2, batch_size: 2, gen_kwargs: {max_gen_toks: 12}}
    """)
    store = tmp_path / "results.duckdb"
    # --force: train and evaluate here even if a test session sharing this home did it before
    code, out = harness("run", recipe, "--store", store, "--force")
    assert code == 0, out

    from babelbench.models.gemma import ensure_gemma_checkpoint

    checkpoint = ensure_gemma_checkpoint()
    config = json.loads((checkpoint / "config.json").read_text())
    assert "quantization_config" not in config and config["model_type"].startswith("gemma3")
    assert (checkpoint / "GEMMA_TERMS.html").is_file()
    tokenizer_config = (checkpoint / "chat_template.jinja")
    assert tokenizer_config.is_file() and "<start_of_turn>" in tokenizer_config.read_text()

    [(info,)] = query(store, "SELECT info FROM stage_runs WHERE kind = 'train' AND status = 'done'")
    assert json.loads(info)["global_step"] == 1
    [(output,)] = query(store, "SELECT output FROM stage_runs WHERE kind = 'train'")
    assert (Path(output) / "adapter" / "adapter_config.json").is_file()
    rows = query(store, "SELECT raw_response, prompt FROM samples")
    assert len(rows) == 2
    assert all(prompt.startswith("<bos><start_of_turn>user\n") for _, prompt in rows)
    # a real language model answers with text, not the tiny model's noise
    assert all(any(ch.isalnum() for ch in raw) for raw, _ in rows)
    assert {r[0] for r in query(store, "SELECT metric FROM metrics WHERE task = 'babel_qa_ko' AND filter = 'plug'")} == {
        "exact_match", "contains", "language_fidelity", "pivot:label_not_found", "pivot:only_pivot"}
