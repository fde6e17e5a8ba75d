"""The agreement statistics equal their references on the same data: scikit-learn's
cohen_kappa_score (quadratic and plain), scipy's spearmanr and the krippendorff package's alpha
(ordinal) -- on random grades with many ties, undefined cases, and missing ratings."""

from __future__ import annotations

import math
import warnings

import krippendorff
import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

from babelbench.analysis.agreement import cohen_kappa, krippendorff_alpha_ordinal, spearman
from babelbench.analysis.bootstrap import cluster_ci
from babelbench.analysis.human_agreement import human_alpha, pairwise_agreement, rubric_agreement


def _same(mine: float | None, reference: float) -> bool:
    return (mine is None and math.isnan(reference)) or (mine is not None and mine == pytest.approx(reference, abs=1e-12))


@pytest.mark.parametrize("seed", range(40))
def test_kappa_and_rho_equal_sklearn_and_scipy_on_random_grades_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    low, high = (0, 2) if seed % 2 else (1, 5)
    judge, human = rng.integers(low, high + 1, n), rng.integers(low, high + 1, n)
    if seed % 5 == 0:
        human = judge.copy()           # perfect agreement
    if seed % 7 == 0:
        human[:] = low                 # no variation on one side
    labels = list(range(low, high + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quadratic = cohen_kappa_score(judge, human, labels=labels, weights="quadratic")
        plain = cohen_kappa_score(judge, human, labels=labels)
        rho = spearmanr(judge, human).statistic
    assert _same(cohen_kappa(judge.tolist(), human.tolist(), labels, quadratic=True), quadratic)
    assert _same(cohen_kappa(judge.tolist(), human.tolist(), labels), plain)
    assert _same(spearman(judge.tolist(), human.tolist()), rho)


def test_kappa_is_not_just_agreement_share():
    # known by hand: 3 of 4 agree, marginals (2,2) and (1,3): p_o = .75, p_e = .5 -> kappa = .5
    assert cohen_kappa(["win", "win", "loss", "loss"], ["win", "loss", "loss", "loss"], ["win", "tie", "loss"]) == 0.5


@pytest.mark.parametrize("seed", range(40))
def test_alpha_equals_the_krippendorff_package_with_missing_ratings(seed):
    rng = np.random.default_rng(100 + seed)
    raters, units = int(rng.integers(2, 6)), int(rng.integers(2, 30))
    domain = [0, 1, 2] if seed % 2 else [1, 2, 3, 4, 5]
    data = rng.choice(domain, size=(raters, units)).astype(float)
    data[rng.random((raters, units)) < 0.35] = np.nan       # missing ratings
    if seed % 6 == 0:
        data[1] = data[0]                                    # two raters agree on every shared unit
    grades = [[int(v) for v in data[:, u] if not np.isnan(v)] for u in range(units)]
    try:
        reference = krippendorff.alpha(reliability_data=data, value_domain=domain, level_of_measurement="ordinal")
    except ValueError:   # no unit with two ratings
        reference = math.nan
    assert _same(krippendorff_alpha_ordinal(grades, domain), reference)


def test_cluster_bootstrap_is_seeded_and_brackets_the_estimate():
    clusters = [[(1, 1)], [(2, 3)], [(3, 3)], [(2, 2), (2, 1)], [(1, 2)], [(3, 2)]]
    statistic = lambda ps: spearman([a for a, _ in ps], [b for _, b in ps])   # noqa: E731
    first, second = cluster_ci(clusters, statistic), cluster_ci(clusters, statistic)
    assert first == second and first[0] is not None
    assert first[0] <= statistic([p for c in clusters for p in c]) <= first[1]
    assert cluster_ci([[(1, 1)]], statistic) == (None, None)


def _pair(rater, doc, facet, judge_grade, score, scale=(1, 3), language="de", status="ok"):
    return {"rater": rater, "eval_key": "e", "task": "t", "doc_id": doc, "language": language, "facet": facet,
            "score": score, "scale_min": scale[0], "scale_max": scale[1], "judge": "j", "status": status,
            "scores": {facet: judge_grade}}


def test_rubric_agreement_pools_every_rater_judge_pair_on_the_judges_scale():
    # two raters, one on the study's 0-2 scale (= the judge's 1-3), one parse failure left out
    judge = [1, 2, 3, 2, 3, 1, 2, 3]
    ann = [1, 2, 3, 3, 3, 2, 2, 2]
    bob = [0, 1, 1, 1, 2]                                    # study scale: +1 on the judge's
    pairs = [_pair("ann", d, "fluency", judge[d], ann[d]) for d in range(8)]
    pairs += [_pair("bob", d, "fluency", judge[d], bob[d], scale=(0, 2)) for d in range(5)]
    pairs.append(_pair("ann", 9, "fluency", None, 2, status="parse_failure"))
    pairs.append(_pair("ann", 10, "fluency", 2, 3, scale=(1, 5)))   # another number of levels: left out
    [row] = rubric_agreement(pairs, {"j": {"fluency": (1, 3)}})
    judged = judge + judge[:5]
    human = ann + [b + 1 for b in bob]
    assert (row["n"], row["answers"], row["raters"]) == (13, 8, 2)
    assert row["kappa"] == pytest.approx(cohen_kappa_score(judged, human, labels=[1, 2, 3], weights="quadratic"))
    assert row["rho"] == pytest.approx(spearmanr(judged, human).statistic)
    assert row["kappa_low"] <= row["kappa"] <= row["kappa_high"]


def test_human_alpha_per_language_and_facet_on_levels():
    ratings = [{**_pair(rater, d, "fluency", None, g, scale=scale), "language": "de" if d < 3 else "ko"}
               for rater, scale, grades in (("ann", (1, 3), [1, 2, 3, 3, 1]), ("bob", (0, 2), [0, 1, 1, 2, 0]),
                                            ("cy", (1, 3), [1, 3, 3, 3, 2]))
               for d, g in enumerate(grades)]
    alphas = human_alpha(ratings)
    levels = np.array([[0, 1, 2, 2, 0], [0, 1, 1, 2, 0], [0, 2, 2, 2, 1]], dtype=float)
    for language, units in (("de", slice(0, 3)), ("ko", slice(3, 5)), ("all", slice(0, 5))):
        expected = krippendorff.alpha(reliability_data=levels[:, units], value_domain=[0, 1, 2],
                                      level_of_measurement="ordinal")
        assert alphas[(language, "fluency")]["alpha"] == pytest.approx(expected)
    assert alphas[("all", "fluency")]["alpha_units"] == 5


def test_pairwise_agreement_on_outcomes_whatever_the_order_shown():
    # (judge verdicts by order, the person's outcome): the judge's pair combined as the Pairwise page does
    cases = [({"ab": "A", "ba": "B"}, "win"), ({"ab": "B", "ba": "A"}, "loss"), ({"ab": "A", "ba": "A"}, "tie"),
             ({"ab": "A", "ba": "tie"}, "win"), ({"ab": "tie", "ba": "tie"}, "loss"), ({"ab": "A", "ba": None}, "win")]
    rows = [{"rater": "ann", "eval_key": "e", "task": "t", "doc_id": d, "language": "de", "judge": "p",
             "judge_verdicts": v, "outcome": o} for d, (v, o) in enumerate(cases)]
    [row] = pairwise_agreement(rows)
    judge, human = ["win", "loss", "tie", "win", "tie"], ["win", "loss", "tie", "win", "loss"]   # the unparsed one out
    assert row["n"] == 5 and row["agreement"] == pytest.approx(4 / 5)
    assert row["kappa"] == pytest.approx(cohen_kappa_score(judge, human, labels=["win", "tie", "loss"]))
