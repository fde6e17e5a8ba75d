"""Judge biases, per judge and language, from pairwise verdicts already stored (each pair judged in
both orders: ``ab`` with the variant's answer first, ``ba`` with the baseline's first).

* **position** -- ``order_flip``: the share of pairs whose outcome changes with the order (both
  orders usable); ``first_position``: the share of decisive per-order verdicts (A or B, not tie) that
  pick the answer shown first, with a two-sided binomial test against 0.5 (scipy ``binomtest``):
  flagged at p < 0.05.
* **length** -- ``prefers_longer``: the share of decisive per-order verdicts, on pairs whose answers
  differ in length (characters), that pick the longer answer, binomial test against 0.5 (flagged at
  p < 0.05, either way); ``lc_gap``: raw win rate minus the length-controlled win rate
  (:func:`babelbench.analysis.rankings.length_controlled`, AlpacaEval 2.0's GLM) over the judge's
  comparisons, weighted by pairs -- descriptive, not flagged.
* **self-preference** -- ``self_preference``: on pairs where exactly one answer comes from a model of
  the judge's own family (:func:`model_family` of the variant's base model and the judge's model), that
  answer's score (1 win, 0.5 tie, 0 loss, both orders combined) from this judge minus its mean score
  from the other judges of the same pairs whose family is neither side's; paired permutation test
  (:func:`babelbench.analysis.paired.paired_permutation_p`), flagged at p < 0.05.
* **wrong language** -- ``prefers_wrong_language``: on pairs where exactly one answer is in the wrong
  language (the language-fidelity identifier's per-answer verdict), the share of decisive per-order
  verdicts that pick that answer (wanted: 0); flagged when it is 0.5 or more (the judge does not prefer
  the right-language answer); the p-value is a one-sided binomial test that it does (below 0.5).

A figure that cannot be computed (no pair in both orders, one judge only, no answer of the judge's
family, no wrong-language answer) has ``n = 0``, value None and a note saying why: not measured, never 0.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: A pair's outcome for the variant from its two orders (same winner twice = it; win + tie = win; ...).
_SCORE = {"A": 1.0, "tie": 0.5, "B": 0.0}
ALPHA = 0.05


@dataclass(frozen=True)
class PairVerdicts:
    """One judge's two verdicts on one (variant, baseline) pair of answers to the same document."""

    judge: str
    judge_model: str | None
    variant: str
    variant_model: str
    baseline: str
    baseline_model: str
    task: str
    language: str | None
    doc_id: int
    ab: str | None                  #: A | B | tie with the variant's answer first; None if unusable
    ba: str | None                  #: A | B | tie with the baseline's answer first; None if unusable
    length: int                     #: characters of the variant's answer
    baseline_length: int
    wrong_language: bool | None = None           #: the variant's answer; None when not known
    baseline_wrong_language: bool | None = None

    @property
    def complete(self) -> bool:
        return self.ab is not None and self.ba is not None

    def variant_score(self) -> float:
        """The pair's outcome for the variant, both orders combined (as the pairwise protocol does)."""
        assert self.ab is not None and self.ba is not None
        first, second = _SCORE[self.ab], 1.0 - _SCORE[self.ba]
        if first == second or {first, second} == {0.0, 1.0}:
            return (first + second) / 2
        return first if first != 0.5 else second

    def decisive(self) -> list[tuple[str, str]]:
        """(position picked, side picked) of each usable non-tie verdict; side: variant | baseline."""
        out = []
        for order, verdict in (("ab", self.ab), ("ba", self.ba)):
            if verdict in ("A", "B"):
                first = "variant" if order == "ab" else "baseline"
                other = "baseline" if first == "variant" else "variant"
                out.append((verdict, first if verdict == "A" else other))
        return out


@dataclass(frozen=True)
class BiasFigure:
    judge: str
    language: str | None            #: None: all languages
    bias: str                       #: position | length | self-preference | wrong-language
    figure: str
    value: float | None             #: None when not measured
    n: int
    p_value: float | None = None
    flagged: bool | None = None     #: None: not measured or not a test
    note: str = ""


def model_family(model: str | None) -> str | None:
    """A model's family, the first run of letters of its last name part: ``google/gemma-3-27b-it`` ->
    ``gemma``, ``builtin:gemma-3-270m`` -> ``gemma``, ``Qwen/Qwen2.5-7B`` -> ``qwen``."""
    if not model:
        return None
    name = re.split(r"[/:\\]", model.strip().rstrip("/"))[-1].lower()
    found = re.search(r"[a-z]+", name)
    return found.group(0) if found else None


def _binomial(k: int, n: int, alternative: str = "two-sided") -> float:
    from scipy.stats import binomtest

    return float(binomtest(k, n, 0.5, alternative=alternative).pvalue)


def _missing(judge: str, language: str | None, bias: str, figure: str, why: str) -> BiasFigure:
    return BiasFigure(judge, language, bias, figure, None, 0, note=f"not measured: {why}")


def position_figures(judge: str, language: str | None, pairs: Sequence[PairVerdicts]) -> list[BiasFigure]:
    complete = [p for p in pairs if p.complete]
    if not complete:
        why = "no pair judged in both orders"
        return [_missing(judge, language, "position", "order_flip", why),
                _missing(judge, language, "position", "first_position", why)]
    flips = sum(_SCORE[p.ab] != 1.0 - _SCORE[p.ba] for p in complete if p.ab and p.ba)
    picks = [position for p in complete for position, _side in p.decisive()]
    out = [BiasFigure(judge, language, "position", "order_flip", flips / len(complete), len(complete),
                      note="share of pairs whose outcome changes with the order")]
    if not picks:
        return [*out, _missing(judge, language, "position", "first_position", "every verdict is a tie")]
    k, p = picks.count("A"), _binomial(picks.count("A"), len(picks))
    return [*out, BiasFigure(judge, language, "position", "first_position", k / len(picks), len(picks), p, p < ALPHA,
                             "share of decisive verdicts picking the answer shown first (no bias: 0.5)")]


def length_figures(judge: str, language: str | None, pairs: Sequence[PairVerdicts]) -> list[BiasFigure]:
    picks = []
    for p in pairs:
        if p.length != p.baseline_length:
            longer = "variant" if p.length > p.baseline_length else "baseline"
            picks += [side == longer for _position, side in p.decisive()]
    if picks:
        k = sum(picks)
        p_value = _binomial(k, len(picks))
        out = [BiasFigure(judge, language, "length", "prefers_longer", k / len(picks), len(picks), p_value,
                          p_value < ALPHA, "share of decisive verdicts picking the longer answer (no bias: 0.5)")]
    else:
        out = [_missing(judge, language, "length", "prefers_longer", "no decisive verdict on answers of different "
                                                                      "lengths")]
    return [*out, _lc_gap(judge, language, [p for p in pairs if p.complete])]


def _lc_gap(judge: str, language: str | None, pairs: Sequence[PairVerdicts]) -> BiasFigure:
    """Raw minus length-controlled win rate, per (variant, baseline) comparison, weighted by pairs."""
    from .rankings import Judged, length_controlled

    by_baseline: dict[str, list[PairVerdicts]] = defaultdict(list)
    for p in pairs:
        by_baseline[p.baseline].append(p)
    gaps, weights = [], []
    for group in by_baseline.values():
        judged = [Judged(p.variant, (p.task, p.doc_id), p.language, p.variant_score(),
                         float(p.length - p.baseline_length)) for p in group]
        lc = length_controlled(judged)
        for variant in sorted({p.variant for p in group}):
            mine = [p.variant_score() for p in group if p.variant == variant]
            gaps.append(sum(mine) / len(mine) - lc[(variant, None)])
            weights.append(len(mine))
    if not weights:
        return _missing(judge, language, "length", "lc_gap", "no pair judged in both orders")
    value = sum(g * w for g, w in zip(gaps, weights)) / sum(weights)
    return BiasFigure(judge, language, "length", "lc_gap", value, sum(weights),
                      note="raw win rate minus length-controlled win rate (descriptive)")


def _own_scores(pairs: Sequence[PairVerdicts], family: str) -> dict[tuple, float]:
    """Pair -> the score of the side whose base model is of ``family`` (exactly one side)."""
    out = {}
    for p in pairs:
        if not p.complete:
            continue
        mine, theirs = model_family(p.variant_model) == family, model_family(p.baseline_model) == family
        if mine != theirs:
            score = p.variant_score()
            out[(p.variant, p.baseline, p.task, p.doc_id)] = score if mine else 1.0 - score
    return out


def self_preference(judge: str, language: str | None, pairs: Sequence[PairVerdicts],
                    others: Sequence[PairVerdicts]) -> BiasFigure:
    """``pairs``: this judge's; ``others``: every other judge's verdicts (same scope)."""
    from .paired import paired_permutation_p

    family = model_family(pairs[0].judge_model) if pairs else None
    if family is None:
        return _missing(judge, language, "self-preference", "self_preference", "the judge's model is not known")
    own = _own_scores(pairs, family)
    if not own:
        return _missing(judge, language, "self-preference", "self_preference",
                        f"no pair with exactly one answer from a {family} model")
    neutral: dict[tuple, list[float]] = defaultdict(list)
    for name in sorted({o.judge for o in others}):
        theirs = [o for o in others if o.judge == name]
        if model_family(theirs[0].judge_model) in {model_family(p.variant_model) for p in theirs} | \
                {model_family(p.baseline_model) for p in theirs}:
            continue    # a judge of one side's family is no neutral reference
        for key, score in _own_scores(theirs, family).items():
            neutral[key].append(score)
    common = sorted(k for k in own if k in neutral)
    if not common:
        return _missing(judge, language, "self-preference", "self_preference",
                        "no other judge of another family judged the same pairs")
    a = [sum(neutral[k]) / len(neutral[k]) for k in common]
    b = [own[k] for k in common]
    p = paired_permutation_p(a, b)
    return BiasFigure(judge, language, "self-preference", "self_preference", (sum(b) - sum(a)) / len(common),
                      len(common), p, p < ALPHA, f"{family} answers' win rate from this judge minus from the others")


def wrong_language_figure(judge: str, language: str | None, pairs: Sequence[PairVerdicts]) -> BiasFigure:
    picks, mixed = [], 0
    for p in pairs:
        if p.wrong_language is None or p.baseline_wrong_language is None or \
                p.wrong_language == p.baseline_wrong_language:
            continue
        mixed += 1
        wrong = "variant" if p.wrong_language else "baseline"
        picks += [side == wrong for _position, side in p.decisive()]
    if not picks:
        return _missing(judge, language, "wrong-language", "prefers_wrong_language",
                        f"no decisive verdict on the {mixed} pairs with exactly one answer in the wrong language"
                        if mixed else "no pair with exactly one answer in the wrong language")
    k = sum(picks)
    p_value = _binomial(k, len(picks), "less")
    return BiasFigure(judge, language, "wrong-language", "prefers_wrong_language", k / len(picks), len(picks), p_value,
                      k / len(picks) >= 0.5, "share of decisive verdicts picking the wrong-language answer (wanted: 0)")


def bias_figures(verdicts: Sequence[PairVerdicts]) -> list[BiasFigure]:
    """Every figure per judge, over all languages (language None) and per language."""
    scopes: dict[tuple[str, str | None], list[PairVerdicts]] = defaultdict(list)
    for v in verdicts:
        scopes[(v.judge, None)].append(v)
        if v.language is not None:
            scopes[(v.judge, v.language)].append(v)
    figures: list[Callable[[str, str | None, Sequence[PairVerdicts]], list[BiasFigure]]] = [
        position_figures, length_figures, lambda j, lang, ps: [wrong_language_figure(j, lang, ps)]]
    out = []
    for (judge, language), pairs in sorted(scopes.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        for figure in figures:
            out += figure(judge, language, pairs)
        others = [v for (j, lang), vs in scopes.items() if j != judge and lang == language for v in vs]
        out.append(self_preference(judge, language, pairs, others))
    return out


@dataclass(frozen=True)
class AnswerGrades:
    """One judge's grades of one answer (rubric facets), with the identifier's verdict on its language."""

    judge: str
    language: str | None
    task: str
    doc_id: int
    variant: str
    scores: dict[str, float]
    wrong_language: bool | None


def grade_gap_figures(grades: Sequence[AnswerGrades]) -> list[BiasFigure]:
    """``wrong_language_gap:<facet>`` per judge and facet, over all languages (None) and per language."""
    scopes: dict[tuple[str, str | None, str], dict[bool, list[float]]] = defaultdict(lambda: {True: [], False: []})
    for g in grades:
        if g.wrong_language is None:
            continue
        for facet, value in g.scores.items():
            for language in (None, g.language) if g.language is not None else (None,):
                scopes[(g.judge, language, facet)][g.wrong_language].append(float(value))
    out = []
    for (judge, language, facet), split in sorted(scopes.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        out.append(_grade_gap(judge, language, facet, split[True], split[False]))
    return out


def _grade_gap(judge: str, language: str | None, facet: str, wrong: list[float], right: list[float]) -> BiasFigure:
    from scipy.stats import mannwhitneyu

    figure = f"wrong_language_gap:{facet}"
    if not wrong or not right:
        return _missing(judge, language, "wrong-language", figure,
                        "no answer in the wrong language" if not wrong else "no answer in the right language")
    gap = sum(wrong) / len(wrong) - sum(right) / len(right)
    p = float(mannwhitneyu(wrong, right, alternative="less").pvalue)
    return BiasFigure(judge, language, "wrong-language", figure, gap, len(wrong), p, gap >= 0,
                      f"mean {facet} of wrong-language answers minus right-language ones (wanted: below 0); "
                      f"n wrong-language answers, {len(right)} right")
