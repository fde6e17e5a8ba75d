"""Every xquad_gen / mlqa_gen task -- 12 XQuAD languages, 7 MLQA languages, 42 MLQA cross-language
pairs -- through lm-eval from the shipped samples: on builtin:tiny (they load and are scored in every
language), and with scripted answers whose official and lenient scores are worked out by hand."""

from __future__ import annotations

import json
from itertools import permutations
from pathlib import Path

import pytest

from babelbench.evaluate import metrics, official_qa
from babelbench.evaluate.extractive_qa import PROMPTS
from tests.conftest import ROOT
from tests.integration._harness import harness, query
from tests.support import scripted_model

XQUAD = ("ar", "de", "el", "en", "es", "hi", "ro", "ru", "th", "tr", "vi", "zh")
MLQA = ("ar", "de", "en", "es", "hi", "vi", "zh")
PAIRS = list(permutations(MLQA, 2))   # (context, question)
TASKS = ([f"xquad_gen_{lang}" for lang in XQUAD] + [f"mlqa_gen_{lang}" for lang in MLQA]
         + [f"mlqa_gen_{c}_{q}" for c, q in PAIRS])
SCORER = {"xquad_gen": "squad_v1.1", "mlqa_gen": "mlqa_v1"}


def _sample(family: str, lang: str) -> list[dict]:
    path = ROOT / "tasks" / family / "data" / f"{family}.{lang}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _languages(task: str) -> tuple[str, str, str]:
    """(family, context language, question language) of a task name."""
    family, _, rest = task.partition("_gen_")
    context, _, question = rest.partition("_")
    return f"{family}_gen", context, question or context


def _recipe(folder: Path, text: str) -> Path:
    (folder / "recipe.yaml").write_text(text, encoding="utf-8")
    return folder / "recipe.yaml"


def test_every_language_and_pair_loads_and_is_scored_on_the_tiny_model(tiny_model, tmp_path):
    recipe = _recipe(tmp_path, "name: qa-tiny\nbase_model: builtin:tiny\ntrain: {method: none}\n"
                               "eval: {tasks: [xquad_gen, mlqa_gen, mlqa_gen_xlt], limit: 2, gen_kwargs: {max_gen_toks: 3}}\n")
    store = tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    rows = query(store, "SELECT task, doc_id, prompt, kept_response, doc, sample_metrics FROM samples ORDER BY task, doc_id")
    by_task: dict[str, list] = {}
    for task, doc_id, prompt, kept, doc, sample_metrics in rows:
        by_task.setdefault(task, []).append((doc_id, prompt, kept, json.loads(doc), json.loads(sample_metrics)))
    assert sorted(by_task) == sorted(TASKS)
    for task, samples in by_task.items():
        family, context, question = _languages(task)
        contexts, questions = _sample(family, context), _sample(family, question)
        assert [s[0] for s in samples] == [0, 1], task
        for doc_id, prompt, kept, doc, stored in samples:
            # context and answers from the context language's file, question from the question language's
            assert (doc["id"], doc["context"], doc["answers"], doc["language"]) == (
                contexts[doc_id]["id"], contexts[doc_id]["context"], contexts[doc_id]["answers"], context), task
            assert doc["question"] == questions[doc_id]["question"], task
            instruction, context_label, question_label, sep = PROMPTS[question]
            assert instruction in prompt and f"{context_label}{sep}{doc['context']}" in prompt, task
            assert f"{question_label}{sep}{doc['question']}" in prompt, task
            scorer = official_qa.SCORERS[SCORER[family]]
            answer = kept.strip()
            assert stored["exact_match"] == scorer.exact_match(answer, doc["answers"], context), task
            assert stored["f1"] == pytest.approx(scorer.f1(answer, doc["answers"], context)), task
            assert stored["f1_lenient"] == pytest.approx(metrics.token_f1(answer, doc["answers"], context)), task
            assert stored["contains"] == metrics.contains(answer, doc["answers"], context), task
    # the pairs' documents are in the context's language, in the question language's family
    families = dict(query(store, "SELECT DISTINCT task, language FROM metrics WHERE task LIKE 'mlqa_gen_%_%'"
                                 " AND NOT is_group AND language IS NOT NULL"))
    assert families["mlqa_gen_ar_de"] == "ar" and families["mlqa_gen_zh_en"] == "zh"
    macros = {t: n for t, n in query(store, "SELECT task, n FROM metrics WHERE metric = 'f1' AND filter = 'none'"
                                            " AND task LIKE '% (macro)'")}
    assert macros["xquad_gen (macro)"] == 24 and macros["mlqa_gen (macro)"] == 14       # 12 x 2, 7 x 2
    assert all(macros[f"mlqa_gen_question_{q} (macro)"] == 12 for q in MLQA)            # 6 contexts x 2


# Scripted answers: document 0 of every task is answered with its first gold answer (EM 1, F1 1 by both
# scripts and the lenient metrics); documents 2-4 are not answered (""); document 1 as below, else "".
DOC1 = {
    # gold 华沙. SQuAD: one whitespace token [在华沙] vs [华沙]: EM 0, F1 0; lenient: [在 华 沙] vs [华 沙]: 0.8
    "xquad_gen_zh": "在华沙",
    # golds Warschau. SQuAD: [in warschau] vs [warschau]: P 1/2, R 1: F1 2/3
    "xquad_gen_de": "in Warschau",
    # gold وارسو. SQuAD keeps the Arabic comma: EM 0, F1 0
    "xquad_gen_ar": "وارسو،",
    # gold 帝企鹅. MLQA mixed segmentation: [是 帝 企 鹅] vs [帝 企 鹅]: P 3/4, R 1: F1 = (3/2)/(7/4) = 6/7
    "mlqa_gen_zh": "是帝企鹅",
    # gold البطريق الإمبراطور. MLQA drops the Arabic comma (and every "ال"): EM 1, F1 1
    "mlqa_gen_ar": "البطريق الإمبراطور،",
    # gold एम्परर पेंगुइन. MLQA drops the danda: EM 1
    "mlqa_gen_hi": "एम्परर पेंगुइन।",
    # context en, question de: golds are English spans: EM 1
    "mlqa_gen_en_de": "The emperor penguin",
    # context de, question en: gold "Der Kaiserpinguin"; MLQA drops German "der" on both sides: EM 1
    "mlqa_gen_de_en": "der Kaiserpinguin",
}
# (task) -> (exact_match, f1) over the 5 documents, on top of document 0's 1 / 1
SCRIPTED = {
    "xquad_gen_zh": (1 / 5, 1 / 5),              # doc 1: 0, 0
    "xquad_gen_de": (1 / 5, (1 + 2 / 3) / 5),    # = 1/3
    "xquad_gen_ar": (1 / 5, 1 / 5),
    "mlqa_gen_zh": (1 / 5, (1 + 6 / 7) / 5),     # = 13/35
    "mlqa_gen_ar": (2 / 5, 2 / 5),
    "mlqa_gen_hi": (2 / 5, 2 / 5),
    "mlqa_gen_en_de": (2 / 5, 2 / 5),
    "mlqa_gen_de_en": (2 / 5, 2 / 5),
}


def test_scripted_answers_score_as_worked_out_by_hand_in_every_task(tiny_model, tmp_path, monkeypatch):
    answers = {(task, 0): _sample(_languages(task)[0], _languages(task)[1])[0]["answers"][0] for task in TASKS}
    answers.update({(task, 1): text for task, text in DOC1.items()})
    monkeypatch.setenv(scripted_model.SCRIPT_ENV, str(scripted_model.write_script(tmp_path / "script.json", answers)))
    recipe = _recipe(tmp_path, "name: qa-scripted\nbase_model: builtin:tiny\ntrain: {method: none}\n"
                               "eval: {backend: scripted, tasks: [xquad_gen, mlqa_gen, mlqa_gen_xlt]}\n")
    store = tmp_path / "r.duckdb"
    code, out = harness("run", recipe, "--store", store)
    assert code == 0, out
    stored = {(t, m): (v, n) for t, m, v, n in query(store, "SELECT task, metric, value, n FROM metrics WHERE filter = 'none'")}
    for task in TASKS:
        em, f1 = SCRIPTED.get(task, (1 / 5, 1 / 5))     # unlisted: doc 0 right, the rest empty
        assert stored[(task, "exact_match")] == (pytest.approx(em), 5), task
        assert stored[(task, "f1")] == (pytest.approx(f1), 5), task
    # lenient metrics where they part from the official ones
    assert stored[("xquad_gen_zh", "f1_lenient")][0] == pytest.approx((1 + 0.8) / 5)
    assert stored[("xquad_gen_zh", "contains")][0] == pytest.approx(2 / 5)           # 华沙 is in 在华沙
    assert stored[("xquad_gen_ar", "exact_match_lenient")][0] == pytest.approx(2 / 5)  # the comma is punctuation
    # family macros: the mean of the languages' F1
    assert stored[("xquad_gen (macro)", "f1")] == (pytest.approx((11 * 0.2 + 1 / 3) / 12), 60)          # = 19/90
    assert stored[("mlqa_gen (macro)", "f1")] == (pytest.approx((0.4 + 0.2 + 0.2 + 0.2 + 0.4 + 0.2 + 13 / 35) / 7), 35)
    # German questions over the six other contexts: en 0.4, ar/es/hi/vi/zh 0.2 each -> 1.4 / 6
    assert stored[("mlqa_gen_question_de (macro)", "f1")] == (pytest.approx(1.4 / 6), 30)
    # ... and its transfer gap: each context's F1 minus the English context's (0.2 - 0.4)
    gaps = dict(query(store, "SELECT task, value FROM metrics WHERE metric = 'transfer_gap:f1' AND task LIKE 'mlqa_gen_%_de'"))
    assert gaps == {f"mlqa_gen_{c}_de": pytest.approx(-0.2) for c in ("ar", "es", "hi", "vi", "zh")}
