"""Which answer a person rates next: those they have not rated, the judge's least certain first.

An answer's priority adds up: the judge's reply did not parse (3), the raters who rated it disagree
(2 x the spread of their levels, as a share of the scale), the rubric judges disagree (their spread),
and the judge's grades sit near the middle of the scale (1 at the middle, 0 at an end); for a pair:
the judge's verdicts in the two orders differ, or it called a tie (1). Ties keep the stored order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.ratings import HumanRating

Key = tuple[str, str, int]


def _spread(levels: Sequence[float]) -> float:
    return max(levels) - min(levels) if len(levels) > 1 else 0.0


def _rater_spread(ratings: Sequence[HumanRating]) -> float:
    """Mean over facets of the raters' spread of levels, each level a share of its scale."""
    by_facet: dict[str, list[float]] = {}
    for r in ratings:
        if r.score is not None and r.scale_min is not None and r.scale_max is not None:
            by_facet.setdefault(r.facet, []).append((r.score - r.scale_min) / (r.scale_max - r.scale_min))
    return sum(_spread(v) for v in by_facet.values()) / len(by_facet) if by_facet else 0.0


def rubric_priority(answer: dict[str, Any], judge: str, scales: dict[str, tuple[int, int]],
                    others: Sequence[HumanRating]) -> tuple[float, list[str]]:
    """(priority, reasons) of one answer of :func:`babelbench.store.rating_queries.rubric_answers`."""
    mine = [g for g in answer["grades"] if g["judge"] == judge]
    if not mine or any(g["status"] != "ok" for g in mine):
        return 3.0 + 2 * _rater_spread(others), ["the judge's reply did not parse"]
    reasons, score = [], 0.0
    grades = mine[0]["scores"]
    middles = [1 - abs(grades[f] - (lo + hi) / 2) / ((hi - lo) / 2) for f, (lo, hi) in scales.items()
               if isinstance(grades.get(f), int)]
    if middles:
        score += sum(middles) / len(middles)
        if sum(middles) / len(middles) >= 0.5:
            reasons.append("judge grades near the middle")
    spreads = [_spread([g["scores"][f] for g in answer["grades"] if g["status"] == "ok"
                        and isinstance(g["scores"].get(f), int)]) / (hi - lo) for f, (lo, hi) in scales.items()]
    if spreads and max(spreads) > 0:
        score += sum(spreads) / len(spreads)
        reasons.append("judges disagree")
    raters = _rater_spread(others)
    if raters > 0:
        score += 2 * raters
        reasons.append("raters disagree")
    return score, reasons


def pairwise_priority(answer: dict[str, Any], others: Sequence[HumanRating]) -> tuple[float, list[str]]:
    """(priority, reasons) of one pair of :func:`babelbench.store.rating_queries.pairwise_answers`."""
    verdicts = answer["verdicts"]
    outcomes = {r.outcome() for r in others} - {None}
    score, reasons = (2.0, ["raters disagree"]) if len(outcomes) > 1 else (0.0, [])
    if any(v["status"] != "ok" for v in verdicts):
        return score + 3.0, [*reasons, "the judge's reply did not parse"]
    shown = {(v["judge"], v["order"]): v["verdict"] for v in verdicts}
    # the same letter in both orders: a different answer preferred once the order is swapped
    flips = any((j, "ba") in shown and shown[(j, "ab")] == shown[(j, "ba")] != "tie" for j, o in shown if o == "ab")
    if flips or any(v["verdict"] == "tie" for v in verdicts):
        score += 1.0
        reasons.append("the judge's verdict depends on the order" if flips else "the judge called a tie")
    return score, reasons


def queue(answers: Sequence[dict[str, Any]], ratings: Sequence[HumanRating], rater: str, priority,
          baseline: bool = False) -> list[dict[str, Any]]:
    """The answers ``rater`` has not rated yet, highest ``priority(answer, others' ratings)`` first;
    each gets ``priority`` and ``reasons``. ``baseline``: pairs (a rating counts for its comparison)."""
    def key(a: dict[str, Any] | HumanRating) -> tuple:
        get = a.get if isinstance(a, dict) else a.__getattribute__
        return (get("eval_key"), get("task"), get("doc_id"), get("baseline_eval") if baseline else "")

    rated = {key(r) for r in ratings if r.rater == rater and r.pairwise == baseline}
    by_answer: dict[tuple, list[HumanRating]] = {}
    for r in ratings:
        if r.pairwise == baseline and r.rater != rater:
            by_answer.setdefault(key(r), []).append(r)
    out = []
    for a in answers:
        if key(a) in rated:
            continue
        score, reasons = priority(a, by_answer.get(key(a), []))
        out.append({**a, "priority": score, "reasons": reasons})
    return sorted(out, key=lambda a: -a["priority"])
