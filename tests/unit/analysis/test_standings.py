"""The report's leaderboard: groups, columns, cells (value ± half-width), best per column, shared n."""

from __future__ import annotations

import pytest

from babelbench.analysis.standings import Cell, format_cell, lower_is_better, standings
from babelbench.core.metric_name import JudgeMetric

MATCH, CODE_SWITCH = JudgeMetric("lid", "match"), JudgeMetric("lid", "code_switch")


def score(value, low=None, high=None, n=10):
    return {"value": value, "ci_low": low, "ci_high": high, "n": n}


ROWS = [
    {"variant": "a", "comparable": "limit 2", "scores": {
        "xquad_gen · f1": score(0.5, 0.4, 0.6), MATCH: score(0.9, 0.8, 1.0, n=20),
        CODE_SWITCH: score(0.10, n=20), "all tasks · en · primary_score": score(0.7)}},
    {"variant": "b", "comparable": "limit 2", "scores": {
        "xquad_gen · f1": score(0.7, 0.5, 0.9), MATCH: score(0.9, n=20),
        CODE_SWITCH: score(0.05, n=20)}},
    {"variant": "c", "comparable": "limit 2", "scores": {"xquad_gen · f1": score(None, n=10)}},
    {"variant": "d", "comparable": "all documents", "scores": {"xquad_gen · f1": score(0.2, n=100)}},
]


def test_groups_columns_order_and_cells():
    big, small = standings(ROWS)
    assert (big.comparable, small.comparable) == ("limit 2", "all documents")   # largest group first
    assert big.columns == ["xquad_gen · f1", CODE_SWITCH, MATCH]   # families, then judges
    assert big.variants == ["b", "a", "c"]          # by the first column, no value last
    assert big.cells[("a", "xquad_gen · f1")] == Cell(0.5, pytest.approx(0.1), 10)
    assert big.cells[("c", "xquad_gen · f1")] == Cell(None, None, 10)


def test_best_per_column_with_direction_and_ties():
    big, small = standings(ROWS)
    assert big.best["xquad_gen · f1"] == "b"
    assert big.best[CODE_SWITCH] == "b"        # less code-switching is better
    assert big.best[MATCH] is None             # a tie names nobody
    assert small.best["xquad_gen · f1"] is None           # alone in its group: nothing to beat
    assert lower_is_better(CODE_SWITCH) and not lower_is_better("xquad_gen · f1")


def test_shared_n_is_given_once_and_a_mixed_n_per_cell():
    big, _ = standings(ROWS)
    assert big.common_n == {"xquad_gen · f1": 10, CODE_SWITCH: 20, MATCH: 20}
    rows = [dict(ROWS[0]), {**ROWS[1], "scores": {**ROWS[1]["scores"], "xquad_gen · f1": score(0.7, n=12)}}]
    assert standings(rows)[0].common_n["xquad_gen · f1"] is None


def test_filters_and_formatting():
    [group] = standings(ROWS, variants=["a", "b"], columns_like=["judge:"])
    assert group.columns == [CODE_SWITCH, MATCH]
    assert group.variants == ["b", "a"]        # ranked by the first shown column, where less is better
    assert format_cell(Cell(0.5, 0.1, 10), show_n=False) == "0.5 ± 0.1"
    assert format_cell(Cell(0.123456, None, 7), show_n=True) == "0.123 (n=7)"
    assert format_cell(None, show_n=True) == format_cell(Cell(None, None, 3), show_n=False) == "—"


def test_each_languages_n_is_kept_for_the_report():
    rows = [{"variant": v, "comparable": "sample", "scores": {
        "xquad_gen · f1": score(0.5, n=192), "all tasks · ar · primary_score": score(0.4, n=16),
        "all tasks · th · primary_score": score(0.3, n=16 if v == "a" else 15)}} for v in ("a", "b")]
    [group] = standings(rows)
    assert group.language_n == {"ar": 16, "th": None}        # th: the variants differ
    assert group.columns == ["xquad_gen · f1"]               # the per-language summaries are not columns
