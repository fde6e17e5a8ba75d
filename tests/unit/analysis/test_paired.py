"""Paired comparisons against reference implementations and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from babelbench.analysis.paired import compare, holm, pair_up, paired_bootstrap_ci, paired_permutation_p


def _scipy_p(a, b, **kw) -> float:
    result = stats.permutation_test((np.asarray(a), np.asarray(b)), lambda x, y: np.mean(y - x),
                                    permutation_type="samples", alternative="two-sided", **kw)
    return float(result.pvalue)


@pytest.mark.parametrize("seed", range(6))
def test_exact_permutation_p_equals_scipys(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, size=10).astype(float)          # 0/1 per-document scores, with ties
    b = np.clip(a + rng.integers(-1, 2, size=10), 0, 1).astype(float)
    assert paired_permutation_p(a, b) == pytest.approx(_scipy_p(a, b), abs=1e-12)
    c = rng.normal(size=12)
    d = c + rng.normal(0.5, 1.0, size=12)
    assert paired_permutation_p(c, d) == pytest.approx(_scipy_p(c, d), abs=1e-12)


def test_hand_computed_permutation_p():
    # differences (+1, +1, +1): of the 8 sign patterns only (+,+,+) and (-,-,-) reach |mean| = 1,
    # so each tail holds 1/8 and the two-sided p is 2 * 1/8 = 0.25
    assert paired_permutation_p([0, 0, 0], [1, 1, 1]) == pytest.approx(0.25)
    # no difference at all: every pattern ties the observed 0 -> p = 1
    assert paired_permutation_p([1, 0, 1], [1, 0, 1]) == 1.0


def test_monte_carlo_permutation_p_is_close_to_scipys():
    rng = np.random.default_rng(7)
    a = rng.normal(size=40)
    b = a + rng.normal(0.3, 1.0, size=40)
    assert paired_permutation_p(a, b) == pytest.approx(_scipy_p(a, b, n_resamples=99999, rng=1), abs=0.01)


def test_holm_by_hand():
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, 0.04*1 = 0.04 -> kept monotone at 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])     # capped at 1


def test_paired_bootstrap_interval():
    assert paired_bootstrap_ci([0, 1, 0], [1, 2, 1]) == (1.0, 1.0)   # every difference is +1
    rng = np.random.default_rng(3)
    a = rng.normal(size=50)
    b = a + 0.4 + rng.normal(0, 0.5, size=50)
    low, high = paired_bootstrap_ci(a, b)
    diff = float(np.mean(b - a))
    assert low < diff < high and high - low < 0.5
    # close to the normal-theory paired interval
    half = 1.96 * np.std(b - a, ddof=1) / np.sqrt(50)
    assert low == pytest.approx(diff - half, abs=0.05) and high == pytest.approx(diff + half, abs=0.05)


def test_pairs_use_only_the_same_documents_and_comparisons_are_holm_corrected():
    a = {("t", "en", "acc"): {(0, "h0"): 0.0, (1, "h1"): 0.0, (2, "h2"): 1.0},
         ("t", "en", "only_a"): {(0, "h0"): 1.0}}
    b = {("t", "en", "acc"): {(0, "h0"): 1.0, (1, "OTHER"): 1.0, (2, "h2"): 1.0, (3, "h3"): 0.0}}
    pairs = pair_up(a, b)
    assert pairs == {("t", "en", "acc"): ([0.0, 1.0], [1.0, 1.0])}   # doc 1 differs, doc 3 only in B
    [row] = compare(pairs)
    assert (row.n, row.mean_a, row.mean_b, row.diff) == (2, 0.5, 1.0, 0.5)
    # differences (+1, 0): patterns give means +0.5, +0.5, -0.5, -0.5 -> each tail 1/2 -> p = 1
    assert row.p_value == pytest.approx(1.0) and row.p_holm == pytest.approx(1.0) and not row.significant
