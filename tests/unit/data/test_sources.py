"""Data sources in chat `messages`, ShareGPT `conversations` and Alpaca form, as JSONL, as a JSON
array and as a JSON object with `data`: the data stage's training set (BABELBENCH_HOME/artifacts/
data/<key>/train.jsonl) and its data_stats hold exactly the prompts and responses expected in the
model's chat format; unreadable sources are refused before anything runs."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from babelbench import paths
from babelbench.cli.app import app
from tests.integration._harness import harness, query

BOS, USER, MODEL, END = "<bos>", "<start_of_turn>user\n", "<start_of_turn>model\n", "<end_of_turn>\n"

CHAT_EN = [  # JSONL, chat messages: a system turn, and a two-round conversation
    {"id": "c1", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a colour."},
                              {"role": "assistant", "content": "Blue."}]},
    {"id": "c2", "messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."},
                              {"role": "user", "content": "Count to two."}, {"role": "assistant", "content": "One, two."}]},
]
ALPACA_ES = [  # a JSON array in Alpaca form, with and without `input`; no ids (the row index is the id)
    {"instruction": "  Traduce al inglés. ", "input": " gato ", "output": " cat \n"},
    {"instruction": "Di hola.", "output": "Hola."},
]
SHAREGPT_ZH = [  # a JSON array of ShareGPT conversations: system / human / gpt
    {"id": "s1", "conversations": [{"from": "system", "value": "简短回答。"}, {"from": "human", "value": "天空是什么颜色？"},
                                   {"from": "gpt", "value": "蓝色。"}]},
    {"id": "s2", "conversations": [{"from": "human", "value": "一加一？"}, {"from": "gpt", "value": "二。"}]},
]
WRAPPED_KO = {"data": [  # a JSON object whose `data` holds the rows
    {"id": "k1", "messages": [{"role": "user", "content": "안녕?"}, {"role": "assistant", "content": "안녕하세요."}]},
    {"id": "k2", "conversations": [{"from": "user", "value": "하나?"}, {"from": "model", "value": "둘."}]},
]}

#: row id -> (prompt, response) as the tiny model's chat template renders them
EXPECTED = {
    ("en", "c1"): (f"{BOS}{USER}Be brief.\n\nName a colour.{END}{MODEL}", f"Blue.{END}"),
    ("en", "c2"): (f"{BOS}{USER}Hi?{END}{MODEL}Hello.{END}{USER}Count to two.{END}{MODEL}", f"One, two.{END}"),
    ("es", "0"): (f"{BOS}{USER}Traduce al inglés.\n\ngato{END}{MODEL}", f"cat{END}"),
    ("es", "1"): (f"{BOS}{USER}Di hola.{END}{MODEL}", f"Hola.{END}"),
    ("zh", "s1"): (f"{BOS}{USER}简短回答。\n\n天空是什么颜色？{END}{MODEL}", f"蓝色。{END}"),
    ("zh", "s2"): (f"{BOS}{USER}一加一？{END}{MODEL}", f"二。{END}"),
    ("ko", "k1"): (f"{BOS}{USER}안녕?{END}{MODEL}", f"안녕하세요.{END}"),
    ("ko", "k2"): (f"{BOS}{USER}하나?{END}{MODEL}", f"둘.{END}"),
}


def _write_sources(folder: Path) -> None:
    (folder / "chat.en.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in CHAT_EN) + "\n\n",
                                          encoding="utf-8")
    (folder / "alpaca.es.json").write_text(json.dumps(ALPACA_ES, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "sharegpt.zh.json").write_text(json.dumps(SHAREGPT_ZH, ensure_ascii=False), encoding="utf-8")
    (folder / "wrapped.ko.json").write_text(json.dumps(WRAPPED_KO, ensure_ascii=False), encoding="utf-8")


def _recipe(folder: Path, sources: str, mix: str, size: int, seed: int) -> Path:
    path = folder / "recipe.yaml"
    path.write_text(f"""name: src
base_model: builtin:tiny
data: {{sources: {sources}, mix: {mix}, size: {size}, seed: {seed}}}
train: {{method: lora, max_steps: 1}}
eval: {{tasks: [babel_qa_en], limit: 1}}
""", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tiny_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sources")
    _write_sources(folder)
    # a seed of this module's own, so the data key is new in this BABELBENCH_HOME
    recipe = _recipe(folder, "[{path: chat.en.jsonl, language: en}, {path: alpaca.es.json, language: es}, "
                             "{path: sharegpt.zh.json, language: zh}, {path: wrapped.ko.json, language: ko}]",
                     "{en: 0.25, es: 0.25, zh: 0.25, ko: 0.25}", 8, uuid.uuid4().int % 10**6)
    store = folder / "r.duckdb"
    code, out = harness("run", recipe, "--store", store, "--only", "data")
    assert code == 0, out
    [(key, status, output)] = query(store, "SELECT key, status, output FROM stage_runs WHERE kind = 'data'")
    assert status == "done"
    return store, key, Path(output)


def test_the_training_set_holds_every_row_in_the_chat_format(built):
    _, key, output = built
    assert output == paths.artifacts_dir("data") / key
    rows = [json.loads(line) for line in (output / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    got = {(r["language"], r["id"]): (r["prompt"], r["response"]) for r in rows}
    assert len(rows) == len(got) == 8          # each row once: the mix asks for 2 of each language's 2
    assert got == EXPECTED
    by_id = {(r["language"], r["id"]): r["messages"] for r in rows}
    assert by_id[("en", "c2")] == CHAT_EN[1]["messages"]
    assert by_id[("zh", "s1")] == [{"role": "system", "content": "简短回答。"}, {"role": "user", "content": "天空是什么颜色？"},
                                   {"role": "assistant", "content": "蓝色。"}]
    assert by_id[("ko", "k2")] == [{"role": "user", "content": "하나?"}, {"role": "assistant", "content": "둘."}]
    assert by_id[("es", "0")] == [{"role": "user", "content": "Traduce al inglés.\n\ngato"},
                                  {"role": "assistant", "content": "cat"}]


def test_data_stats_count_examples_and_tokens_per_language(built, tiny_model):
    from transformers import AutoTokenizer

    store, key, _ = built
    tok = AutoTokenizer.from_pretrained(tiny_model)

    def count(text):
        return len(tok(text, add_special_tokens=False)["input_ids"])

    expected = {}
    for (lang, _), (prompt, response) in EXPECTED.items():
        n, u, p, r = expected.get(lang, (0, 0, 0, 0))
        expected[lang] = (n + 1, u + 1, p + count(prompt), r + count(response))
    stats = query(store, """SELECT language, examples, unique_examples, prompt_tokens, response_tokens
                            FROM data_stats WHERE data_key = ? ORDER BY language""", [key])
    assert {lang: tuple(v) for lang, *v in stats} == expected
    assert all(p > 0 and r > 0 for _, _, _, p, r in stats)


def _validate(recipe: Path):
    return CliRunner().invoke(app, ["validate", str(recipe)], catch_exceptions=True)


def _one_source(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return _recipe(tmp_path, f"[{{path: {name}, language: en}}]", "{en: 1.0}", 2, 1)


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("human_last.json", json.dumps([{"conversations": [{"from": "human", "value": "a"}]}]),
     "human_last.json: row 1: messages: no assistant turn to train on (the last turn must be the assistant's response)"),
    ("unknown_role.jsonl", json.dumps({"conversations": [{"from": "narrator", "value": "a"}]}) + "\n",
     "unknown_role.jsonl:1: roles: turn 1: role 'narrator' at 'from'; map it with `roles`"),
    ("no_form.jsonl", json.dumps({"prompt": "a", "completion": "b"}) + "\n",
     "no_form.jsonl:1: format: no known format fits a row with keys completion, prompt"),
    ("broken.jsonl", '{"instruction": "a", "output": "b"}\n{"messages": [\n', "broken.jsonl:2: not valid JSON"),
    ("empty_turns.jsonl", '{"messages": []}\n', "empty_turns.jsonl:1: messages: expected a non-empty list of turns "
                                                   "at 'messages', got an empty list"),
])
def test_an_unreadable_row_is_a_config_error_naming_it(tmp_path, name, text, problem):
    result = _validate(_one_source(tmp_path, name, text))
    assert result.exit_code == 2, result.output
    assert f"error: {tmp_path}/{problem}" in result.output.replace("\n", " ")


@pytest.mark.parametrize(("name", "text"), [("truncated.json", '[{"instruction": "a", "output": "b"},'),
                                            ("scalar.json", '"just a string"')])
def test_an_unreadable_json_file_is_a_config_error_naming_it(tmp_path, name, text):
    result = _validate(_one_source(tmp_path, name, text))
    assert not isinstance(result.exception, Exception), repr(result.exception)   # SystemExit is no Exception
    assert result.exit_code == 2
    assert f"error: {tmp_path / name}" in result.output
