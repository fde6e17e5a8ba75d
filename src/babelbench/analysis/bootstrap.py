"""Percentile bootstrap intervals for means (judge facets, win rates, agreement).

Resampling is seeded, so the same values always give the same interval: the report, the
board and a published card show identical numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

ITERATIONS = 1000
SEED = 20231123


def mean_ci(values: Sequence[float], *, level: float = 0.95, iterations: int = ITERATIONS,
            seed: int = SEED) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high): the mean and its percentile-bootstrap interval. Empty input -> Nones."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None, None, None
    mean = float(data.mean())
    if data.size == 1 or np.all(data == data[0]):
        return mean, mean, mean
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(iterations, data.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return mean, float(low), float(high)


def stratified_ci(strata: Sequence[Sequence[float]], *, level: float = 0.95, iterations: int = ITERATIONS,
                  seed: int = SEED) -> tuple[float, float]:
    """Percentile interval of the mean of per-stratum means, resampling within each stratum
    (e.g. documents within each language of a task family, the languages weighted equally)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    means = np.zeros(iterations)
    for values in strata:
        data = np.asarray(values, dtype=float)
        means += data[rng.integers(0, data.size, size=(iterations, data.size))].mean(axis=1)
    means /= len(strata)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def cluster_ci(clusters: Sequence[Sequence[T]], statistic: Callable[[list[T]], float | None], *,
               level: float = 0.95, iterations: int = ITERATIONS, seed: int = SEED) -> tuple[float | None, float | None]:
    """Percentile interval of ``statistic`` over items resampled by cluster (e.g. all the ratings of one
    answer go in or out together, so raters of the same answer are not counted as independent answers).
    Resamples where the statistic is undefined (None or NaN: all grades equal) are left out; an
    interval needs at least half of them defined, else (None, None)."""
    import math

    import numpy as np

    if len(clusters) < 2:
        return None, None
    rng = np.random.default_rng(seed)
    values = []
    for picks in rng.integers(0, len(clusters), size=(iterations, len(clusters))):
        value = statistic([item for i in picks for item in clusters[i]])
        if value is not None and not math.isnan(value):
            values.append(value)
    if len(values) < iterations / 2:
        return None, None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
