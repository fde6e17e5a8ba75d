"""Family macros, per-language macros, transfer gaps and PLUG pivot counts on hand-made rows.

Every expected number below is worked out by hand from the rows in the test (mutation check,
``make mutation``: these tests kill the mutants of :mod:`babelbench.analysis.aggregates`).
"""

from __future__ import annotations

import pytest

from babelbench.analysis.aggregates import aggregate_rows, pivot_rows
from babelbench.analysis.bootstrap import stratified_ci
from babelbench.core.records import MetricRecord, SampleRecord


def primary(task: str, language: str | None, family: str | None, metric: str, value: float | None,
            filter: str = "plug", **kw) -> MetricRecord:
    fields = {"is_primary": True, "scored": True, **kw}
    return MetricRecord(task=task, metric=metric, filter=filter, value=value, language=language, family=family, **fields)


def sample(task: str, doc_id: int, language: str | None, pivot_status: str | None = None, **metrics) -> SampleRecord:
    return SampleRecord(task=task, doc_id=doc_id, language=language, prompt="p", raw_response="r", kept_response="r",
                        kept_filter="none", pivot_status=pivot_status, target="t", doc={}, sample_metrics=metrics)


QA = [primary("qa_en", "en", "qa", "f1", 0.8), primary("qa_zh", "zh", "qa", "f1", 0.5),
      primary("qa_es", "es", "qa", "f1", 0.6)]
MT = [primary("mt_en", "en", "mt", "chrf", 60.0), primary("mt_zh", "zh", "mt", "chrf", 40.0)]


def by_key(rows: list[MetricRecord]) -> dict[tuple[str, str | None, str], MetricRecord]:
    out = {(r.task, r.language, r.metric): r for r in rows}
    assert len(out) == len(rows), "one row per (task, language, metric)"
    return out


def test_family_macros_transfer_gaps_and_language_macros_by_hand():
    rows = aggregate_rows(QA + MT, [], {"mt_en": 100.0, "mt_zh": 100.0})
    got = by_key(rows)
    # families in sorted order (mt before qa), each macro followed by its transfer gaps, then the languages
    assert [(r.task, r.language, r.metric) for r in rows] == [
        ("mt (macro)", None, "chrf"),
        ("mt_zh", "zh", "transfer_gap:chrf"),
        ("qa (macro)", None, "f1"),
        ("qa_es", "es", "transfer_gap:f1"),
        ("qa_zh", "zh", "transfer_gap:f1"),
        ("all tasks · en", "en", "primary_score"),
        ("all tasks · es", "es", "primary_score"),
        ("all tasks · zh", "zh", "primary_score"),
    ]
    mt, qa = got[("mt (macro)", None, "chrf")], got[("qa (macro)", None, "f1")]
    assert mt.value == pytest.approx(50.0)                   # (60 + 40) / 2
    assert qa.value == pytest.approx((0.8 + 0.5 + 0.6) / 3)
    # no per-document values: n is the number of languages, and there is no interval
    assert (mt.n, mt.ci_low, mt.ci_high) == (2, None, None)
    assert (qa.n, qa.ci_low, qa.ci_high) == (3, None, None)
    assert got[("mt_zh", "zh", "transfer_gap:chrf")].value == pytest.approx(-20.0)   # 40 - 60
    assert got[("qa_zh", "zh", "transfer_gap:f1")].value == pytest.approx(-0.3)      # 0.5 - 0.8
    assert got[("qa_es", "es", "transfer_gap:f1")].value == pytest.approx(-0.2)      # 0.6 - 0.8
    for key in [k for k in got if k[2].startswith("transfer_gap")]:
        assert got[key].n == 1
    # per language: chrF divided by its scale (100) before averaging with F1
    assert got[("all tasks · en", "en", "primary_score")].value == pytest.approx((0.6 + 0.8) / 2)
    assert got[("all tasks · zh", "zh", "primary_score")].value == pytest.approx((0.4 + 0.5) / 2)
    assert got[("all tasks · es", "es", "primary_score")].value == pytest.approx(0.6)
    assert [got[("all tasks · " + lang, lang, "primary_score")].n for lang in ("en", "es", "zh")] == [2, 1, 2]
    for r in rows:
        assert r.is_group is True and r.scored is True and r.is_primary is False
        # a transfer gap names its family (the board's column), the macros name it in their task
        assert r.family == ("mt" if r.task == "mt_zh" else "qa" if r.metric == "transfer_gap:f1" else None)
        assert r.filter == "plug"                            # the evaluated rows' filter


def test_a_family_with_several_tasks_in_a_language_pools_their_documents():
    # Global-MMLU: one task per subject and language; a language's value is the n-weighted mean
    rows = [primary("mm_en_law", "en", "mm", "acc", 0.5, n=2), primary("mm_en_art", "en", "mm", "acc", 1.0, n=2),
            primary("mm_zh_law", "zh", "mm", "acc", 0.0, n=1), primary("mm_zh_art", "zh", "mm", "acc", 0.75, n=4)]
    samples = [sample("mm_en_law", 0, "en", acc=1.0), sample("mm_en_law", 1, "en", acc=0.0),
               sample("mm_en_art", 0, "en", acc=1.0), sample("mm_en_art", 1, "en", acc=1.0),
               sample("mm_zh_law", 0, "zh", acc=0.0)] + [sample("mm_zh_art", i, "zh", acc=v)
                                                           for i, v in enumerate([1.0, 1.0, 1.0, 0.0])]
    got = by_key(aggregate_rows(rows, samples))
    macro = got[("mm (macro)", None, "acc")]
    # en: (0.5*2 + 1.0*2) / 4 = 0.75; zh: (0*1 + 0.75*4) / 5 = 0.6; macro (0.75 + 0.6) / 2
    assert (macro.value, macro.n) == (pytest.approx(0.675), 9)
    assert (macro.ci_low, macro.ci_high) == stratified_ci([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0, 0.0]])
    gap = got[("mm_zh", "zh", "transfer_gap:acc")]
    assert (gap.value, gap.family) == (pytest.approx(0.6 - 0.75), "mm")
    assert got[("all tasks · zh", "zh", "primary_score")].value == pytest.approx(0.6)
    # without every task's n, the tasks' plain mean
    rows[2] = primary("mm_zh_law", "zh", "mm", "acc", 0.0)
    assert by_key(aggregate_rows(rows))[("all tasks · zh", "zh", "primary_score")].value == pytest.approx(0.375)


def test_without_scales_every_metric_is_taken_as_it_is():
    got = by_key(aggregate_rows(QA + MT))
    assert got[("all tasks · en", "en", "primary_score")].value == pytest.approx((60.0 + 0.8) / 2)


def test_no_english_no_transfer_gap():
    rows = aggregate_rows([primary("qa_zh", "zh", "qa", "f1", 0.5), primary("qa_es", "es", "qa", "f1", 0.7)])
    assert [r.metric for r in rows] == ["f1", "primary_score", "primary_score"]
    assert rows[0].value == pytest.approx(0.6)


@pytest.mark.parametrize("skipped", [
    primary("qa_ko", "ko", "qa", "f1", None),                           # no value
    primary("qa_ko", "ko", "qa", "f1", 0.1, is_group=True),             # a group row
    primary("qa_ko", "ko", "qa", "f1", 0.1, is_primary=False),          # not the primary metric
    primary("qa_ko", None, "qa", "f1", 0.1),                            # no language
    primary("qa_ko", "ko", None, "f1", 0.1),                            # no family
], ids=["no-value", "group", "not-primary", "no-language", "no-family"])
def test_rows_that_are_not_primary_per_language_values_are_left_out(skipped):
    assert aggregate_rows(QA + [skipped]) == aggregate_rows(QA)
    assert aggregate_rows([skipped] + QA) == aggregate_rows(QA)     # and the rows after them still count


def test_a_corpus_metric_macro_counts_its_tasks_documents():
    # chrF has no per-document values: n is the documents each task scored (a task without n adds none)
    rows = [primary("mt_en", "en", "mt", "chrf", 60.0, n=10), primary("mt_zh", "zh", "mt", "chrf", 40.0, n=6)]
    assert aggregate_rows(rows)[0].n == 16
    rows[1] = primary("mt_zh", "zh", "mt", "chrf", 40.0, n=None)
    assert aggregate_rows(rows)[0].n == 10


def test_nothing_in_nothing_out():
    assert aggregate_rows([]) == []
    assert aggregate_rows([primary("qa_en", "en", "qa", "f1", None)]) == []


def test_an_empty_filter_name_is_stored_as_none():
    [macro, *_] = aggregate_rows([primary("qa_en", "en", "qa", "f1", 1.0, filter="")])
    assert macro.filter == "none"


def test_family_interval_is_the_stratified_bootstrap_over_documents():
    rows = [primary("qa_en", "en", "qa", "f1", 0.75), primary("qa_zh", "zh", "qa", "f1", 0.25)]
    samples = [sample("qa_en", 0, "en", f1=1.0), sample("qa_en", 1, "en", f1=0.5),
               sample("qa_zh", 0, "zh", f1=0.0), sample("qa_zh", 1, "zh", f1=0.5), sample("qa_zh", 2, "zh", f1=0.25),
               # not numbers, or NaN, or another task / metric: ignored
               sample("qa_zh", 3, "zh", f1=True, exact_match=1.0), sample("qa_zh", 4, "zh", f1="0.5"),
               sample("qa_zh", 5, "zh", f1=float("nan")), sample("other", 0, "en", f1=0.0)]
    macro = aggregate_rows(rows, samples)[0]
    assert (macro.task, macro.value, macro.n) == ("qa (macro)", pytest.approx(0.5), 5)   # 2 + 3 documents
    assert (macro.ci_low, macro.ci_high) == stratified_ci([[1.0, 0.5], [0.0, 0.5, 0.25]])
    assert macro.ci_low < macro.ci_high
    # the same documents with an integer value are numbers too
    samples[0] = sample("qa_en", 0, "en", f1=1)
    again = aggregate_rows(rows, samples)[0]
    assert (again.n, again.ci_low, again.ci_high) == (5, macro.ci_low, macro.ci_high)


def test_a_language_without_documents_gives_no_interval():
    rows = [primary("qa_en", "en", "qa", "f1", 0.75), primary("qa_zh", "zh", "qa", "f1", 0.25)]
    macro = aggregate_rows(rows, [sample("qa_en", 0, "en", f1=1.0), sample("qa_en", 1, "en", f1=0.5)])[0]
    assert (macro.n, macro.ci_low, macro.ci_high) == (2, None, None)


def test_pivot_counts_per_task():
    samples = [sample("qa_zh", 0, "zh", "ok"), sample("qa_zh", 1, "zh", "label_not_found"),
               sample("qa_zh", 2, "zh", "only_pivot"), sample("qa_zh", 3, "zh", "label_not_found"),
               sample("mt_ko", 0, "ko", "only_pivot")]
    rows = pivot_rows(samples)
    assert [(r.task, r.language, r.metric, r.filter, r.value, r.n, r.scored) for r in rows] == [
        ("mt_ko", "ko", "pivot:label_not_found", "plug", 0.0, 1, True),
        ("mt_ko", "ko", "pivot:only_pivot", "plug", 1.0, 1, True),
        ("qa_zh", "zh", "pivot:label_not_found", "plug", 0.5, 4, True),    # 2 of 4
        ("qa_zh", "zh", "pivot:only_pivot", "plug", 0.25, 4, True),        # 1 of 4
    ]
    assert pivot_rows([]) == []
    # a multiple-choice task's answers have no PLUG status: no pivot rows for it
    assert pivot_rows(samples + [sample("xnli_zh", 0, "zh"), sample("xnli_zh", 1, "zh")]) == rows


def test_a_languages_score_counts_its_documents_with_an_interval_like_a_family_macro():
    rows = [primary("qa_en", "en", "qa", "f1", 0.5, n=2), primary("qa_zh", "zh", "qa", "f1", 0.25, n=2),
            primary("mt_en", "en", "mt", "chrf", 60.0, n=3)]
    samples = [sample("qa_en", 0, "en", f1=1.0), sample("qa_en", 1, "en", f1=0.0),
               sample("qa_zh", 0, "zh", f1=0.5), sample("qa_zh", 1, "zh", f1=0.0)]
    got = by_key(aggregate_rows(rows, samples, {"mt_en": 100.0}))
    zh = got[("all tasks · zh", "zh", "primary_score")]
    # one family: its two documents, and the interval of their mean (the family's own)
    assert (zh.value, zh.n) == (0.25, 2)
    assert (zh.ci_low, zh.ci_high) == stratified_ci([[0.5, 0.0]])
    en = got[("all tasks · en", "en", "primary_score")]
    # two families: 2 documents of qa + the 3 of mt (a corpus metric: no per-document values, so no interval)
    assert (en.value, en.n, en.ci_low, en.ci_high) == (pytest.approx((0.5 + 0.6) / 2), 5, None, None)
