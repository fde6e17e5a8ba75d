"""Human ratings in the store (migration 10): written, replaced when a rater rates again, read back;
the agreement the service computes from them equals scikit-learn and scipy on the same pairs; the
rating queue leaves out what a rater has rated and puts the judge's least certain answers first."""

from __future__ import annotations

import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from babelbench.analysis.rating_queue import pairwise_priority, queue, rubric_priority
from babelbench.core.ratings import HumanRating
from babelbench.services.agreement import agreement, facet_scales
from babelbench.store import Store, rating_queries, writes
from tests.support.rated_store import BASE_EVAL, DOCS, FACETS, TASK, TUNED_EVAL, build_rated_store, judge_grades


@pytest.fixture
def store(tmp_path):
    return Store(build_rated_store(tmp_path))


def _grade(rater, doc, facet, score, scale=(1, 3), note=None):
    return HumanRating(rater, TUNED_EVAL, TASK, doc, facet, score=score, scale_min=scale[0], scale_max=scale[1],
                       note=note)


def test_ratings_are_stored_and_a_new_rating_of_the_same_facet_replaces_the_raters_own(store):
    with store.write() as con:
        writes.write_ratings(con, [_grade("ann", 0, "fluency", 1), _grade("bob", 0, "fluency", 2, (0, 2))])
    with store.write() as con:
        writes.write_ratings(con, [_grade("ann", 0, "fluency", 3, note="second look")])
    with store.read() as con:
        stored = sorted(rating_queries.ratings(con), key=lambda r: r.rater)
    assert [(r.rater, r.score, r.scale_min, r.note) for r in stored] == [("ann", 3, 1, "second look"), ("bob", 2, 0, None)]
    assert all(r.rated_at is not None for r in stored)


def test_agreement_from_the_store_equals_sklearn_and_scipy_on_the_same_pairs(store):
    human = {d: (d * 5 + 1) % 3 + 1 for d in DOCS}
    with store.write() as con:
        writes.write_ratings(con, [_grade("ann", d, f, human[d]) for d in DOCS for f in FACETS])
        # a second rater on the study's 0-2 scale for half the answers, and one pairwise verdict
        writes.write_ratings(con, [_grade("bob", d, "fluency", human[d] - 1 if d % 2 else 0, (0, 2)) for d in range(4)])
        writes.write_ratings(con, [HumanRating("ann", TUNED_EVAL, TASK, 0, "verdict", baseline_eval=BASE_EVAL,
                                               shown_order="ba", verdict="B")])
    with store.read() as con:
        tables = agreement(con)
        assert facet_scales(con)["rubric-6facet"]["fluency"] == (1, 3)
    rows = {r["facet"]: r for r in tables["rubric"]}
    judged = [judge_grades(d)["fluency"] for d in DOCS] + [judge_grades(d)["fluency"] for d in range(4)]
    people = [human[d] for d in DOCS] + [(human[d] - 1 if d % 2 else 0) + 1 for d in range(4)]
    fluency = rows["fluency"]
    assert (fluency["n"], fluency["answers"], fluency["raters"]) == (12, 8, 2)
    assert fluency["kappa"] == pytest.approx(cohen_kappa_score(judged, people, labels=[1, 2, 3], weights="quadratic"))
    assert fluency["rho"] == pytest.approx(spearmanr(judged, people).statistic)
    assert fluency["alpha_units"] == 4 and fluency["alpha"] is not None
    assert rows["accuracy"]["n"] == 8 and rows["accuracy"]["alpha"] is None
    [pair] = tables["pairwise"]
    # shown second and preferred: a win; the judge's orders (A, B) for document 0 combine to a win
    assert (pair["n"], pair["agreement"]) == (1, 1.0)


def test_the_queue_skips_what_the_rater_rated_and_puts_parse_failures_and_disagreement_first(store):
    with store.read() as con:
        answers = rating_queries.rubric_answers(con, "rubric-6facet", "de")
        scales = facet_scales(con)["rubric-6facet"]
    answers[5]["grades"] = [{"judge": "rubric-6facet", "status": "parse_failure", "scores": {}}]
    rated = [_grade("ann", 0, "fluency", 2)] + [_grade("cy", 2, "fluency", 1), _grade("dee", 2, "fluency", 3)]

    def priority(answer, others):
        return rubric_priority(answer, "rubric-6facet", scales, others)

    order = queue(answers, rated, "ann", priority)
    assert [a["doc_id"] for a in order][:2] == [5, 2]       # a parse failure, then the raters' disagreement
    assert 0 not in [a["doc_id"] for a in order] and len(order) == 7
    assert order[0]["reasons"] == ["the judge's reply did not parse"]
    assert "raters disagree" in order[1]["reasons"]
    # then the judge's grades in the middle (2: documents 1, 3, 6) before grades at an end (1 or 3)
    assert [a["doc_id"] for a in order[2:]] == [1, 3, 6, 4, 7]
    # another rater still sees every answer
    assert len(queue(answers, rated, "bob", priority)) == 8


def test_the_pairwise_queue_puts_order_flips_first_and_skips_rated_pairs(store):
    with store.read() as con:
        pairs = rating_queries.pairwise_answers(con, None)
    assert {(p["eval_key"], p["baseline_eval"]) for p in pairs} == {(TUNED_EVAL, BASE_EVAL)} and len(pairs) == 8
    rated = [HumanRating("ann", TUNED_EVAL, TASK, 1, "verdict", baseline_eval=BASE_EVAL, shown_order="ab", verdict="A")]
    order = queue(pairs, rated, "ann", pairwise_priority, baseline=True)
    assert 1 not in [p["doc_id"] for p in order]
    # documents 2 and 5: the same letter in both orders (the verdict follows the position); 3, 4: a tie
    assert {p["doc_id"] for p in order[:4]} == {2, 3, 4, 5}
    assert order[0]["reasons"] == ["the judge's verdict depends on the order"]
