import json
from pathlib import Path

from babelbench.data.build import build_training_set, select_examples
from babelbench.recipe import load_recipe
from tests.conftest import TINY_RECIPE


def _variant(write_recipe, extra=""):
    [v] = load_recipe(write_recipe(TINY_RECIPE + extra))
    return v


def test_selection_is_deterministic_and_follows_the_mix(write_recipe):
    v = _variant(write_recipe)
    a, _ = select_examples(v, Path("/"))
    b, _ = select_examples(v, Path("/"))
    assert [(e.id, e.language) for e in a] == [(e.id, e.language) for e in b]
    assert sorted(e.language for e in a).count("zh") == 8 and len(a) == 16


def test_plug_pairs_target_with_pivot_answer(write_recipe):
    v = _variant(write_recipe, "    pivot: {mode: plug}\n")
    examples, missing = select_examples(v, Path("/"))
    assert missing == 0
    zh = next(e for e in examples if e.language == "zh")
    en_rows = {json.loads(line)["id"]: json.loads(line)["output"] for line in
               (Path(__file__).resolve().parents[3] / "data/samples/instructions.en.jsonl").read_text().splitlines()}
    assert zh.response.startswith(f"English response:\n{en_rows[zh.id]}\n\n中文回复：\n")


def test_built_set_splits_prompt_and_response_in_chat_format(write_recipe, tiny_model, tmp_path):
    from transformers import AutoTokenizer

    v = _variant(write_recipe)
    tok = AutoTokenizer.from_pretrained(tiny_model)
    manifest = build_training_set(v, Path("/"), tok, tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert manifest.size == len(rows) == 16
    assert {k: s.examples for k, s in manifest.languages.items()} == {"en": 8, "zh": 8}
    for row in rows:
        assert row["prompt"].endswith("<start_of_turn>model\n")
        assert row["response"] == row["messages"][-1]["content"] + "<end_of_turn>\n"
    total = sum(len(tok(r["response"], add_special_tokens=False)["input_ids"]) for r in rows)
    assert sum(s.response_tokens for s in manifest.languages.values()) == total
