"""Agreement statistics on values: Cohen's kappa (quadratic-weighted or plain), Spearman's rho and
Krippendorff's alpha (ordinal).

Written here, on numpy, so the board and `harness report --agreement` need neither scikit-learn nor
the `krippendorff` package at run time; the tests check each against them (sklearn's
``cohen_kappa_score``, scipy's ``spearmanr``, ``krippendorff.alpha``) on the same data. Each returns
None where the statistic is undefined (no variation to agree on), where the references give NaN.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable], *,
                quadratic: bool = False) -> float | None:
    """Cohen's kappa of two raters' labels for the same items; ``labels`` in scale order (the weights
    of ``quadratic`` are squared distances of positions in it), as sklearn's ``cohen_kappa_score(a, b,
    labels=labels, weights='quadratic' or None)``."""
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items")
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    confusion = np.zeros((k, k))
    for x, y in zip(a, b):
        if x in index and y in index:   # as sklearn: a value outside ``labels`` is left out
            confusion[index[x], index[y]] += 1
    total = confusion.sum()
    if total == 0:
        return None
    expected = np.outer(confusion.sum(axis=1), confusion.sum(axis=0)) / total
    positions = np.arange(k)
    weights = ((positions[:, None] - positions[None, :]) ** 2 if quadratic
               else (positions[:, None] != positions[None, :])).astype(float)
    disagreement = float((weights * expected).sum())
    if disagreement == 0:
        return None
    return 1 - float((weights * confusion).sum()) / disagreement


def _ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank (scipy's ``rankdata(method='average')``)."""
    data = np.asarray(values, dtype=float)
    order = np.argsort(data, kind="mergesort")
    ranks = np.empty(len(data))
    sorted_values = data[order]
    start = 0
    for end in range(1, len(data) + 1):
        if end == len(data) or sorted_values[end] != sorted_values[start]:
            ranks[order[start:end]] = (start + end + 1) / 2
            start = end
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman's rho: Pearson's correlation of the average ranks (scipy's ``spearmanr``)."""
    if len(a) != len(b):
        raise ValueError("both raters must rate the same items")
    if len(a) < 2:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    spread = float(np.sqrt((ra ** 2).sum() * (rb ** 2).sum()))
    if spread == 0:
        return None
    return float(np.clip((ra * rb).sum() / spread, -1.0, 1.0))


def krippendorff_alpha_ordinal(units: Sequence[Sequence[int]], domain: Sequence[int]) -> float | None:
    """Krippendorff's alpha, ordinal metric, of several raters' grades: ``units`` = the grades each unit
    (answer) received, any number of raters each (missing ratings simply absent); ``domain``: the
    scale's values in order. Units with fewer than two grades cannot be paired and count for nothing.
    As ``krippendorff.alpha(reliability_data, value_domain=domain, level_of_measurement='ordinal')``."""
    index = {v: i for i, v in enumerate(domain)}
    k = len(domain)
    coincidences = np.zeros((k, k))
    for grades in units:
        if len(grades) < 2:
            continue
        counts = np.zeros(k)
        for g in grades:
            counts[index[g]] += 1
        coincidences += (np.outer(counts, counts) - np.diag(counts)) / (len(grades) - 1)
    n_v = coincidences.sum(axis=0)
    n = n_v.sum()
    if n <= 1:
        return None
    expected = (np.outer(n_v, n_v) - np.diag(n_v)) / (n - 1)
    # the ordinal distance of values c <= k: (sum of n_g for g from c to k - (n_c + n_k) / 2) squared
    cumulative = np.concatenate([[0.0], np.cumsum(n_v)])
    low = np.minimum.outer(np.arange(k), np.arange(k))
    high = np.maximum.outer(np.arange(k), np.arange(k))
    distance = (cumulative[high + 1] - cumulative[low] - (n_v[low] + n_v[high]) / 2) ** 2
    expected_disagreement = float((expected * distance).sum())
    if expected_disagreement == 0:
        return None
    return 1 - float((coincidences * distance).sum()) / expected_disagreement
