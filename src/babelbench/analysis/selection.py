"""Checkpoint selection: score each kept checkpoint on the validation tasks, per language, and
choose one by an aggregate across languages (mean, worst language, or weighted)."""

from __future__ import annotations

from collections.abc import Mapping


def aggregate(per_language: Mapping[str, float], how: str | Mapping[str, float]) -> float:
    """One number from per-language scores: their mean, their minimum (``worst``), or a weighted mean
    (weights over the languages present, renormalised)."""
    if not per_language:
        raise ValueError("no per-language scores")
    if how == "mean":
        return sum(per_language.values()) / len(per_language)
    if how == "worst":
        return min(per_language.values())
    if isinstance(how, Mapping):
        weights = {lang: float(how.get(lang, 0.0)) for lang in per_language}
        total = sum(weights.values())
        if total <= 0:
            raise ValueError(f"no weight for any of the languages scored: {sorted(per_language)}")
        return sum(per_language[lang] * w for lang, w in weights.items()) / total
    raise ValueError(f"unknown aggregate {how!r}")


def choose(scores: Mapping[int, Mapping[str, float]], how: str | Mapping[str, float],
           higher_is_better: bool = True) -> tuple[int, dict[int, float]]:
    """(the chosen step, the aggregate per step). Ties go to the earliest step (less training)."""
    totals = {step: aggregate(per_language, how) for step, per_language in scores.items() if per_language}
    if not totals:
        raise ValueError("no checkpoint has a validation score: the metric is missing for every language "
                         "(e.g. language_fidelity when no answer has letters); choose another select.metric")
    sign = 1.0 if higher_is_better else -1.0
    best = min(totals, key=lambda step: (-sign * totals[step], step))
    return best, totals
