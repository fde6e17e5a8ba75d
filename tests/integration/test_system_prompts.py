"""PLUG's system lines: the same line in the training rows and in lm-eval's rendered prompts."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import TINY_RECIPE
from tests.integration._harness import harness, query

PLUG_ZH = "Please interpret the instruction in English, and then respond both in English and in Chinese."
MONO_EN = "Please respond to the following user message in English."


def _training_rows(data_key: str) -> list[dict]:
    path = Path(os.environ["BABELBENCH_HOME"]) / "artifacts" / "data" / data_key / "train.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_plug_lines_reach_the_training_rows_and_the_evaluated_prompts(tiny_model, tmp_path, write_recipe):
    recipe = write_recipe(TINY_RECIPE.replace("    train:", "    pivot: {mode: plug, system_prompt: auto}\n    train:"))
    store = tmp_path / "results.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    [(data_key,)] = query(store, "SELECT key FROM variant_stages WHERE kind = 'data'")
    rows = _training_rows(data_key)
    assert {r["language"] for r in rows} == {"en", "zh"}
    for r in rows:
        expected = PLUG_ZH if r["language"] == "zh" else MONO_EN
        assert r["messages"][0] == {"role": "system", "content": expected}
        assert r["prompt"].count(expected) == 1        # rendered by the chat template, once
    prompts = dict(query(store, "SELECT task, prompt FROM samples WHERE doc_id = 0"))
    assert PLUG_ZH in prompts["xalpaca_zh"] and MONO_EN in prompts["babel_qa_en"]
    assert PLUG_ZH not in prompts["babel_qa_en"]


def test_a_line_of_your_own_and_no_line(tiny_model, tmp_path, write_recipe):
    own = "Answer in {pivot}, then in {target}."
    recipe = write_recipe(TINY_RECIPE.replace("    train:", f"    pivot: {{mode: plug, system_prompt: '{own}'}}\n    train:"))
    store = tmp_path / "results.duckdb"
    assert harness("run", recipe, "--store", store)[0] == 0
    prompts = dict(query(store, "SELECT task, prompt FROM samples WHERE doc_id = 0"))
    assert "Answer in English, then in Chinese." in prompts["xalpaca_zh"]
    plain = write_recipe(TINY_RECIPE, "plain.yaml")
    assert harness("run", plain, "--store", tmp_path / "plain.duckdb")[0] == 0
    prompts = dict(query(tmp_path / "plain.duckdb", "SELECT task, prompt FROM samples WHERE doc_id = 0"))
    assert "Please" not in prompts["xalpaca_zh"] and "Answer in" not in prompts["xalpaca_zh"]


def test_a_line_with_an_unknown_slot_is_refused_at_its_line(tmp_path, write_recipe):
    recipe = write_recipe(TINY_RECIPE.replace("    train:", "    pivot: {mode: plug, system_prompt: 'In {lang}.'}\n    train:"))
    code, out = harness("validate", recipe)
    assert code == 2 and "recipe.yaml:10: pivot.system_prompt: only {pivot} and {target} may be filled in" in out
