"""Paired comparisons: is variant B's score different from A's on the same documents?

For each (task, language, metric) two variants share, the per-document values are paired by
document. The difference of means gets a paired percentile-bootstrap 95 % interval (documents
resampled, both values of a document together) and a two-sided p-value from a paired
permutation test (the sign of each document's difference flipped at random; exact by
enumeration up to 2^16 sign patterns, else Monte Carlo). p-values are Holm-corrected across all
comparisons shown together, so "significant" holds for the whole table at level 0.05. Each row
also carries the standard deviation of the differences and the minimum detectable difference at
alpha 0.05 and power 0.8 (:mod:`babelbench.analysis.power`).

The permutation p-value follows ``scipy.stats.permutation_test(..., permutation_type="samples")``
exactly (the same tie tolerance, the same two-sided rule: twice the smaller tail, capped at 1;
Monte Carlo p-values add one to numerator and denominator), which the tests check.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..core.metric_name import JudgeMetric
from .bootstrap import ITERATIONS, SEED
from .power import minimum_detectable, sd_of_differences

#: What a pair of values measures: an lm-eval metric's name, or a judge metric.
Measure = str | JudgeMetric

#: Up to this many documents the permutation test enumerates every sign pattern (2^16 = 65536).
EXACT_UP_TO = 16
PERMUTATIONS = 9999


@dataclass(frozen=True)
class Comparison:
    task: str
    language: str | None
    metric: str
    n: int
    mean_a: float
    mean_b: float
    diff: float                 #: mean(B) - mean(A)
    ci_low: float
    ci_high: float
    p_value: float
    p_holm: float = 1.0
    sd_diff: float | None = None    #: sample sd (ddof 1) of the per-document differences B - A
    mde: float | None = None        #: minimum detectable |difference| (alpha 0.05, power 0.8), normal approx.

    @property
    def significant(self) -> bool:
        return self.p_holm < 0.05


def paired_bootstrap_ci(a: Sequence[float], b: Sequence[float], *, level: float = 0.95,
                        iterations: int = ITERATIONS, seed: int = SEED) -> tuple[float, float]:
    """Percentile interval of mean(b - a), resampling documents (pairs) with replacement."""
    import numpy as np

    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if d.size == 0:
        raise ValueError("no paired values")
    if np.all(d == d[0]):
        return float(d[0]), float(d[0])
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, d.size, size=(iterations, d.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def paired_permutation_p(a: Sequence[float], b: Sequence[float], *, permutations: int = PERMUTATIONS,
                         seed: int = SEED) -> float:
    """Two-sided p-value of mean(b - a) under random sign flips of the per-document differences."""
    import numpy as np

    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if d.size == 0:
        raise ValueError("no paired values")
    observed = d.mean()
    if d.size <= EXACT_UP_TO:
        signs = np.array(list(itertools.product((1.0, -1.0), repeat=d.size)))
        null = (signs * d).mean(axis=1)
        adjustment, resamples = 0, len(null)
    else:
        rng = np.random.default_rng(seed)
        signs = rng.choice((1.0, -1.0), size=(permutations, d.size))
        null = (signs * d).mean(axis=1)
        adjustment, resamples = 1, permutations
    gamma = abs(np.finfo(float).eps * 100 * observed)
    less = (np.count_nonzero(null <= observed + gamma) + adjustment) / (resamples + adjustment)
    greater = (np.count_nonzero(null >= observed - gamma) + adjustment) / (resamples + adjustment)
    return float(min(1.0, 2 * min(less, greater)))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (family-wise error), in the input order."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    m = len(p_values)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def compare(pairs: Mapping[tuple[str, str | None, Measure], tuple[Sequence[float], Sequence[float]]]) -> list[Comparison]:
    """One :class:`Comparison` per (task, language, metric) -> (A's values, B's values), paired by index;
    a comparison's ``metric`` is the name shown (a judge metric's label)."""
    rows = []
    for (task, language, metric), (a, b) in sorted(pairs.items(),
                                                   key=lambda kv: (kv[0][0], kv[0][1] or "", str(kv[0][2]))):
        if not a or len(a) != len(b):
            continue
        low, high = paired_bootstrap_ci(a, b)
        mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
        sd = sd_of_differences(a, b)
        rows.append(Comparison(task, language, str(metric), len(a), mean_a, mean_b, mean_b - mean_a, low, high,
                               paired_permutation_p(a, b), sd_diff=sd, mde=minimum_detectable(sd, len(a))))
    adjusted = holm([r.p_value for r in rows])
    return [Comparison(**{**r.__dict__, "p_holm": p}) for r, p in zip(rows, adjusted)]


#: (task, language, metric) -> {document key: value}
DocumentValues = dict[tuple[str, str | None, Measure], dict[tuple[int, str | None], float]]


def document_values(samples: Sequence[Mapping], judged: Sequence) -> DocumentValues:
    """A variant's per-document values: every numeric per-sample lm-eval metric of its scored answers,
    and every judge metric its protocols observe per answer (a :class:`JudgeMetric`; so is a judge's
    metric that lm-eval reported per answer, the same one when both graded it).

    ``samples`` rows carry task, doc_id, language, doc_hash and sample_metrics (a dict); ``judged`` is
    :func:`babelbench.store.judge_queries.judged`'s output. Documents are keyed by (doc_id, doc_hash),
    so two variants pair only on the very same document.
    """
    import math

    from ..judge.protocol import get_protocol

    out: DocumentValues = {}
    hashes: dict[tuple[str, int], str | None] = {}
    for s in samples:
        hashes[(s["task"], s["doc_id"])] = s.get("doc_hash")
        for metric, value in (s.get("sample_metrics") or {}).items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                continue
            measure: Measure = JudgeMetric.parse(metric) or metric   # lm-eval's key for a judge's metric
            out.setdefault((s["task"], s["language"], measure), {})[(s["doc_id"], s.get("doc_hash"))] = float(value)
    for j in judged:
        rows = [r for r in j.rows if r.link_status != "no_target"]
        for o in get_protocol(j.kind).observations(j.config, rows):
            doc = (o.doc_id, hashes.get((o.task, o.doc_id)))
            out.setdefault((o.task, o.language, JudgeMetric(j.judge, o.metric)), {})[doc] = o.value
    return out


def pair_up(a: DocumentValues,
            b: DocumentValues) -> dict[tuple[str, str | None, Measure], tuple[list[float], list[float]]]:
    """The (task, language, metric) both variants have, with values on the documents both answered."""
    pairs = {}
    for key in sorted(set(a) & set(b), key=lambda k: (k[0], k[1] or "", str(k[2]))):
        docs = sorted(set(a[key]) & set(b[key]), key=lambda d: (d[0], d[1] or ""))
        if docs:
            pairs[key] = ([a[key][d] for d in docs], [b[key][d] for d in docs])
    return pairs
