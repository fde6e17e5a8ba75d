"""Judge biases read from a real store: pairwise verdicts of two scripted judges written through the
store's writes (a gemma judge that always prefers the gemma variant's answer, a llama judge that always
picks the answer shown first), read back by the bias query and turned into figures."""

from __future__ import annotations

import json

import pytest

from babelbench.core.records import EvalRows, JudgmentLink, JudgmentRecord, SampleRecord
from babelbench.services.judge_bias import judge_biases
from babelbench.store import Store, writes
from babelbench.store.bias_queries import pairwise_verdicts

LANGUAGES = ("en", "zh")
DOCS = 24


def _variant(con, variant_id: str, name: str, base_model: str, eval_key: str, answers: dict) -> None:
    writes.register_variant(con, {"variant_id": variant_id, "name": name, "recipe_hash": "h", "recipe_file": "r.yaml",
                                  "base_model": base_model, "method": "none", "pivot_mode": "none",
                                  "pivot_language": "en", "data_mix": None, "data_size": None, "config": {},
                                  "choices": {}})
    writes.link_stage(con, variant_id, "eval", eval_key)
    writes.start_run(con, f"run-{variant_id}", "eval", eval_key, variant_id, {}, None)
    writes.finish_run(con, f"run-{variant_id}", "done", 1.0)
    samples = [SampleRecord(task=f"xalpaca_{lang}", doc_id=doc, language=lang, prompt="p", raw_response=text,
                            kept_response=text, kept_filter="none", pivot_status=None, target=None, doc={},
                            doc_hash=f"h{doc}", prompt_hash="p", target_hash=None,
                            sample_metrics={"language_fidelity": fidelity})
               for (lang, doc), (text, fidelity) in answers.items()]
    writes.write_eval(con, eval_key, EvalRows([], samples))


def _judge(con, judge: str, model: str, choose) -> None:
    """Register ``judge`` on the variant against the baseline and store its verdicts: ``choose(doc, order)``."""
    judge_hash = f"hash-{judge}"
    writes.register_variant_judge(con, {"variant_id": "v", "judge": judge, "judge_hash": judge_hash,
                                        "kind": "pairwise", "baseline_variant": "b", "baseline_eval": "eb",
                                        "config": {"config": {}}})
    records, links = [], []
    for lang in LANGUAGES:
        for doc in range(DOCS):
            for order in ("ab", "ba"):
                key = f"{judge}-{lang}-{doc}-{order}"
                records.append(JudgmentRecord(key, judge, judge_hash, "pairwise", "ok", verdict=choose(doc, order),
                                              model=model))
                links.append(JudgmentLink("ev", f"xalpaca_{lang}", doc, judge_hash, f"eb:{order}", key, "judged"))
    writes.write_judgments(con, records, links)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("bias") / "r.duckdb")
    # the variant's answer is longer on even documents; the baseline's answer to Chinese document 0 is in English
    variant = {(lang, d): ("x" * (50 + (30 if d % 2 == 0 else -30)), 1.0) for lang in LANGUAGES for d in range(DOCS)}
    baseline = {(lang, d): ("y" * 50, 0.0 if (d == 0 and lang == "zh") else 1.0) for lang in LANGUAGES
                for d in range(DOCS)}
    with store.write() as con:
        _variant(con, "v", "demo@multi", "builtin:gemma-3-270m", "ev", variant)
        _variant(con, "b", "demo@en", "Qwen/Qwen2.5-0.5B", "eb", baseline)
        _judge(con, "gemma-judge", "google/gemma-3-27b-it", lambda doc, order: "A" if order == "ab" else "B")
        _judge(con, "llama-judge", "meta-llama/Llama-3.1-8B", lambda doc, order: "A")
    return store


def test_the_query_puts_both_orders_of_a_pair_side_by_side(store):
    with store.read() as con:
        rows = pairwise_verdicts(con)
    assert len(rows) == 2 * len(LANGUAGES) * DOCS
    first = next(r for r in rows if r["judge"] == "llama-judge" and r["task"] == "xalpaca_zh" and r["doc_id"] == 0)
    assert (first["ab"], first["ba"], first["judge_model"]) == ("A", "A", "meta-llama/Llama-3.1-8B")
    assert (first["length"], first["baseline_length"], first["fidelity"], first["baseline_fidelity"]) == (80, 50, 1.0, 0.0)
    assert (first["variant_model"], first["baseline_model"]) == ("builtin:gemma-3-270m", "Qwen/Qwen2.5-0.5B")


def test_each_judge_is_flagged_for_its_own_bias_only(store):
    with store.read() as con:
        figures = {(r["judge"], r["language"], r["figure"]): r for r in judge_biases(con)}
    flagged = {(judge, figure) for (judge, language, figure), r in figures.items() if language is None and r["flagged"]}
    assert flagged == {("llama-judge", "first_position"), ("gemma-judge", "self_preference"),
                       ("llama-judge", "prefers_wrong_language")}   # it picks the first answer, whatever its language
    self_pref = figures[("gemma-judge", None, "self_preference")]
    # by hand: the gemma answer scores 1 from the gemma judge, 0.5 (win + loss = tie) from the llama judge
    assert self_pref["value"] == pytest.approx(0.5) and self_pref["n"] == 2 * DOCS
    assert figures[("llama-judge", None, "order_flip")]["value"] == 1.0
    assert figures[("gemma-judge", None, "order_flip")]["value"] == 0.0
    assert figures[("gemma-judge", None, "prefers_longer")]["value"] == 0.5
    wrong = figures[("gemma-judge", "zh", "prefers_wrong_language")]
    assert wrong["value"] == 0.0 and wrong["n"] == 2          # one pair, both orders pick the gemma (right) answer
    assert figures[("llama-judge", "zh", "prefers_wrong_language")]["value"] == 0.5   # the first shown, either
    assert figures[("gemma-judge", "en", "prefers_wrong_language")]["n"] == 0
    assert figures[("llama-judge", None, "self_preference")]["value"] is None
    json.dumps(list(figures.values()))   # the rows are plain values (the CLI's json output)
