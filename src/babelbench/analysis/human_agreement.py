"""Judge-human agreement per judge x language x facet, and agreement between humans.

Rubric facets: every (human rating, judge grade) pair of the same answer counts once -- pooled over
raters, not the raters' mean -- so n is the number of pairs, and an answer two people rated weighs twice;
the bootstrap resamples answers (all of an answer's pairs together), so the interval does not take
two raters of one answer for two answers. Human grades are moved onto the judge's scale by level
(the study's 0-2 is the judge's 1-3: 0 -> 1, 1 -> 2, 2 -> 3); a grade on a scale with another number
of levels is left out. Kappa is quadratic-weighted over the judge's whole scale. Between humans:
Krippendorff's alpha (ordinal) on the level (0 = lowest) each rater gave, per language and facet.
Pairwise: the human's outcome (win, tie, loss of the rated answer, whatever order it was shown in)
against the judge's, both orders combined as the judge's metrics combine them; agreement rate and
plain Cohen's kappa. Rows for every language, and ``all`` over them (when there are two or more).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .agreement import cohen_kappa, krippendorff_alpha_ordinal, spearman
from .bootstrap import cluster_ci

ALL = "all"
OUTCOMES = ("win", "tie", "loss")
Pair = tuple[Any, Any]
Key = tuple[str, str, int]


def _estimate(clusters: Mapping[Key, Sequence[Any]], statistic: Callable[[list[Any]], float | None],
              name: str) -> dict[str, Any]:
    pairs = [p for c in clusters.values() for p in c]
    low, high = cluster_ci(list(clusters.values()), statistic)
    return {name: statistic(pairs), f"{name}_low": low, f"{name}_high": high}


def _groups(rows: Sequence[dict[str, Any]], head: Callable[[dict[str, Any]], tuple | None],
            pair: Callable[[dict[str, Any]], Pair | None]) -> dict[tuple, dict[Key, list[Pair]]]:
    """(group..., language) and (group..., 'all') -> answer key -> its pairs."""
    out: dict[tuple, dict[Key, list[Pair]]] = {}
    for r in rows:
        group, value = head(r), pair(r)
        if group is None or value is None:
            continue
        for language in (r["language"] or "—", ALL):
            out.setdefault((*group, language), {}).setdefault((r["eval_key"], r["task"], r["doc_id"]), []).append(value)
    if len({k[-1] for k in out} - {ALL}) == 1:   # one language: its rows are the 'all' rows
        out = {k: v for k, v in out.items() if k[-1] != ALL}
    return out


def rubric_agreement(pairs: Sequence[dict[str, Any]], scales: dict[str, dict[str, tuple[int, int]]],
                     alphas: dict[tuple[str, str], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per judge, language and facet: n pairs, answers, raters, kappa and rho with 95 % intervals, and
    the humans' alpha for that language and facet (``alphas``, from :func:`human_alpha`)."""

    def pair(r: dict[str, Any]) -> Pair | None:
        scale = scales.get(r["judge"], {}).get(r["facet"])
        grade = r["scores"].get(r["facet"]) if r["status"] == "ok" else None
        if scale is None or not isinstance(grade, int) or r["scale_max"] - r["scale_min"] != scale[1] - scale[0]:
            return None
        return grade, r["score"] - r["scale_min"] + scale[0]

    out = []
    for (judge, facet, language), clusters in sorted(_groups(pairs, lambda r: (r["judge"], r["facet"]), pair).items(),
                                                     key=lambda kv: (kv[0][0], kv[0][2] == ALL, kv[0][2], kv[0][1])):
        low, high = scales[judge][facet]
        labels = list(range(low, high + 1))

        def weighted(ps: list[Pair], labels: list[int] = labels) -> float | None:
            return cohen_kappa([j for j, _ in ps], [h for _, h in ps], labels, quadratic=True)

        kappa = _estimate(clusters, weighted, "kappa")
        rho = _estimate(clusters, lambda ps: spearman([j for j, _ in ps], [h for _, h in ps]), "rho")
        raters = {r["rater"] for r in pairs if r["judge"] == judge and r["facet"] == facet
                  and language in (ALL, r["language"] or "—")}
        out.append({"judge": judge, "language": language, "facet": facet,
                    "n": sum(len(c) for c in clusters.values()), "answers": len(clusters), "raters": len(raters),
                    **kappa, **rho, **(alphas or {}).get((language, facet), {"alpha": None, "alpha_units": 0})})
    return out


def human_alpha(ratings: Sequence[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(language or 'all', facet) -> alpha between raters (ordinal, on levels: 0 = the scale's lowest), its
    interval, and the answers at least two people rated (``alpha_units``). Grades on a scale with another
    number of levels than the facet's most used one are left out."""
    groups = _groups(ratings, lambda r: (r["facet"],),
                     lambda r: (r["score"] - r["scale_min"], r["scale_max"] - r["scale_min"]))
    out = {}
    for (facet, language), units in groups.items():
        tops = [top for c in units.values() for _, top in c]
        top = max(set(tops), key=lambda t: (tops.count(t), -t))
        # one item per answer, its grades: a bootstrap that draws an answer twice has two units, not one
        shared = {k: [[level for level, t in c if t == top]] for k, c in units.items()}
        shared = {k: c for k, c in shared.items() if len(c[0]) >= 2}
        if not shared:
            continue
        domain = list(range(top + 1))

        def alpha(units: list[list[int]], domain: list[int] = domain) -> float | None:
            return krippendorff_alpha_ordinal(units, domain)

        estimate = _estimate(shared, alpha, "alpha")
        out[(language, facet)] = {**estimate, "alpha_units": len(shared)}
    return out


def _judge_outcome(verdicts: dict[str, str | None]) -> str | None:
    """The judge's outcome for the rated answer from its verdicts in each order shown (ab: the rated
    answer first), combined as the judge's own metrics combine them; None if a verdict is missing."""
    from ..judge.protocols.pairwise import combine

    by_order = {"ab": {"A": "win", "B": "loss", "tie": "tie"}, "ba": {"A": "loss", "B": "win", "tie": "tie"}}
    outcomes = [by_order[o][v] for o, v in verdicts.items() if o in by_order and v in by_order[o]]
    if not outcomes or len(outcomes) != len(verdicts):
        return None
    return outcomes[0] if len(outcomes) == 1 else combine(outcomes[0], outcomes[1])


def pairwise_agreement(pairs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per pairwise judge and language: n (human verdict, judge outcome) pairs, the share that agree and
    Cohen's kappa over win / tie / loss, each with a 95 % interval (answers resampled)."""

    def pair(r: dict[str, Any]) -> Pair | None:
        judge = _judge_outcome(r["judge_verdicts"])
        return None if judge is None or r["outcome"] is None else (judge, r["outcome"])

    out = []
    for (judge, language), clusters in sorted(_groups(pairs, lambda r: (r["judge"],), pair).items(),
                                              key=lambda kv: (kv[0][0], kv[0][1] == ALL, kv[0][1])):
        rate = _estimate(clusters, lambda ps: sum(j == h for j, h in ps) / len(ps), "agreement")
        kappa = _estimate(clusters, lambda ps: cohen_kappa([j for j, _ in ps], [h for _, h in ps], OUTCOMES), "kappa")
        out.append({"judge": judge, "language": language, "n": sum(len(c) for c in clusters.values()),
                    "answers": len(clusters), **rate, **kappa})
    return out
