"""Judge metrics from hand-made judged rows: means per (task, language) and over everything,
the PLUG no-target share, agreement of a rubric's language facet with the identifier, which
rows are headlines, and their order. Every expected number is worked out by hand below
(mutation check, ``make mutation``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from babelbench.analysis.bootstrap import mean_ci
from babelbench.analysis.judge_metrics import _no_target, judge_metric_rows
from babelbench.core.records import JudgedRow, Observation
from babelbench.judge import protocol as protocol_module


@dataclass
class Judged:
    judge: str
    kind: str
    rows: list[JudgedRow]
    plug: bool = True
    baseline: str | None = None
    config: dict[str, Any] = field(default_factory=dict)


def row(task, language, doc, scores=None, *, status="ok", link="judged", slot="") -> JudgedRow:
    return JudgedRow(task, language, doc, slot, link, status if link == "judged" else None, scores or {}, None)


LID = Judged("lid", "language-id", [
    row("qa", "zh", 0, {"match": 1, "code_switch": 0.0}),
    row("qa", "zh", 1, {"match": 0, "code_switch": 0.5}),
    row("qa", "zh", 2, link="no_target"),
    row("mt", "ko", 0, {"match": 1, "code_switch": 0.25}),
])
RUBRIC = Judged("rub", "rubric", [
    row("qa", "zh", 0, {"language": 3, "fluency": 2}),     # says: right language; the identifier agrees
    row("qa", "zh", 1, {"language": 3, "fluency": 1}),     # says: right language; the identifier disagrees
    row("qa", "zh", 2, link="no_target"),
    row("mt", "ko", 0, status="parse_failure"),            # no grade, no vote
    row("mt", "ko", 1, {"language": 1, "fluency": 3}),     # a vote, but the identifier did not see doc 1
], config={"facets": [{"name": "language", "min": 1, "max": 3}, {"name": "fluency", "min": 1, "max": 3}]})

# (task, language, metric, value, n, headline)
EXPECTED = [
    ("mt", "ko", "judge:lid/code_switch", 0.25, 1, True),
    ("mt", "ko", "judge:lid/match", 1.0, 1, True),
    ("mt", "ko", "judge:lid/no_target", 0.0, 1, False),
    ("mt", "ko", "judge:rub/fluency", 3.0, 1, True),
    ("mt", "ko", "judge:rub/language", 1.0, 1, True),
    ("mt", "ko", "judge:rub/no_target", 0.0, 2, False),
    ("mt", "ko", "judge:rub/parse_failure_rate", 0.5, 2, False),
    ("qa", "zh", "judge:lid/code_switch", 0.25, 2, True),
    ("qa", "zh", "judge:lid/match", 0.5, 2, True),
    ("qa", "zh", "judge:lid/no_target", 1 / 3, 3, False),
    ("qa", "zh", "judge:rub/fluency", 1.5, 2, True),
    ("qa", "zh", "judge:rub/language", 3.0, 2, True),
    ("qa", "zh", "judge:rub/language_agreement", 0.5, 2, False),   # agrees on doc 0, not on doc 1
    ("qa", "zh", "judge:rub/no_target", 1 / 3, 3, False),
    ("qa", "zh", "judge:rub/parse_failure_rate", 0.0, 2, False),
    ("all", None, "judge:lid/code_switch", 0.25, 3, True),
    ("all", None, "judge:lid/match", 2 / 3, 3, True),
    ("all", None, "judge:lid/no_target", 0.25, 4, False),
    ("all", None, "judge:rub/fluency", 2.0, 3, True),
    ("all", None, "judge:rub/language", 7 / 3, 3, True),
    ("all", None, "judge:rub/language_agreement", 0.5, 2, False),
    ("all", None, "judge:rub/no_target", 0.2, 5, False),
    ("all", None, "judge:rub/parse_failure_rate", 0.25, 4, False),
]


def test_plug_variant_with_an_identifier_and_a_rubric_by_hand():
    rows = judge_metric_rows([RUBRIC, LID])
    assert [(r["task"], r["language"], r["metric"].name, pytest.approx(r["value"]), r["n"], r["headline"]) for r in rows] == [
        (t, lang, m, pytest.approx(v), n, h) for t, lang, m, v, n, h in EXPECTED]
    for r in rows:
        assert r["filter"] == "plug" and r["baseline"] is None
    agreement = next(r for r in rows if r["metric"].name == "judge:rub/language_agreement" and r["task"] == "qa")
    assert (agreement["ci_low"], agreement["ci_high"]) == mean_ci([1.0, 0.0])[1:]


def test_without_plug_no_target_answers_are_left_out_not_counted():
    plain = [Judged(j.judge, j.kind, j.rows, plug=False, config=j.config) for j in (LID, RUBRIC)]
    rows = judge_metric_rows(plain)
    assert {r["filter"] for r in rows} == {"none"}
    assert not [r for r in rows if r["metric"].facet == "no_target"]
    failure = next(r for r in rows if r["metric"].name == "judge:rub/parse_failure_rate" and r["task"] == "all")
    assert (failure["value"], failure["n"]) == (pytest.approx(0.25), 4)     # the no-target answer is not judged


def test_one_judge_against_several_baselines_orders_by_baseline():
    one = [row("qa", "zh", 0, {"match": 1, "code_switch": 0.0})]
    rows = judge_metric_rows([Judged("lid", "language-id", one, plug=False, baseline="B-base"),
                              Judged("lid", "language-id", one, plug=False, baseline=None),
                              Judged("lid", "language-id", one, plug=False, baseline="A-base")])
    assert [(r["task"], r["metric"].name, r["baseline"]) for r in rows] == [
        ("qa", "judge:lid/code_switch", None), ("qa", "judge:lid/code_switch", "A-base"),
        ("qa", "judge:lid/code_switch", "B-base"),
        ("qa", "judge:lid/match", None), ("qa", "judge:lid/match", "A-base"), ("qa", "judge:lid/match", "B-base"),
        ("all", "judge:lid/code_switch", None), ("all", "judge:lid/code_switch", "A-base"),
        ("all", "judge:lid/code_switch", "B-base"),
        ("all", "judge:lid/match", None), ("all", "judge:lid/match", "A-base"), ("all", "judge:lid/match", "B-base"),
    ]


class _Echo(protocol_module.JudgeProtocol):
    """A protocol whose observations depend on its judge's settings."""

    uses_backend = uses_prompts = False

    def observations(self, judge_config, rows):
        for r in rows:
            yield Observation(r.task, r.language, r.doc_id, judge_config["metric"], judge_config["value"])


def test_a_protocol_sees_its_own_judges_settings(monkeypatch):
    real = protocol_module.get_protocol
    monkeypatch.setattr(protocol_module, "get_protocol", lambda kind: _Echo() if kind == "echo-test" else real(kind))
    rows = judge_metric_rows([Judged("e", "echo-test", [row("qa", "en", 0)], plug=False,
                                     config={"metric": "score", "value": 0.75})])
    assert [(r["task"], r["metric"].name, r["value"], r["headline"]) for r in rows] == [
        ("qa", "judge:e/score", 0.75, True), ("all", "judge:e/score", 0.75, True)]


def test_language_agreement_is_the_share_of_answers_where_the_facet_agrees_with_the_identifier():
    lid = Judged("lid", "language-id", [row("qa", "zh", d, {"match": m, "code_switch": 0.0})
                                         for d, m in ((0, 1), (1, 1), (2, 0))], plug=False)
    rubric = Judged("rub", "rubric", [row("qa", "zh", 9, {"language": 3}),   # voted first, but no identifier grade
                                      row("qa", "zh", 0, {"language": 3}), row("qa", "zh", 1, {"language": 2}),
                                      row("qa", "zh", 2, {"language": 3})], plug=False,
                    config={"facets": [{"name": "language", "min": 1, "max": 3}]})
    rows = judge_metric_rows([rubric, lid])
    [agreement] = [r for r in rows if r["metric"].name == "judge:rub/language_agreement" and r["task"] == "qa"]
    assert (agreement["language"], agreement["value"], agreement["n"]) == ("zh", pytest.approx(2 / 3), 3)
    assert not [r for r in rows if r["metric"].name == "judge:lid/language_agreement"]   # the reference is not graded


def test_no_target_is_counted_once_per_answer_on_its_first_slot():
    rows = [row("qa", "zh", 0, slot="ab"), row("qa", "zh", 0, slot="ba", link="no_target"),
            row("qa", "zh", 1, slot="ab", link="no_target"), row("qa", "zh", 1, slot="ba"),
            row("mt", "ko", 4, slot="ab", link="no_target")]
    assert _no_target(rows) == [Observation("qa", "zh", 0, "no_target", 0.0), Observation("qa", "zh", 1, "no_target", 1.0),
                                Observation("mt", "ko", 4, "no_target", 1.0)]
