"""Greedy budget allocation: equal to brute force over every allocation on small grids, floors and caps
respected, marginal gains equalised at the optimum, infeasible settings refused with a clear reason."""

from __future__ import annotations

import itertools
import math

import pytest

from babelbench.analysis.allocation import AllocationError, allocate


def power(c: float, a: float, alpha: float):
    return lambda n: c - a * (n + 1) ** (-alpha)


def log(a: float, b: float):
    return lambda n: a + b * math.log(n + 1)


CURVES = {
    "ar": power(60.0, 45.0, 0.35),
    "zh": power(40.0, 30.0, 0.8),
    "hi": log(10.0, 3.0),
    "tr": power(55.0, 50.0, 0.2),
}


def brute_force(curves, budget, floors, caps, weights, step):
    """Every allocation of whole steps from the floors within the caps and the budget: (best objective, all argmax)."""
    langs = sorted(curves)
    ranges = []
    for lang in langs:
        floor = floors.get(lang, 0)
        top = caps.get(lang, budget)
        ranges.append(range(floor, min(top, budget) + 1, step))
    best, argmax = -math.inf, []
    for sizes in itertools.product(*ranges):
        if sum(sizes) > budget:
            continue
        value = sum(weights.get(lang, 1.0) * curves[lang](n) for lang, n in zip(langs, sizes))
        if value > best + 1e-9:
            best, argmax = value, [dict(zip(langs, sizes))]
        elif abs(value - best) <= 1e-9:
            argmax.append(dict(zip(langs, sizes)))
    return best, argmax


CASES = [
    # languages, budget, floors, caps, weights, step
    (("ar", "zh"), 100, {}, {}, {}, 10),
    (("ar", "zh"), 250, {"ar": 20}, {"zh": 60}, {}, 10),
    (("ar", "zh", "hi"), 200, {}, {}, {"hi": 2.0}, 10),
    (("ar", "zh", "hi"), 155, {"zh": 30, "hi": 10}, {"ar": 50}, {"ar": 0.5}, 10),
    (("ar", "zh", "hi", "tr"), 160, {"tr": 40}, {"zh": 30, "hi": 50}, {}, 20),
    (("ar", "zh", "hi", "tr"), 120, {}, {}, {"ar": 1.5, "zh": 0.2, "hi": 1.0, "tr": 3.0}, 10),
    (("ar", "zh", "hi", "tr"), 0, {}, {}, {}, 10),
    (("zh", "hi"), 73, {"zh": 3}, {}, {}, 7),
]


@pytest.mark.parametrize("langs, budget, floors, caps, weights, step", CASES)
def test_greedy_equals_brute_force(langs, budget, floors, caps, weights, step):
    curves = {lang: CURVES[lang] for lang in langs}
    result = allocate(curves, budget, floors=floors, caps=caps, weights=weights, step=step)
    best, argmax = brute_force(curves, budget, floors, caps, weights, step)
    assert result.objective == pytest.approx(best, abs=1e-9)
    assert result.sizes in argmax
    assert len(argmax) == 1   # these curves have one optimum: the sizes themselves are checked
    assert result.unallocated == budget - sum(result.sizes.values())


@pytest.mark.parametrize("langs, budget, floors, caps, weights, step", CASES)
def test_floors_caps_and_steps_are_respected(langs, budget, floors, caps, weights, step):
    result = allocate({lang: CURVES[lang] for lang in langs}, budget, floors=floors, caps=caps, weights=weights,
                      step=step)
    assert sum(result.sizes.values()) <= budget
    for lang, n in result.sizes.items():
        assert n >= floors.get(lang, 0)
        assert n <= caps.get(lang, budget)
        assert (n - floors.get(lang, 0)) % step == 0
    # increasing curves: the budget is spent unless less than a step is left or every language is capped
    assert result.unallocated < step or all(
        result.sizes[lang] + step > caps.get(lang, math.inf) for lang in langs)


@pytest.mark.parametrize("langs, budget, floors, caps, weights, step", CASES)
def test_marginal_gains_are_equalised_at_the_optimum(langs, budget, floors, caps, weights, step):
    curves = {lang: CURVES[lang] for lang in langs}
    result = allocate(curves, budget, floors=floors, caps=caps, weights=weights, step=step)
    for lang, n in result.sizes.items():
        if n - step < floors.get(lang, 0):
            assert result.last_gain[lang] is None
            continue   # took no step: nothing to compare
        last = weights.get(lang, 1.0) * (curves[lang](n) - curves[lang](n - step))
        assert result.last_gain[lang] == pytest.approx(last)
        for other, gain in result.next_gain.items():
            if gain is not None:
                assert last >= gain - 1e-12, (lang, other)


def test_a_hand_computed_allocation():
    # a: 1 per example up to 20, then flat; b: 0.5 per example. Steps of 10 from 40:
    # a, a (gain 10 each), then b, b (gain 5 each; a's next step gains 0).
    curves = {"a": lambda n: min(n, 20), "b": lambda n: 0.5 * n}
    result = allocate(curves, 40, step=10)
    assert result.sizes == {"a": 20, "b": 20}
    assert result.objective == 30.0
    assert result.next_gain == {"a": None, "b": None}   # no whole step left
    assert result.last_gain == {"a": 10, "b": 5}
    # b weighted 3: its steps gain 15 each, more than a's 10
    assert allocate(curves, 40, step=10, weights={"b": 3.0}).sizes == {"a": 0, "b": 40}
    # a budget that is no whole number of steps leaves the rest unallocated
    assert allocate(curves, 47, step=10).unallocated == 7


def test_a_language_weighted_zero_gets_its_floor_only():
    result = allocate({"ar": CURVES["ar"], "zh": CURVES["zh"]}, 200, floors={"ar": 30}, weights={"ar": 0.0}, step=10)
    assert result.sizes == {"ar": 30, "zh": 170}


def test_falling_curves_take_no_step():
    result = allocate({"x": lambda n: -n, "y": lambda n: -2 * n}, 100, floors={"x": 10}, step=10)
    assert result.sizes == {"x": 10, "y": 0} and result.unallocated == 90


@pytest.mark.parametrize("kwargs, message", [
    ({"budget": 100, "floors": {"ar": 60, "zh": 50}}, "the floors add up to 110, more than the budget 100"),
    ({"budget": 100, "caps": {"ar": 40, "zh": 50}}, "the caps add up to 90, less than the budget 100"),
    ({"budget": 100, "floors": {"ar": 50}, "caps": {"ar": 40}}, "cap of ar (40) is below its floor (50)"),
    ({"budget": 100, "floors": {"fr": 10}}, "floor for fr, which is not among the languages allocated (ar, zh)"),
    ({"budget": 100, "weights": {"ar": -1.0}}, "weight of ar must be a number >= 0"),
    ({"budget": 100, "step": 0}, "step must be >= 1"),
    ({"budget": -5}, "budget must be >= 0"),
])
def test_infeasible_settings_are_refused(kwargs, message):
    budget = kwargs.pop("budget")
    with pytest.raises(AllocationError) as err:
        allocate({"ar": CURVES["ar"], "zh": CURVES["zh"]}, budget, **kwargs)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_caps_of_only_some_languages_do_not_bound_the_budget():
    result = allocate({"ar": CURVES["ar"], "zh": CURVES["zh"]}, 100, caps={"ar": 10}, step=10)
    assert result.sizes == {"ar": 10, "zh": 90}
