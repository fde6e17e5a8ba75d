"""Bradley–Terry and the length-controlled win rate against scikit-learn and hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from babelbench.analysis.rankings import (
    RIDGE, Battle, Judged, bradley_terry, bt_scores, fit_logistic, lc_design, length_controlled, standardised_lengths,
)


def _sklearn(x, y, w, ridge=RIDGE):
    model = LogisticRegression(C=1 / ridge, fit_intercept=False, solver="lbfgs", tol=1e-12, max_iter=100_000)
    model.fit(x, y, sample_weight=w)
    return model.coef_[0]


def test_the_logistic_fit_equals_scikit_learns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 4))
    y = (x @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=80) > 0).astype(float)
    w = rng.uniform(0.2, 1.0, size=80)
    assert fit_logistic(x, y, w) == pytest.approx(_sklearn(x, y, w), abs=1e-5)


def _battles():
    # prompts 0..9: A beats the baseline 7 times and ties once; B beats it 3 times; A and B meet 4 times
    out = []
    for i in range(10):
        out.append(Battle(("t", i), "A", "base", 1.0 if i < 7 else (0.5 if i == 7 else 0.0)))
        out.append(Battle(("t", i), "B", "base", 1.0 if i < 3 else 0.0))
    out += [Battle(("t", 20 + i), "A", "B", 1.0 if i < 3 else 0.0) for i in range(4)]
    return out


def test_bradley_terry_is_the_maximum_likelihood_fit_on_the_same_design():
    battles = _battles()
    fitted = bradley_terry(battles, anchor="base")
    # the same likelihood as a logistic regression on x = e_a - e_b (baseline column dropped)
    cols = {"A": 0, "B": 1}
    rows, labels, weights = [], [], []
    for b in battles:
        x = np.zeros(2)
        if b.a in cols:
            x[cols[b.a]] += 1
        if b.b in cols:
            x[cols[b.b]] -= 1
        for label, weight in ([(b.outcome, 1.0)] if b.outcome in (0, 1) else [(1, 0.5), (0, 0.5)]):
            rows.append(x)
            labels.append(label)
            weights.append(weight)
    reference = _sklearn(np.array(rows), labels, weights)
    assert fitted["base"] == 0.0
    assert [fitted["A"], fitted["B"]] == pytest.approx(list(reference), abs=1e-5)
    assert fitted["A"] > 0 > fitted["B"]


def test_two_players_without_ridge_give_the_log_odds():
    # 3 wins and 1 loss against the anchor: the maximum-likelihood strength is log(3 / 1)
    battles = [Battle(("t", i), "A", "base", 1.0 if i < 3 else 0.0) for i in range(4)]
    assert bradley_terry(battles, "base", ridge=1e-9)["A"] == pytest.approx(math.log(3), abs=1e-4)


def test_bt_scores_carry_a_bootstrap_interval_around_the_fit():
    ranked = {r.name: r for r in bt_scores(_battles(), "base")}
    assert ranked["base"].value == 0.5 and (ranked["base"].ci_low, ranked["base"].ci_high) == (0.5, 0.5)
    a = ranked["A"]
    assert a.ci_low < a.value < a.ci_high and a.n == 14
    assert ranked["B"].value < 0.5 < a.value


def test_lengths_are_standardised_within_each_language():
    judged = [Judged("A", ("t", i), "zh", 1.0, d) for i, d in enumerate([10.0, 20.0, 30.0])]
    judged += [Judged("A", ("u", i), "en", 1.0, d) for i, d in enumerate([100.0, 200.0, 300.0])]
    z = standardised_lengths(judged)
    # the same relative spread in both scripts gives the same standardised lengths
    assert z[:3] == pytest.approx(z[3:]) and z[0] == pytest.approx(math.tanh(10 / 10))


def test_the_length_glm_is_a_logistic_regression_on_its_design():
    rng = np.random.default_rng(1)
    judged = [Judged(v, ("t", i), "en", float(rng.integers(0, 3)) / 2, float(rng.normal(0, 50)))
              for v in ("A", "B") for i in range(30)]
    x, variants, prompts = lc_design(judged)
    assert x.shape == (60, 2 * 2 + 30)
    result = length_controlled(judged)
    rows, labels, weights = [], [], []
    for k, j in enumerate(judged):
        for label, weight in ([(j.outcome, 1.0)] if j.outcome in (0, 1) else [(1, 0.5), (0, 0.5)]):
            rows.append(x[k])
            labels.append(label)
            weights.append(weight)
    beta = _sklearn(np.array(rows), labels, weights)
    theta = dict(zip(variants, beta[:2]))
    gamma = dict(zip(prompts, beta[4:]))
    expected = np.mean([1 / (1 + math.exp(-(theta["A"] + gamma[("t", i)]))) for i in range(30)])
    assert result[("A", None)] == pytest.approx(expected, abs=1e-4)


def test_when_the_longer_answer_always_wins_the_length_controlled_rate_falls_toward_a_half():
    # a variant that wins only by being longer: raw rate far above a half, length-controlled near it
    verbose = [Judged("V", ("t", i), "en", 1.0 if i % 5 else 0.0, 200.0 if i % 5 else -200.0) for i in range(40)]
    fair = [Judged("F", ("t", i), "en", 1.0 if i % 2 else 0.0, 0.0) for i in range(40)]
    both = length_controlled(verbose + fair)
    assert np.mean([j.outcome for j in verbose]) == 0.8
    assert both[("V", None)] < 0.65 < 0.8
    assert both[("F", None)] == pytest.approx(0.5, abs=0.05)
