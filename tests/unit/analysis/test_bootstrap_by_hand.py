"""Bootstrap intervals: the documented recipe (1000 resamples drawn with the fixed seed, the
2.5th and 97.5th percentiles of their means) spelled out step by step, and cases whose interval
is known without any resampling (mutation check, ``make mutation``)."""

from __future__ import annotations

import numpy as np
import pytest

from babelbench.analysis.bootstrap import ITERATIONS, SEED, mean_ci, stratified_ci

VALUES = [0.13, 0.92, 0.41, 0.77, 0.05, 0.66, 0.38, 0.29, 0.84, 0.51, 0.97, 0.22]


def percentile(sorted_values: np.ndarray, p: float) -> float:
    """Linear interpolation between order statistics (numpy's default), written out."""
    rank = p / 100 * (len(sorted_values) - 1)
    below = int(np.floor(rank))
    return float(sorted_values[below] + (rank - below) * (sorted_values[min(below + 1, len(sorted_values) - 1)]
                                                          - sorted_values[below]))


def test_constants_of_the_recipe():
    assert (ITERATIONS, SEED) == (1000, 20231123)


def test_mean_ci_is_the_percentile_interval_of_seeded_resample_means():
    rng = np.random.default_rng(20231123)
    data = np.array(VALUES)
    picks = rng.integers(0, 12, size=(1000, 12))
    means = np.sort(np.array([data[row].sum() / 12 for row in picks]))
    mean, low, high = mean_ci(VALUES)
    assert mean == pytest.approx(sum(VALUES) / 12)
    assert low == pytest.approx(percentile(means, 2.5), abs=1e-12)
    assert high == pytest.approx(percentile(means, 97.5), abs=1e-12)
    # another level is another pair of percentiles of the same resamples
    _, low80, high80 = mean_ci(VALUES, level=0.8)
    assert (low80, high80) == (pytest.approx(percentile(means, 10.0)), pytest.approx(percentile(means, 90.0)))
    # the seed is what makes it repeatable
    assert mean_ci(VALUES) == (mean, low, high)
    assert mean_ci(VALUES, seed=SEED + 1) != (mean, low, high)


def test_every_value_can_be_drawn():
    # only the first value is non-zero: if it were never drawn every resample mean would be 0
    mean, low, high = mean_ci([12.0] + [0.0] * 11)
    assert mean == pytest.approx(1.0) and low < mean < high


def test_intervals_known_without_resampling():
    assert mean_ci([]) == (None, None, None)
    assert mean_ci([0.5]) == (0.5, 0.5, 0.5)
    assert mean_ci([1, 1]) == (1.0, 1.0, 1.0)
    assert all(isinstance(x, float) for x in mean_ci([1, 0, 1]))


def test_stratified_ci_resamples_within_each_stratum_and_weighs_strata_equally():
    # each stratum constant: every resample gives its value; the strata's means are averaged, not the documents
    assert stratified_ci([[1.0, 1.0], [3.0, 3.0, 3.0, 3.0]]) == (2.0, 2.0)
    assert stratified_ci([[0.25]]) == (0.25, 0.25)
    strata = [VALUES[:5], VALUES[5:]]
    rng = np.random.default_rng(20231123)
    total = np.zeros(1000)
    for values in strata:
        data = np.array(values)
        picks = rng.integers(0, len(values), size=(1000, len(values)))    # one stratum after the other, one generator
        total += np.array([data[row].sum() / len(values) for row in picks])
    means = np.sort(total / 2)
    low, high = stratified_ci(strata)
    assert low == pytest.approx(percentile(means, 2.5), abs=1e-12)
    assert high == pytest.approx(percentile(means, 97.5), abs=1e-12)
    low90, high90 = stratified_ci(strata, level=0.9)
    assert (low90, high90) == (pytest.approx(percentile(means, 5.0)), pytest.approx(percentile(means, 95.0)))
    assert stratified_ci(strata, seed=SEED + 1) != (low, high)
    assert stratified_ci(strata, iterations=10) != (low, high)
    assert isinstance(low, float) and isinstance(high, float)


def test_two_different_values_get_a_real_interval_not_the_degenerate_one():
    mean, low, high = mean_ci([0.0, 1.0])
    assert mean == 0.5 and low == 0.0 and high == 1.0     # resamples of two values: 0, 0.5 or 1
