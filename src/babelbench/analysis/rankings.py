"""Rankings from pairwise judgments: Bradley–Terry strengths and length-controlled win rates.

Both are L2-regularised logistic regressions over a design matrix, fitted by maximum
likelihood with scipy (the tests check the coefficients against scikit-learn's
``LogisticRegression`` on the same design and penalty). Soft labels (a tie is half a win) enter
as two rows weighted 0.5 each, as AlpacaEval fits its GLM on soft preferences.

* **Bradley–Terry** (as Arena-Hard reports it): P(i beats j) = σ(θ_i − θ_j), the anchor (the
  baseline) fixed at θ = 0; a variant's score is its win probability against the anchor,
  σ(θ_i), with a 95 % interval from refits on prompts resampled with replacement (100 rounds).
* **Length-controlled win rate** (AlpacaEval 2.0's GLM, for answers judged against one
  baseline): logit P(variant ≻ baseline | prompt i) = θ_m + γ_i + ψ_m · tanh(Δlen_i / sd), with
  γ_i a per-prompt difficulty shared by the variants, and the length term removed when
  predicting: LC_m = mean_i σ(θ_m + γ_i). Lengths are characters, and Δlen is standardised
  within each language (sd of the differences in that language), since character counts are
  not comparable across scripts. AlpacaEval fits γ once over many models and a φ_m slope on it;
  with the few variants of one study a shared additive γ (ridge-regularised) is what the data
  can identify.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.metric_name import JudgeMetric

#: Ridge strength on every coefficient (sklearn's C = 1 / RIDGE); small enough not to bias a
#: well-determined fit, large enough that a variant winning every battle gets a finite strength.
RIDGE = 0.1
BOOTSTRAP_ROUNDS = 100


@dataclass(frozen=True)
class Battle:
    """One prompt on which ``a`` met ``b``; ``outcome`` is a's score: 1 win, 0.5 tie, 0 loss."""

    prompt: tuple[str, int]
    a: str
    b: str
    outcome: float


def fit_logistic(x, y, weights, ridge: float = RIDGE):
    """Coefficients minimising sum_k w_k · logloss(y_k, σ(x_k · β)) + ridge / 2 · |β|²."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(weights, dtype=float)

    def loss(beta):
        z = x @ beta
        # log(1 + e^z) - y z, computed stably
        value = np.sum(w * (np.logaddexp(0.0, z) - y * z)) + ridge / 2 * beta @ beta
        grad = x.T @ (w * (1 / (1 + np.exp(-z)) - y)) + ridge * beta
        return value, grad

    result = minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 10_000, "gtol": 1e-10, "ftol": 1e-15})
    return result.x


def _soft_rows(outcome: float) -> list[tuple[float, float]]:
    """(label, weight) rows for a soft outcome: a tie is half a win and half a loss."""
    if outcome in (0.0, 1.0):
        return [(outcome, 1.0)]
    return [(1.0, outcome), (0.0, 1.0 - outcome)]


def bradley_terry(battles: Sequence[Battle], anchor: str, ridge: float = RIDGE) -> dict[str, float]:
    """θ per player (the anchor at 0)."""
    import numpy as np

    players = sorted({p for b in battles for p in (b.a, b.b)} - {anchor})
    column = {p: i for i, p in enumerate(players)}
    rows, labels, weights = [], [], []
    for battle in battles:
        x = np.zeros(len(players))
        if battle.a != anchor:
            x[column[battle.a]] += 1.0
        if battle.b != anchor:
            x[column[battle.b]] -= 1.0
        for label, weight in _soft_rows(battle.outcome):
            rows.append(x)
            labels.append(label)
            weights.append(weight)
    if not players:
        return {anchor: 0.0}
    beta = fit_logistic(np.array(rows), labels, weights, ridge)
    return {anchor: 0.0, **{p: float(beta[column[p]]) for p in players}}


@dataclass(frozen=True)
class Ranked:
    name: str
    value: float            #: win probability against the anchor (BT) or length-controlled win rate
    ci_low: float | None
    ci_high: float | None
    n: int                  #: prompts


def bt_scores(battles: Sequence[Battle], anchor: str, rounds: int = BOOTSTRAP_ROUNDS,
              seed: int = 20231123) -> list[Ranked]:
    """σ(θ_i) per variant with a percentile interval over prompts resampled with replacement."""
    import numpy as np

    sigmoid = lambda t: 1 / (1 + math.exp(-t))
    fitted = bradley_terry(battles, anchor)
    by_prompt: dict[tuple[str, int], list[Battle]] = defaultdict(list)
    for b in battles:
        by_prompt[b.prompt].append(b)
    prompts = sorted(by_prompt)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        drawn = [by_prompt[prompts[i]] for i in rng.integers(0, len(prompts), size=len(prompts))]
        refit = bradley_terry([b for group in drawn for b in group], anchor)
        for name in fitted:
            samples[name].append(sigmoid(refit.get(name, 0.0)))
    counts: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for b in battles:
        counts[b.a].add(b.prompt)
        counts[b.b].add(b.prompt)
    out = []
    for name, theta in sorted(fitted.items()):
        low, high = (np.percentile(samples[name], [2.5, 97.5]) if name != anchor else (0.5, 0.5))
        out.append(Ranked(name, sigmoid(theta), float(low), float(high), len(counts[name])))
    return out


@dataclass(frozen=True)
class Judged:
    """A variant's answer against the baseline's on one prompt."""

    variant: str
    prompt: tuple[str, int]
    language: str | None
    outcome: float              #: 1 win, 0.5 tie, 0 loss (for the variant)
    length_diff: float          #: len(variant's answer) - len(baseline's), characters


def standardised_lengths(judged: Sequence[Judged]) -> list[float]:
    """tanh(Δlen / sd(Δlen in the same language)); 0 where a language's differences do not vary."""
    import numpy as np

    by_language: dict[str | None, list[float]] = defaultdict(list)
    for j in judged:
        by_language[j.language].append(j.length_diff)
    sd = {lang: float(np.std(v, ddof=1)) if len(v) > 1 else 0.0 for lang, v in by_language.items()}
    return [math.tanh(j.length_diff / sd[j.language]) if sd[j.language] > 0 else 0.0 for j in judged]


def lc_design(judged: Sequence[Judged]):
    """The GLM's design: one intercept per variant, one length slope per variant, one difficulty per prompt."""
    import numpy as np

    variants = sorted({j.variant for j in judged})
    prompts = sorted({j.prompt for j in judged})
    v_col = {v: i for i, v in enumerate(variants)}
    p_col = {p: len(variants) * 2 + i for i, p in enumerate(prompts)}
    lengths = standardised_lengths(judged)
    x = np.zeros((len(judged), len(variants) * 2 + len(prompts)))
    for k, (j, z) in enumerate(zip(judged, lengths)):
        x[k, v_col[j.variant]] = 1.0
        x[k, len(variants) + v_col[j.variant]] = z
        x[k, p_col[j.prompt]] = 1.0
    return x, variants, prompts


def length_controlled(judged: Sequence[Judged], ridge: float = RIDGE) -> dict[tuple[str, str | None], float]:
    """Per variant, overall (language None) and per language: mean over its prompts of σ(θ_m + γ_i),
    the length term removed."""
    import numpy as np

    x, variants, prompts = lc_design(judged)
    rows, labels, weights = [], [], []
    for k, j in enumerate(judged):
        for label, weight in _soft_rows(j.outcome):
            rows.append(x[k])
            labels.append(label)
            weights.append(weight)
    beta = fit_logistic(np.array(rows), labels, weights, ridge)
    theta = {v: beta[i] for i, v in enumerate(variants)}
    gamma = {p: beta[2 * len(variants) + i] for i, p in enumerate(prompts)}
    groups: dict[tuple[str, str | None], list[float]] = defaultdict(list)
    for j in judged:
        p = 1 / (1 + math.exp(-(theta[j.variant] + gamma[j.prompt])))
        groups[(j.variant, None)].append(p)
        groups[(j.variant, j.language)].append(p)
    return {key: float(np.mean(values)) for key, values in groups.items()}


@dataclass
class Compared:
    """One variant's outcomes against a baseline under one judge, with its answers' length differences."""

    variant_id: str
    name: str
    baseline: str
    #: (task, language, doc_id, score) per prompt
    outcomes: list[tuple[str, str | None, int, float]]
    length_diff: dict[tuple[str, int], float]


def ranking_rows(judge: str, compared: Sequence[Compared], ids: dict[str, str]) -> dict[str, list[dict]]:
    """Metric rows per variant id from every comparison one judge made:

    * ``JudgeMetric(judge, "bt_win_prob")`` -- one Bradley–Terry fit over all its battles (any pairs), each
      player's probability of beating the anchor (the most frequent baseline, so with one baseline
      it is the baseline itself), with a bootstrap interval over prompts; rows for every player
      whose variant id is known (``ids``: name -> id), baselines included;
    * ``JudgeMetric(judge, "lc_win_rate")`` -- per baseline, the length-controlled win rate of each variant
      judged against it (overall and per language).
    """
    from collections import Counter

    battles = [Battle((t, d), c.name, c.baseline, score) for c in compared for t, _lang, d, score in c.outcomes]
    if not battles:
        return {}
    anchor = sorted(Counter(c.baseline for c in compared).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    out: dict[str, list[dict]] = defaultdict(list)
    for r in bt_scores(battles, anchor):
        if r.name in ids and r.name != anchor:
            out[ids[r.name]].append({"task": "all", "language": None,
                                     "metric": JudgeMetric(judge, "bt_win_prob", anchor),
                                     "value": r.value, "ci_low": r.ci_low, "ci_high": r.ci_high, "n": r.n,
                                     "filter": "none", "baseline": anchor, "headline": True})
    by_baseline: dict[str, list[Compared]] = defaultdict(list)
    for c in compared:
        by_baseline[c.baseline].append(c)
    for baseline, group in sorted(by_baseline.items()):
        judged = [Judged(c.name, (t, d), lang, score, c.length_diff.get((t, d), 0.0))
                  for c in group for t, lang, d, score in c.outcomes]
        if not judged:
            continue
        lc = length_controlled(judged)
        for c in group:
            for (name, language), value in sorted(lc.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
                if name != c.name:
                    continue
                n = sum(1 for o in c.outcomes if language is None or o[1] == language)
                out[c.variant_id].append({"task": "all" if language is None else "all tasks", "language": language,
                                          "metric": JudgeMetric(judge, "lc_win_rate", baseline), "value": value,
                                          "ci_low": None,
                                          "ci_high": None, "n": n, "filter": "none", "baseline": baseline,
                                          "headline": True})
    return dict(out)
