"""Judge biases read from a real store: pairwise verdicts of two scripted judges written through the
store's writes (tests/support/bias_store.py: a gemma judge that always prefers the gemma variant's answer,
a llama judge that always picks the answer shown first), read back by the bias query and turned into figures."""

from __future__ import annotations

import json

import pytest

from babelbench.services.judge_bias import judge_biases
from babelbench.store.bias_queries import pairwise_verdicts
from tests.support.bias_store import DOCS, LANGUAGES, build_bias_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_bias_store(tmp_path_factory.mktemp("bias") / "r.duckdb")


def test_the_query_puts_both_orders_of_a_pair_side_by_side(store):
    with store.read() as con:
        rows = pairwise_verdicts(con)
    assert len(rows) == 2 * len(LANGUAGES) * DOCS
    first = next(r for r in rows if r["judge"] == "llama-judge" and r["task"] == "xquad_gen_zh" and r["doc_id"] == 0)
    assert (first["ab"], first["ba"], first["judge_model"]) == ("A", "A", "meta-llama/Llama-3.1-8B")
    assert (first["length"], first["baseline_length"], first["fidelity"], first["baseline_fidelity"]) == (80, 50, 1.0, 0.0)
    assert (first["variant_model"], first["baseline_model"]) == ("builtin:gemma-3-270m", "Qwen/Qwen2.5-0.5B")


def test_each_judge_is_flagged_for_its_own_bias_only(store):
    with store.read() as con:
        figures = {(r["judge"], r["language"], r["figure"]): r for r in judge_biases(con)}
    flagged = {(judge, figure) for (judge, language, figure), r in figures.items() if language is None and r["flagged"]}
    assert flagged == {("llama-judge", "first_position"), ("gemma-judge", "self_preference"),
                       ("llama-judge", "prefers_wrong_language"),
                       ("rubric-judge", "wrong_language_gap:accuracy")}   # llama: the first shown; accuracy ignores the language
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


def test_a_rubric_judges_grades_of_wrong_language_answers(store):
    """The rubric judge grades the baseline's one English answer to a Chinese question fluency 0 (2 for the
    rest) and accuracy 1 like every other: fluency penalises the wrong language, accuracy does not."""
    with store.read() as con:
        figures = {(r["judge"], r["language"], r["figure"]): r for r in judge_biases(con) if r["judge"] == "rubric-judge"}
    fluency = figures[("rubric-judge", None, "wrong_language_gap:fluency")]
    assert (fluency["value"], fluency["n"], fluency["flagged"]) == (-2.0, 1, False)
    accuracy = figures[("rubric-judge", "zh", "wrong_language_gap:accuracy")]
    assert (accuracy["value"], accuracy["n"], accuracy["flagged"]) == (0.0, 1, True)
    english = figures[("rubric-judge", "en", "wrong_language_gap:fluency")]
    assert english["n"] == 0 and english["value"] is None and english["note"] == "not measured: no answer in the wrong language"
