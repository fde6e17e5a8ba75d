"""Every task family on builtin:tiny through lm-eval, offline: stored metrics equal the metric
functions applied to the stored answers; intervals, prompt files, aggregates and transfer gaps."""

from __future__ import annotations

import json
import math
import textwrap

import pytest

from babelbench.evaluate import metrics, official_qa
from tests.integration._harness import harness, query

TASKS = ["xalpaca_zh", "babel_qa_es", "xquad_gen_zh", "xquad_gen_en", "mlqa_gen_de", "flores_gen_en_zh", "flores_gen_ko_en"]

RECIPE = """
    name: suite
    base_model: builtin:tiny
    train: {method: none}
    eval:
      tasks: %s
      limit: 3
      gen_kwargs: {max_gen_toks: 8}
      prompt_files:
        - {path: mine.jsonl, language: es, name: mine}
""" % json.dumps(TASKS)

PROMPTS = [
    {"instruction": "Nombra tres colores."},
    [{"role": "user", "content": "¿Qué hora es en Madrid?"}],
    {"messages": [{"role": "user", "content": "Answer in English: what is a cat?"}], "expected_language": "en"},
]


@pytest.fixture(scope="module")
def suite(tiny_model, spbleu_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("suite")
    (folder / "mine.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PROMPTS) + "\n")
    (folder / "recipe.yaml").write_text(textwrap.dedent(RECIPE).lstrip())
    store = folder / "r.duckdb"
    code, out = harness("run", folder / "recipe.yaml", "--store", store)
    assert code == 0, out
    return store


def _samples(store, task):
    return [(kept, json.loads(doc), json.loads(m)) for kept, doc, m in query(
        store, "SELECT kept_response, doc, sample_metrics FROM samples WHERE task = ? ORDER BY doc_id", [task])]


def _metric(store, task, metric, filt="none"):
    return query(store, "SELECT value, ci_low, ci_high, n FROM metrics WHERE task = ? AND metric = ? AND filter = ?",
                 [task, metric, filt])[0]


# extractive QA: exact_match / f1 by the dataset's official script, *_lenient by babelbench's metrics
OFFICIAL = {"xquad_gen_zh": "squad_v1.1", "xquad_gen_en": "squad_v1.1", "mlqa_gen_de": "mlqa_v1"}


def test_every_family_is_scored_by_the_metric_functions(suite):
    for task in ("babel_qa_es", "xquad_gen_zh", "xquad_gen_en", "mlqa_gen_de"):
        rows = _samples(suite, task)
        assert len(rows) == 3
        for kept, doc, stored in rows:
            golds, language = (doc["answers"] if "answers" in doc else [doc["answer"]]), doc["language"]
            assert stored["contains"] == metrics.contains(kept, golds, language)
            if task in OFFICIAL:
                scorer = official_qa.SCORERS[OFFICIAL[task]]
                assert stored["exact_match"] == scorer.exact_match(kept.strip(), golds, language)
                assert stored["f1"] == pytest.approx(scorer.f1(kept.strip(), golds, language))
                assert stored["exact_match_lenient"] == metrics.exact_match(kept, golds, language)
                assert stored["f1_lenient"] == pytest.approx(metrics.token_f1(kept, golds, language))
            else:
                assert stored["exact_match"] == metrics.exact_match(kept, golds, language)
        for name in ("exact_match", "contains", *(("f1", "exact_match_lenient", "f1_lenient") if task in OFFICIAL else ())):
            value, low, high, n = _metric(suite, task, name)
            assert n == 3 and value == pytest.approx(sum(s[name] for *_, s in rows) / 3)
            assert low <= value <= high


def test_translation_corpus_metrics_with_bootstrap_intervals(suite):
    from sacrebleu.metrics import BLEU

    for task in ("flores_gen_en_zh", "flores_gen_ko_en"):
        rows = _samples(suite, task)
        pairs = [(doc["target"], kept.strip()) for kept, doc, _ in rows]  # translations are stripped
        assert [tuple(s["chrf"]) for *_, s in rows] == pairs
        chrf, low, high, n = _metric(suite, task, "chrf")
        assert n == 3 and chrf == pytest.approx(metrics.chrf(pairs)[0]) and low <= chrf <= high
        spbleu, *_ = _metric(suite, task, "spbleu")
        direct = BLEU(tokenize="flores200").corpus_score([p for _, p in pairs], [[r for r, _ in pairs]]).score
        assert spbleu == pytest.approx(direct)
        # the task translates into its target language, and documents say so
        assert {doc["language"] for _, doc, _ in rows} == {task.rsplit("_", 1)[1]}


def test_language_fidelity_uses_the_expected_language(suite):
    from babelbench.langid import detect

    for task in ("xalpaca_zh", "prompts_mine"):
        for kept, doc, stored in _samples(suite, task):
            expected = doc.get("expected_language") or doc["language"]
            found = detect(kept, expected)
            if found.language is None:
                assert math.isnan(stored["language_fidelity"])
            else:
                assert stored["language_fidelity"] == float(found.language == expected)
    docs = [doc for _, doc, _ in _samples(suite, "prompts_mine")]
    assert [d["instruction"] for d in docs] == ["Nombra tres colores.", "¿Qué hora es en Madrid?",
                                                "Answer in English: what is a cat?"]
    assert [d["expected_language"] for d in docs] == [None, None, "en"]


def test_report_has_family_macros_language_macros_and_transfer_gaps(suite):
    rows = json.loads(harness("report", "--store", suite, "--format", "json")[1])
    task_value = {(r["task"], r["metric"]): r["value"] for r in rows}
    xq = {lang: task_value[(f"xquad_gen_{lang}", "f1")] for lang in ("en", "zh")}
    assert task_value[("xquad_gen (macro)", "f1")] == pytest.approx((xq["en"] + xq["zh"]) / 2)
    gap = [r for r in rows if r["metric"] == "transfer_gap:f1" and r["task"].startswith("xquad_gen")]
    assert [(r["language"], r["value"]) for r in gap] == [("zh", pytest.approx(xq["zh"] - xq["en"]))]
    # per language across families, on a 0-1 scale: zh = mean(xquad f1, flores en->zh chrF / 100, ...)
    [zh] = [r for r in rows if r["task"] == "all tasks · zh" and r["metric"] == "primary_score"]
    parts = [xq["zh"], task_value[("flores_gen_en_zh", "chrf")] / 100]
    task_n = {(r["task"], r["metric"]): r["n"] for r in rows}
    documents = task_n[("xquad_gen_zh", "f1")] + task_n[("flores_gen_en_zh", "chrf")]
    fidelity = task_value.get(("xalpaca_zh", "language_fidelity"))
    parts += [fidelity] if fidelity is not None else []
    documents += task_n[("xalpaca_zh", "language_fidelity")] if fidelity is not None else 0
    # n: the documents behind the language's score (each family's), as a family macro counts them
    assert zh["n"] == documents and zh["value"] == pytest.approx(sum(parts) / len(parts))
