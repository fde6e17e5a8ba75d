"""Allocating a data budget across languages to maximise the summed (weighted) predicted quality.

The problem: choose sizes n_l, each ``floor_l + k_l·step`` (k_l a whole number of steps) and at most
``cap_l``, with sum_l n_l <= B, maximising sum_l w_l·q_l(n_l). Every size starts at its floor; the
``K = (B - sum floors) // step`` steps are handed out one at a time, each to the language whose next
step adds the most weighted quality, w_l·(q_l(n_l + step) - q_l(n_l)), until the steps run out,
every language is at its cap, or no step adds anything (a negative gain is never taken).

For concave q_l the gains of one language shrink step by step, so this greedy choice is optimal
(the separable concave resource-allocation problem, Gross 1956 / Fox 1966): the steps taken are
the K largest gains over all languages, and any other allocation swaps one of them for a smaller
one. At the optimum the last step given to a language gains at least as much as the next step any
other language could still take (marginal gains are equalised, up to one step). The scaling laws
of :mod:`babelbench.analysis.scaling` are concave by their bounds; for a curve that is not, the
result is still a valid allocation but may not be the best one.

Budget left over (less than one step, or what the caps leave) is reported as ``unallocated``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass


class AllocationError(ValueError):
    """Settings no allocation can satisfy (floors above the budget, caps below it, bad numbers)."""


@dataclass(frozen=True)
class Allocation:
    """Sizes per language, the objective they reach, and what is left of the budget."""

    sizes: dict[str, int]
    objective: float
    budget: int
    unallocated: int
    #: language -> weighted gain of the last step it was given (None: it kept its floor)
    last_gain: dict[str, float | None]
    #: language -> weighted gain of its next step (None: at its cap, or no whole step left in the budget)
    next_gain: dict[str, float | None]


def check_settings(languages: list[str], budget: int, floors: Mapping[str, int], caps: Mapping[str, int],
                   weights: Mapping[str, float], step: int) -> None:
    """Raise :class:`AllocationError` with a one-line reason for settings that cannot be met."""
    known = set(languages)
    for what, table in (("floor", floors), ("cap", caps), ("weight", weights)):
        unknown = sorted(set(table) - known)
        if unknown:
            raise AllocationError(f"{what} for {', '.join(unknown)}, which is not among the languages "
                                  f"allocated ({', '.join(languages)})")
    if not languages:
        raise AllocationError("no language to allocate to")
    if budget < 0:
        raise AllocationError(f"budget must be >= 0, got {budget}")
    if step < 1:
        raise AllocationError(f"step must be >= 1, got {step}")
    for lang in languages:
        floor, cap = floors.get(lang, 0), caps.get(lang)
        if floor < 0:
            raise AllocationError(f"floor of {lang} must be >= 0, got {floor}")
        if cap is not None and cap < floor:
            raise AllocationError(f"cap of {lang} ({cap}) is below its floor ({floor})")
        weight = weights.get(lang, 1.0)
        if not math.isfinite(weight) or weight < 0:
            raise AllocationError(f"weight of {lang} must be a number >= 0, got {weight}")
    total_floor = sum(floors.get(lang, 0) for lang in languages)
    if total_floor > budget:
        raise AllocationError(f"the floors add up to {total_floor}, more than the budget {budget}")
    if all(lang in caps for lang in languages):
        total_cap = sum(caps[lang] for lang in languages)
        if total_cap < budget:
            raise AllocationError(f"the caps add up to {total_cap}, less than the budget {budget}: "
                                  "raise a cap or lower the budget")


def allocate(curves: Mapping[str, Callable[[int], float]], budget: int, *,
             floors: Mapping[str, int] | None = None, caps: Mapping[str, int] | None = None,
             weights: Mapping[str, float] | None = None, step: int = 1) -> Allocation:
    """Greedy marginal-gain allocation of ``budget`` over ``curves`` (language -> q(n)), in steps."""
    floors, caps, weights = dict(floors or {}), dict(caps or {}), dict(weights or {})
    languages = sorted(curves)
    check_settings(languages, budget, floors, caps, weights, step)
    sizes = {lang: int(floors.get(lang, 0)) for lang in languages}
    steps_left = (budget - sum(sizes.values())) // step
    order = {lang: i for i, lang in enumerate(languages)}

    def gain(lang: str) -> float | None:
        cap = caps.get(lang)
        n = sizes[lang]
        if cap is not None and n + step > cap:
            return None
        return weights.get(lang, 1.0) * (float(curves[lang](n + step)) - float(curves[lang](n)))

    heap: list[tuple[float, int, str]] = []
    for lang in languages:
        g = gain(lang)
        if g is not None:
            heapq.heappush(heap, (-g, order[lang], lang))
    while steps_left > 0 and heap:
        negative, _, lang = heapq.heappop(heap)
        if -negative < 0:
            break
        sizes[lang] += step
        steps_left -= 1
        g = gain(lang)
        if g is not None:
            heapq.heappush(heap, (-g, order[lang], lang))
    spent = sum(sizes.values())
    objective = sum(weights.get(lang, 1.0) * float(curves[lang](sizes[lang])) for lang in languages)
    next_gain = {lang: gain(lang) if spent + step <= budget else None for lang in languages}
    last_gain = {lang: weights.get(lang, 1.0) * (float(curves[lang](n)) - float(curves[lang](n - step)))
                 if n - step >= floors.get(lang, 0) else None for lang, n in sizes.items()}
    return Allocation(sizes=sizes, objective=objective, budget=budget, unallocated=budget - spent,
                      last_gain=last_gain, next_gain=next_gain)
