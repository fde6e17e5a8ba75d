"""Translation-task data (CoIT) through the real stack on builtin:tiny: a data section with translation
pairs only trains; data_stats stores what the built set holds per language; the flores_gen tasks of
several pairs (English and not) load and score through lm-eval; and a training row built from a test
sentence with the first template renders to exactly the prompt lm-eval gives the model for it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration._harness import harness, query

FLORES = ROOT / "tasks" / "flores_gen" / "data"

RECIPE = """\
name: coit-tiny
base_model: builtin:tiny
data:
  seed: 1
  translation:
    sources: [{path: flores.jsonl}]
    size: {zh: 3, ar: 2}
    direction: to_target
train:
  method: lora
  lora: {r: 4, alpha: 8, dropout: 0.0}
  lr: 1.0e-3
  max_steps: 2
  batch_size: 2
  max_length: 128
eval:
  tasks: [flores_gen_en_zh, flores_gen_en_ar, flores_gen_el_ja, flores_gen_ar_en]
  limit: 10
  gen_kwargs: {max_gen_toks: 6}
"""


def _sentences(lang: str) -> dict[str, str]:
    lines = (FLORES / f"flores_gen.{lang}.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["id"]: row["text"] for row in map(json.loads, lines)}


@pytest.fixture(scope="module")
def run(tiny_model, spbleu_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("coit")
    en, zh, ar = _sentences("en"), _sentences("zh"), _sentences("ar")
    (folder / "flores.jsonl").write_text("".join(
        json.dumps({"id": i, "en": en[i], "zh": zh[i], "ar": ar[i]}, ensure_ascii=False) + "\n" for i in en),
        encoding="utf-8")
    (folder / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    store = folder / "results.duckdb"
    code, out = harness("run", folder / "recipe.yaml", "--store", store)
    assert code == 0, out
    [(data_key,)] = query(store, "SELECT key FROM variant_stages WHERE kind = 'data'")
    path = Path(os.environ["BABELBENCH_HOME"]) / "artifacts" / "data" / data_key / "train.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return store, data_key, rows


def test_translation_only_data_trains_and_its_counts_are_stored(run):
    store, data_key, rows = run
    stats = query(store, "SELECT language, examples, unique_examples, translation_examples FROM data_stats WHERE data_key = ? "
                         "ORDER BY language", [data_key])
    assert stats == [("ar", 2, 2, 2), ("zh", 3, 3, 3)]
    assert sorted((r["language"], r["kind"]) for r in rows) == [("ar", "translation")] * 2 + [("zh", "translation")] * 3
    [(info,)] = query(store, "SELECT info FROM stage_runs WHERE kind = 'train' AND status = 'done'")
    assert json.loads(info)["global_step"] == 2 and json.loads(info)["examples"] == 5


def test_the_first_template_trains_on_the_very_prompt_the_task_asks(run):
    store, _, rows = run
    first = [r for r in rows if r["messages"][0]["content"].startswith("Translate the following sentences")]
    assert {r["language"] for r in first} == {"zh", "ar"}   # item 0 of each language has template 0
    for row in first:
        sentence_id = row["id"].rsplit(":", 1)[1]
        [(prompt, doc)] = query(store, "SELECT prompt, doc FROM samples WHERE task = ? AND json_extract_string(doc, "
                                       "'$.id') = ?", [f"flores_gen_en_{row['language']}", sentence_id])
        assert json.loads(doc)["target"] == row["messages"][1]["content"]
        assert prompt == row["prompt"]


def test_flores_gen_pairs_with_and_without_english_are_scored(run):
    from babelbench.evaluate import metrics

    store, _, _ = run
    for task, source, target in [("flores_gen_el_ja", "el", "ja"), ("flores_gen_ar_en", "ar", "en"),
                                 ("flores_gen_en_ar", "en", "ar")]:
        samples = query(store, "SELECT kept_response, doc FROM samples WHERE task = ? ORDER BY doc_id", [task])
        docs = [json.loads(doc) for _, doc in samples]
        assert len(docs) == 10
        assert {(d["source_language"], d["language"]) for d in docs} == {(source, target)}
        expected_source, expected_target = _sentences(source), _sentences(target)
        assert all(d["source"] == expected_source[d["id"]] and d["target"] == expected_target[d["id"]] for d in docs)
        [(chrf, family)] = query(store, "SELECT value, family FROM metrics WHERE task = ? AND metric = 'chrf' AND "
                                        "filter = 'none'", [task])
        pairs = [(d["target"], kept.strip()) for (kept, _), d in zip(samples, docs)]
        assert chrf == pytest.approx(metrics.chrf(pairs)[0])
        assert family == {"flores_gen_el_ja": "flores_gen_el_xx", "flores_gen_ar_en": "flores_gen_xx_en",
                          "flores_gen_en_ar": "flores_gen_en_xx"}[task]
