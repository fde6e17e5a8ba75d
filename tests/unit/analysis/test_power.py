"""Minimum detectable differences and documents needed, against hand-computed values and scipy."""

from __future__ import annotations

import math

import pytest

from babelbench.analysis.paired import compare
from babelbench.analysis.power import documents_needed, minimum_detectable, sd_of_differences, z_sum


def test_z_sum_is_the_textbook_constant():
    # z_0.975 = 1.959964, z_0.8 = 0.841621
    assert z_sum() == pytest.approx(1.959964 + 0.841621, abs=1e-6)


def test_sd_of_differences_by_hand():
    a, b = [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 0.0]
    # differences 1, 0, 1, -1: mean 0.25, squares 0.5625 + 0.0625 + 0.5625 + 1.5625 = 2.75, / 3
    assert sd_of_differences(a, b) == pytest.approx(math.sqrt(2.75 / 3))
    assert sd_of_differences([1.0], [2.0]) is None


def test_mde_by_hand():
    # sd 0.5, n 100: 2.801585 * 0.5 / 10
    assert minimum_detectable(0.5, 100) == pytest.approx(0.1400793, abs=1e-6)
    assert minimum_detectable(None, 100) is None and minimum_detectable(0.5, 1) is None


def test_documents_needed_by_hand():
    # (2.801585 * 0.5 / 0.1)^2 = 196.22 -> 197; (2.801585 * 0.3 / 0.05)^2 = 282.56 -> 283
    assert documents_needed(0.5, 0.1) == 197
    assert documents_needed(0.3, 0.05) == 283
    assert documents_needed(0.3, -0.05) == 283
    assert documents_needed(0.0, 0.05) == 2
    assert documents_needed(None, 0.05) is None
    with pytest.raises(ValueError):
        documents_needed(0.3, 0.0)


def test_the_mde_has_the_promised_power_under_the_normal_model():
    """At the MDE, a two-sided z test at 0.05 rejects with probability 0.8 (scipy's normal distribution)."""
    from scipy.stats import norm

    sd, n = 0.42, 57
    mde = minimum_detectable(sd, n)
    shift = mde / (sd / math.sqrt(n))
    crit = norm.ppf(0.975)
    power = norm.sf(crit - shift) + norm.cdf(-crit - shift)
    assert power == pytest.approx(0.8, abs=1e-5)
    # and the documents needed for a difference are the fewest whose MDE is at most it
    needed = documents_needed(sd, 0.1)
    assert minimum_detectable(sd, needed) <= 0.1 < minimum_detectable(sd, needed - 1)


def test_each_comparison_row_carries_its_power():
    a = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0]
    b = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    [row] = compare({("t_en", "en", "f1"): (a, b)})
    import statistics

    sd = statistics.stdev([y - x for x, y in zip(a, b)])
    assert row.sd_diff == pytest.approx(sd)
    assert row.mde == pytest.approx(z_sum() * sd / math.sqrt(6))
