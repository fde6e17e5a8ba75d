"""Statistical power of a paired comparison: the smallest difference a test of this size can detect,
and the documents needed to detect a given one.

Normal approximation (z test) of a two-sided paired test at level ``alpha`` with power ``power``:

    MDE = (z_{1-alpha/2} + z_{power}) * sd_diff / sqrt(n)
    n(D) = ceil(((z_{1-alpha/2} + z_{power}) * sd_diff / D)^2)

``sd_diff`` is the sample standard deviation (ddof 1) of the per-document differences B - A. This is
the formula of ``statsmodels.stats.power.NormalIndPower`` with ``ratio=0`` (one sample) and effect size
D / sd_diff, ignoring the far tail (whose share of the power is below 1e-6 at these settings); the
t-based version (``TTestPower``) asks for one to three documents more when n is small.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

ALPHA = 0.05
POWER = 0.8


def z_sum(alpha: float = ALPHA, power: float = POWER) -> float:
    """z_{1-alpha/2} + z_{power} (2.8016 at 0.05 and 0.8)."""
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / 2) + norm.ppf(power))


def sd_of_differences(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Sample standard deviation (ddof 1) of b - a; None with fewer than two pairs."""
    if len(a) != len(b):
        raise ValueError("paired values of different lengths")
    if len(a) < 2:
        return None
    d = [y - x for x, y in zip(a, b)]
    mean = sum(d) / len(d)
    return math.sqrt(sum((v - mean) ** 2 for v in d) / (len(d) - 1))


def minimum_detectable(sd_diff: float | None, n: int, alpha: float = ALPHA, power: float = POWER) -> float | None:
    """The smallest |mean difference| detected with ``power`` at two-sided level ``alpha`` on ``n`` pairs."""
    if sd_diff is None or n < 2:
        return None
    return z_sum(alpha, power) * sd_diff / math.sqrt(n)


def documents_needed(sd_diff: float | None, difference: float, alpha: float = ALPHA,
                     power: float = POWER) -> int | None:
    """Pairs needed to detect ``difference`` (at least 2, the fewest that have a standard deviation);
    None when ``sd_diff`` is unknown."""
    if difference == 0:
        raise ValueError("the difference to detect must not be 0")
    if sd_diff is None:
        return None
    return max(2, math.ceil((z_sum(alpha, power) * sd_diff / abs(difference)) ** 2))
