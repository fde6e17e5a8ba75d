"""``eval.data_source: local``: each shipped task family reads its dataset's published files (a real XQuAD
slice in tests/data/xquad; MLQA, FLORES and X-AlpacaEval files written here in their published formats),
the stratified sample, x-LLM's QA match, and the SQuAD v1.1 scores of real XQuAD items against an
independent implementation of ``evaluate-v1.1.py``."""

from __future__ import annotations

import collections
import importlib.util
import json
import re
import shutil
import string
from pathlib import Path

import pytest

from babelbench.evaluate import local_data
from babelbench.evaluate.metrics import xllm_match
from babelbench.evaluate.sampling import stratified_indices

ROOT = Path(__file__).resolve().parents[3]
TASKS = ROOT / "tasks"
XQUAD_SLICE = ROOT / "tests" / "data" / "xquad"
XQUAD = ("ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh")


def _utils(folder: str):
    spec = importlib.util.spec_from_file_location(f"{folder}_utils_local", TASKS / folder / "utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _squad(*questions: tuple[str, str, str, list[str]]) -> str:
    """A SQuAD v1.1 JSON file of (id, context, question, answers)."""
    paragraphs = [{"context": c, "qas": [{"id": i, "question": q, "answers": [{"text": a, "answer_start": c.find(a)}
                                                                             for a in answers]}]}
                  for i, c, q, answers in questions]
    return json.dumps({"version": "1.0", "data": [{"title": "t", "paragraphs": paragraphs}]}, ensure_ascii=False)


# --- the readers, on the published formats ------------------------------------------------------------

@pytest.mark.parametrize("language", XQUAD)
def test_xquad_local_reads_every_question_of_the_published_file(language):
    published = json.loads((XQUAD_SLICE / f"xquad.{language}.json").read_text(encoding="utf-8"))
    expected = [(qa["id"], p["context"], qa["question"], [a["text"] for a in qa["answers"]])
                for article in published["data"] for p in article["paragraphs"] for qa in p["qas"]]
    test = _utils("xquad_gen").load(language, "local", data_dir=str(XQUAD_SLICE))["test"]
    assert [(r["id"], r["context"], r["question"], r["answers"]) for r in test] == expected
    assert len(test) == 35 and set(test["language"]) == {language}


def test_mlqa_local_reads_the_cross_language_file_in_the_archives_test_folder(tmp_path):
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "test-context-de-question-en.json").write_text(_squad(
        ("q1", "Berlin ist die Hauptstadt.", "What is the capital?", ["Berlin"]),
        ("q2", "Der Rhein fließt nach Norden.", "Which way does the Rhine flow?", ["nach Norden"])), encoding="utf-8")
    (tmp_path / "test" / "test-context-de-question-de.json").write_text(_squad(
        ("q1", "Berlin ist die Hauptstadt.", "Was ist die Hauptstadt?", ["Berlin"])), encoding="utf-8")
    mlqa = _utils("mlqa_gen")
    pair = mlqa.load_pair("de", "en", "local", data_dir=str(tmp_path))["test"]
    assert [(r["id"], r["language"], r["question_language"], r["question"], r["answers"]) for r in pair] == [
        ("q1", "de", "en", "What is the capital?", ["Berlin"]),
        ("q2", "de", "en", "Which way does the Rhine flow?", ["nach Norden"])]
    assert [r["question"] for r in mlqa.load("de", "local", data_dir=str(tmp_path))["test"]] == ["Was ist die Hauptstadt?"]
    with pytest.raises(local_data.LocalDataError, match=r"test-context-de-question-zh\.json: file not found "
                       r"\(data_source local expects MLQA's published"):
        mlqa.load_pair("de", "zh", "local", data_dir=str(tmp_path))


def test_flores_local_reads_flores_plus_parquet_and_flores200_text(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "devtest").mkdir()
    pq.write_table(pa.table({"id": [1, 2], "iso_639_3": ["eng", "eng"], "text": ["Hello.", "Good night."]}),
                   tmp_path / "devtest" / "eng_Latn.parquet")
    (tmp_path / "devtest" / "deu_Latn.devtest").write_text("Hallo.\nGute Nacht.\n", encoding="utf-8")
    test = _utils("flores_gen").load("en", "de", "local", data_dir=str(tmp_path))["test"]
    assert [(r["id"], r["source"], r["target"], r["language"]) for r in test] == [
        ("1", "Hello.", "Hallo.", "de"), ("2", "Good night.", "Gute Nacht.", "de")]
    with pytest.raises(local_data.LocalDataError, match=r"fra_Latn\.parquet: file not found"):
        _utils("flores_gen").load("en", "fr", "local", data_dir=str(tmp_path))


def test_xalpaca_local_reads_the_published_json(tmp_path):
    (tmp_path / "korean.json").write_text(json.dumps([{"instruction": "안녕?", "dataset": "x"}, {"instruction": "왜?"}],
                                                     ensure_ascii=False), encoding="utf-8")
    test = _utils("xalpaca").load_shipped("ko", "local", data_dir=str(tmp_path))["test"]
    assert [(r["id"], r["language"], r["instruction"]) for r in test] == [("xa0000", "ko", "안녕?"), ("xa0001", "ko", "왜?")]
    (tmp_path / "korean.json").write_text('[{"instruction": "a"}, {"prompt": "b"}]', encoding="utf-8")
    with pytest.raises(local_data.LocalDataError, match=r"korean\.json: row 2: an object with an 'instruction'"):
        _utils("xalpaca").load_shipped("ko", "local", data_dir=str(tmp_path))


def test_local_without_a_data_dir_or_with_a_missing_file_says_so():
    xquad = _utils("xquad_gen")
    with pytest.raises(local_data.LocalDataError, match="data_source local needs data_dir"):
        xquad.load("de", "local")
    with pytest.raises(local_data.LocalDataError, match=r"xquad\.de\.json: file not found \(data_source local "
                       r"expects XQuAD's published xquad\.<lang>\.json"):
        xquad.load("de", "local", data_dir=str(ROOT / "tests" / "data"))


# --- the stratified sample ----------------------------------------------------------------------------

def test_a_stratified_sample_takes_n_per_language_the_same_ids_in_every_language_whatever_the_order():
    docs = [{"id": f"q{i}", "language": lang} for lang in ("de", "th") for i in range(40)]
    chosen = stratified_indices(docs, 5, seed=0)
    by_language = collections.defaultdict(list)
    for i in chosen:
        by_language[docs[i]["language"]].append(docs[i]["id"])
    assert {k: len(v) for k, v in by_language.items()} == {"de": 5, "th": 5}
    assert by_language["de"] == by_language["th"]                      # a parallel dataset: the same questions
    shuffled = list(reversed(docs))
    assert sorted(shuffled[i]["id"] for i in stratified_indices(shuffled, 5, seed=0) if shuffled[i]["language"] == "de") \
        == sorted(by_language["de"])                                   # the file's order does not matter
    assert stratified_indices(docs, 5, seed=0) == chosen                # seeded: the same every time
    assert stratified_indices(docs, 5, seed=1) != chosen
    assert stratified_indices(docs[:3], 5, seed=0) == [0, 1, 2]         # a smaller language: all of it


# --- x-LLM's match ------------------------------------------------------------------------------------

@pytest.mark.parametrize("response, golds, expected", [
    ("The answer is BERLIN.", ["Berlin"], 1.0),         # lower-cased substring
    ("Berlin", ["the Berlin Wall"], 0.0),                # the gold inside the answer, not the other way
    ("Paris", ["Berlin", "Paris"], 0.0),                 # only the first gold (x-LLM's data keeps answers[0])
    ("Der Rhein", [" rhein "], 1.0),                     # the gold stripped, as its data builder writes it
    ("Atlantic-Ocean", ["Atlantic Ocean"], 0.0),         # no other normalisation
    ("北京是首都", ["北京"], 1.0),
])
def test_xllm_match_is_the_first_gold_lower_cased_in_the_lower_cased_answer(response, golds, expected):
    assert xllm_match(response, golds) == expected


# --- SQuAD v1.1's evaluate-v1.1.py, written here from its published logic -------------------------------

def _normalize_answer(s: str) -> str:
    """Lower text and remove punctuation, articles and extra whitespace (evaluate-v1.1.py)."""
    def remove_articles(text: str) -> str:
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text: str) -> str:
        return " ".join(text.split())

    def remove_punc(text: str) -> str:
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def _f1_score(prediction: str, ground_truth: str) -> float:
    prediction_tokens = _normalize_answer(prediction).split()
    ground_truth_tokens = _normalize_answer(ground_truth).split()
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def _exact_match_score(prediction: str, ground_truth: str) -> bool:
    return _normalize_answer(prediction) == _normalize_answer(ground_truth)


def _metric_max_over_ground_truths(metric_fn, prediction: str, ground_truths: list[str]):
    return max(metric_fn(prediction, gt) for gt in ground_truths)


def _evaluate(dataset: list[dict], predictions: dict[str, str]) -> dict[str, float]:
    f1 = exact_match = total = 0
    for article in dataset:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                total += 1
                ground_truths = [x["text"] for x in qa["answers"]]
                prediction = predictions[qa["id"]]
                exact_match += _metric_max_over_ground_truths(_exact_match_score, prediction, ground_truths)
                f1 += _metric_max_over_ground_truths(_f1_score, prediction, ground_truths)
    return {"exact_match": 100.0 * exact_match / total, "f1": 100.0 * f1 / total}


def _predictions(rows: list[dict]) -> dict[str, str]:
    """Answers of every kind a model gives: the gold, the gold dressed up, part of it, the gold inside a
    sentence of the context, a wrong span, an empty answer -- cycled over the questions."""
    out = {}
    for n, row in enumerate(rows):
        gold, context = row["answers"][0], row["context"]
        kinds = [gold, f"The {gold.upper()}.", gold.split()[0] if gold.split() else gold, f"«{gold}»",
                 context[max(0, context.find(gold) - 20): context.find(gold) + len(gold) + 20], context[:15], ""]
        out[row["id"]] = kinds[n % len(kinds)]
    return out


@pytest.mark.parametrize("language", XQUAD)
def test_xquad_gen_scores_real_items_exactly_as_squad_evaluate_v1_1(language):
    published = json.loads((XQUAD_SLICE / f"xquad.{language}.json").read_text(encoding="utf-8"))
    xquad = _utils("xquad_gen")
    rows = list(xquad.load(language, "local", data_dir=str(XQUAD_SLICE))["test"])
    predictions = _predictions(rows)
    task = [xquad.process_results(row, [predictions[row["id"]]]) for row in rows]
    reference = {row["id"]: (float(_metric_max_over_ground_truths(_exact_match_score, predictions[row["id"]], row["answers"])),
                             float(_metric_max_over_ground_truths(_f1_score, predictions[row["id"]], row["answers"])))
                 for row in rows}
    assert [(s["exact_match"], s["f1"]) for s in task] == [reference[row["id"]] for row in rows]   # exactly, item by item
    official = _evaluate(published["data"], predictions)
    assert 100.0 * sum(s["exact_match"] for s in task) / len(task) == official["exact_match"]
    assert 100.0 * sum(s["f1"] for s in task) / len(task) == pytest.approx(official["f1"], abs=1e-12)
    assert 0 < official["exact_match"] < 100 and 0 < official["f1"] < 100          # the cases differ


# --- the eval key ---------------------------------------------------------------------------------------

def test_the_eval_key_holds_the_files_contents_not_their_folder(tmp_path, monkeypatch):
    from babelbench.pipeline.keys import plan_variant
    from babelbench.recipe.loader import load_recipe

    monkeypatch.setenv("BABELBENCH_HOME", str(tmp_path / "home"))
    for name in ("a", "b"):
        shutil.copytree(XQUAD_SLICE, tmp_path / name)
    recipe = tmp_path / "r.yaml"

    def key(data_dir: str, tasks: str = "[xquad_gen_de, xquad_gen_th]") -> str:
        recipe.write_text(f"name: k\nbase_model: builtin:tiny\ntrain: {{method: none}}\neval:\n  tasks: {tasks}\n"
                          f"  data_source: local\n  data_dir: {data_dir}\n", encoding="utf-8")
        [variant] = load_recipe(str(recipe))
        return plan_variant(variant, [TASKS]).eval_key

    first = key("a")
    assert key(str(tmp_path / "b")) == first                  # another copy of the same files: the same key
    data = json.loads((tmp_path / "b" / "xquad.th.json").read_text(encoding="utf-8"))
    data["data"][0]["paragraphs"][0]["qas"][0]["answers"][0]["text"] += " "
    (tmp_path / "b" / "xquad.th.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert key("b") != first                                  # one answer changed in one language
    assert key("a", "[xquad_gen_de]") != first
