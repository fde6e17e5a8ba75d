"""Language-gated scores (``<metric>:gated``) read from a real store, against hand-computed values."""

from __future__ import annotations

import math

import pytest

from babelbench.core.records import EvalRows, MetricRecord, SampleRecord
from babelbench.store import Store
from babelbench.store.board import language_scores, leaderboard
from babelbench.store.queries import gated_rows, report_rows
from tests.support.stored_eval import add_evaluated_variant

# (doc, f1, language_fidelity): per language; NaN fidelity = an answer without letters (not wrong)
DOCS = {
    "en": [(0, 1.0, 1.0), (1, 0.5, 1.0), (2, 0.8, 0.0), (3, 0.0, 1.0)],
    "zh": [(0, 1.0, 0.0), (1, 0.6, math.nan), (2, 0.4, 1.0)],
}
# by hand: en (1 + 0.5 + 0 + 0) / 4 = 0.375 (ungated 0.575); zh (0 + 0.6 + 0.4) / 3 = 1/3 (ungated 2/3)


def _rows() -> EvalRows:
    metrics, samples = [], []
    for lang, docs in DOCS.items():
        task = f"xquad_gen_{lang}"
        f1 = sum(d[1] for d in docs) / len(docs)
        fidelity = [d[2] for d in docs if not math.isnan(d[2])]
        metrics += [MetricRecord(task=task, task_version="1", language=lang, metric="f1", filter="none", value=f1,
                                 n=len(docs), scored=True, is_primary=True, family="xquad_gen"),
                    MetricRecord(task=task, task_version="1", language=lang, metric="language_fidelity",
                                 filter="none", value=sum(fidelity) / len(fidelity), n=len(docs), scored=True,
                                 family="xquad_gen")]
        samples += [SampleRecord(task=task, doc_id=doc, language=lang, prompt="p", raw_response="r", kept_response="r",
                                 kept_filter="none", pivot_status=None, target="x", doc={}, doc_hash=f"h{doc}",
                                 prompt_hash="p", target_hash="t",
                                 sample_metrics={"f1": value, "language_fidelity": fid, "exact_match": 0.0})
                    for doc, value, fid in docs]
    # the family's macro, as the eval stage stores it
    macro = sum(sum(d[1] for d in docs) / len(docs) for docs in DOCS.values()) / 2
    metrics.append(MetricRecord(task="xquad_gen (macro)", language=None, metric="f1", filter="none", value=macro,
                                n=7, is_group=True, scored=True))
    return EvalRows(metrics, samples)


@pytest.fixture()
def store(tmp_path):
    store = Store(tmp_path / "r.duckdb")
    with store.write() as con:
        add_evaluated_variant(con, "v1", "demo@x", "e1", _rows())
    return store


def test_gated_scores_count_wrong_language_answers_as_zero(store):
    with store.read() as con:
        rows = {(r["task"], r["metric"]): r for r in gated_rows(con)}
    assert set(rows) == {("xquad_gen_en", "f1:gated"), ("xquad_gen_zh", "f1:gated"), ("xquad_gen (macro)", "f1:gated")}
    en, zh, macro = rows[("xquad_gen_en", "f1:gated")], rows[("xquad_gen_zh", "f1:gated")], rows[("xquad_gen (macro)",
                                                                                                   "f1:gated")]
    assert en["value"] == pytest.approx(0.375) and en["n"] == 4 and en["wrong_language"] == 1
    assert zh["value"] == pytest.approx(1 / 3) and zh["n"] == 3 and zh["wrong_language"] == 1
    assert macro["value"] == pytest.approx((0.375 + 1 / 3) / 2) and macro["language"] is None and macro["n"] == 7
    assert macro["wrong_language"] == 2


def test_gated_scores_are_in_the_report_the_board_and_the_languages_page(store):
    with store.read() as con:
        report = {(r["task"], r["metric"]): r["value"] for r in report_rows(con)}
        board = leaderboard(con)
        languages = {(r["language"], r["metric"]): r["value"] for r in language_scores(con, ["v1"])}
        without_groups = {(r["task"], r["metric"]) for r in report_rows(con, include_groups=False)}
    assert report[("xquad_gen_en", "f1:gated")] == pytest.approx(0.375)
    assert report[("xquad_gen_en", "f1")] == pytest.approx(0.575)       # the ungated score stays as it is
    assert ("xquad_gen (macro)", "f1:gated") not in without_groups
    [variant] = board
    assert variant["scores"]["xquad_gen · f1:gated"]["value"] == pytest.approx((0.375 + 1 / 3) / 2)
    assert variant["scores"]["xquad_gen · f1"]["value"] == pytest.approx((0.575 + 2 / 3) / 2)
    assert languages[("zh", "f1:gated")] == pytest.approx(1 / 3)
