"""Scaling laws of translation quality against translation-data size, per language (x-LLM's MuIT).

Two law families are registered, and a new one is one class plus its registration in :data:`LAWS`:

* ``power``: q(n) = c - a·(n + 1)^(-alpha), a > 0, alpha > 0 -- quality rising to a ceiling ``c``;
* ``log``:   q(n) = a + b·ln(n + 1), b >= 0 -- quality rising without a ceiling.

``n + 1`` keeps the point n = 0 (no translation data) on the curve. Both families are fitted with
:func:`scipy.optimize.curve_fit` inside bounds that keep every curve non-decreasing and concave in
n: more data never lowers the expected quality, and concave curves are what makes the greedy
budget allocation (:mod:`babelbench.analysis.allocation`) exact.

Per language the family is chosen by leave-one-out RMSE (each point predicted by the law fitted to
the others; a tie goes to the law with fewer parameters). A law is only eligible when every
leave-one-out fit still has at least as many distinct sizes as the law has parameters, so with
three sizes only the two-parameter ``log`` law can be chosen. Uncertainty comes from a seeded
bootstrap: points are resampled with replacement (a resample with too few distinct sizes for the
law is drawn again), the chosen law is refitted, and percentile intervals are read off the
refitted parameters and off their predictions at any n.
"""

from __future__ import annotations

import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..core.registry import Registry

if TYPE_CHECKING:
    import numpy as np

    #: Sizes or values: a list of numbers or a numpy array.
    Numbers = Sequence[float] | np.ndarray

ROUNDS = 1000
LEVEL = 0.95
SEED = 0
#: Redraws allowed for one bootstrap round whose resample has too few distinct sizes.
_REDRAWS = 100


class ScalingError(ValueError):
    """Points that cannot be fitted (too few distinct sizes, values that are not finite numbers)."""


class Law(ABC):
    """A law family: its curve, where curve_fit starts and the bounds it searches within."""

    name: ClassVar[str]
    param_names: ClassVar[tuple[str, ...]]
    formula: ClassVar[str]

    @staticmethod
    @abstractmethod
    def curve(n: Any, *params: float) -> Any:
        """q(n) for an array (or number) ``n`` of data sizes."""

    @abstractmethod
    def start(self, x: np.ndarray, y: np.ndarray) -> list[float]:
        """A starting point for curve_fit, inside :meth:`bounds`."""

    @abstractmethod
    def bounds(self) -> tuple[list[float], list[float]]:
        """(lower, upper) per parameter."""


LAWS: Registry[Law] = Registry("scaling law")


def _register(cls: type[Law]) -> type[Law]:
    LAWS.register(cls.name)(cls())
    return cls


@_register
class PowerLaw(Law):
    """q(n) = c - a·(n + 1)^(-alpha): a saturating power law with ceiling ``c``.

    Bounds: ``a`` >= 1e-12 and ``alpha`` in [1e-3, 10] (``c`` free). a > 0, alpha > 0 make the curve
    increasing and concave. Below alpha = 1e-3 the family degenerates into the log law
    (c - a + a·alpha·ln(n + 1) as alpha -> 0 with a·alpha fixed), which is the other family; above 10,
    (n + 1)^(-alpha) is already ~0 at n = 1, a step that no sizes can tell apart from a larger alpha.

    Start: for fixed alpha the law is linear in (c, a), so the least-squares (c, a) of each alpha are
    closed-form, and the error profile over alpha is minimised first (a geometric grid across the
    bounds, refined by a bounded scalar search) -- variable projection. curve_fit then starts at
    the profile's minimum and only polishes it; started elsewhere it can crawl for hundreds of
    evaluations along the ridge where a small alpha and a large ``a`` trade off (log-like data).
    """

    name = "power"
    param_names = ("c", "a", "alpha")
    formula = "c - a*(n+1)^(-alpha)"

    @staticmethod
    def curve(n: Any, *params: float) -> Any:
        import numpy as np

        c, a, alpha = params
        return c - a * np.power(np.asarray(n, dtype=float) + 1.0, -alpha)

    @staticmethod
    def _profile(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, float, float]:
        """(sum of squared errors, c, a) of the best (c, a) for this alpha, with a >= 1e-12."""
        import numpy as np

        z = np.power(x + 1.0, -alpha)
        zc = z - z.mean()
        denom = float(zc @ zc)
        a = max(-float(zc @ (y - y.mean())) / denom if denom > 0 else 0.0, 1e-12)
        c = float(np.mean(y + a * z))
        return float(np.sum((c - a * z - y) ** 2)), c, a

    def start(self, x: np.ndarray, y: np.ndarray) -> list[float]:
        import numpy as np
        from scipy.optimize import minimize_scalar

        (low, high) = (self.bounds()[0][2], self.bounds()[1][2])
        grid = np.geomspace(low, high, 50)
        errors = [self._profile(x, y, alpha)[0] for alpha in grid]
        i = int(np.argmin(errors))
        around = (math.log(grid[max(i - 1, 0)]), math.log(grid[min(i + 1, grid.size - 1)]))
        best = minimize_scalar(lambda t: self._profile(x, y, math.exp(t))[0], bounds=around, method="bounded",
                               options={"xatol": 1e-6})
        alpha = math.exp(float(best.x)) if best.fun <= errors[i] else float(grid[i])
        _, c, a = self._profile(x, y, alpha)
        return [c, a, alpha]

    def bounds(self) -> tuple[list[float], list[float]]:
        return [-math.inf, 1e-12, 1e-3], [math.inf, math.inf, 10.0]


@_register
class LogLaw(Law):
    """q(n) = a + b·ln(n + 1): quality growing by ``b`` per e-fold of data, without a ceiling.

    Bounds: ``b`` >= 0 (``a`` free), so the curve is non-decreasing and concave (a fall in quality
    is fitted as a flat line). Start: ordinary least squares on ln(n + 1), with b clipped at 0.
    """

    name = "log"
    param_names = ("a", "b")
    formula = "a + b*ln(n+1)"

    @staticmethod
    def curve(n: Any, *params: float) -> Any:
        import numpy as np

        a, b = params
        return a + b * np.log(np.asarray(n, dtype=float) + 1.0)

    def start(self, x: np.ndarray, y: np.ndarray) -> list[float]:
        import numpy as np

        b, a = np.polyfit(np.log(x + 1.0), y, 1)
        if b < 0:
            return [float(np.mean(y)), 0.0]
        return [float(a), float(b)]

    def bounds(self) -> tuple[list[float], list[float]]:
        return [-math.inf, 0.0], [math.inf, math.inf]


def fit_law(law: Law, sizes: Numbers, values: Numbers,
            start: Sequence[float] | None = None) -> np.ndarray | None:
    """The least-squares parameters of ``law`` on the points (curve_fit), or None when it fails."""
    import numpy as np
    from scipy.optimize import OptimizeWarning, curve_fit

    x = np.asarray(sizes, dtype=float)
    y = np.asarray(values, dtype=float)
    low, high = (np.asarray(b, dtype=float) for b in law.bounds())
    p0 = np.asarray(start if start is not None else law.start(x, y), dtype=float)
    # strictly inside the bounds: started exactly on a bound, curve_fit's solver (trf) can stop there
    inset = 1e-4 * np.maximum(1.0, np.abs(np.nan_to_num(p0, posinf=0.0, neginf=0.0)))
    p0 = np.minimum(np.maximum(p0, low + inset), high - inset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)   # covariance unknown with as many points as params
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            params, _ = curve_fit(law.curve, x, y, p0=p0, bounds=(low, high), x_scale="jac", max_nfev=2000)
        except (RuntimeError, ValueError, np.linalg.LinAlgError):
            return None
    if not np.all(np.isfinite(params)):
        return None
    return np.asarray(params, dtype=float)


def loo_rmse(law: Law, sizes: Numbers, values: Numbers) -> float | None:
    """Leave-one-out RMSE of ``law``: each point predicted by the law fitted to the others.

    None when the law is not eligible: some fold keeps fewer distinct sizes than the law has
    parameters (its fit would not be determined), or a fold's fit fails."""
    import numpy as np

    x = np.asarray(sizes, dtype=float)
    y = np.asarray(values, dtype=float)
    errors = []
    for i in range(x.size):
        keep = np.arange(x.size) != i
        if np.unique(x[keep]).size < len(law.param_names):
            return None
        params = fit_law(law, x[keep], y[keep])
        if params is None:
            return None
        errors.append(float(law.curve(x[i], *params)) - y[i])
    return float(np.sqrt(np.mean(np.square(errors))))


@dataclass(frozen=True, eq=False)
class ScalingFit:
    """One language's fit: the chosen law, its estimates and bootstrap intervals, and the points."""

    law: str
    params: dict[str, float]
    params_low: dict[str, float]
    params_high: dict[str, float]
    #: law name -> leave-one-out RMSE (None: not eligible for these points)
    loo_error: dict[str, float | None]
    sizes: tuple[float, ...]
    values: tuple[float, ...]
    level: float
    #: the bootstrap refits, one row of parameters each (in the law's parameter order)
    replicates: np.ndarray = field(repr=False)

    @property
    def curve_law(self) -> Law:
        return LAWS.get(self.law)

    def predict(self, n: Any) -> Any:
        """The fitted quality at data size(s) ``n`` (a float for a number, an array for an array)."""
        law = self.curve_law
        out = law.curve(n, *(self.params[p] for p in law.param_names))
        return float(out) if getattr(out, "ndim", 0) == 0 else out

    def interval(self, n: Any) -> tuple[Any, Any]:
        """Percentile-bootstrap interval of the prediction at ``n`` (floats for a number)."""
        import numpy as np

        law = self.curve_law
        grid = np.atleast_1d(np.asarray(n, dtype=float))
        preds = np.stack([law.curve(grid, *row) for row in self.replicates])
        tail = (1 - self.level) / 2 * 100
        low, high = np.percentile(preds, [tail, 100 - tail], axis=0)
        if np.ndim(n) == 0:
            return float(low[0]), float(high[0])
        return low, high


def bootstrap(law: Law, sizes: Numbers, values: Numbers, *, rounds: int = ROUNDS,
              seed: int = SEED) -> np.ndarray:
    """Refits of ``law`` on ``rounds`` resamples of the points (with replacement, seeded), one row each.

    A resample with fewer distinct sizes than the law has parameters is drawn again; each refit
    starts from the law's own start for its resample; a refit that fails is left out (so there may
    be fewer rows than rounds, and none at all)."""
    import numpy as np

    x = np.asarray(sizes, dtype=float)
    y = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(rounds):
        for _ in range(_REDRAWS):
            idx = rng.integers(0, x.size, x.size)
            if np.unique(x[idx]).size >= len(law.param_names):
                break
        else:
            continue
        params = fit_law(law, x[idx], y[idx])
        if params is not None:
            rows.append(params)
    return np.asarray(rows, dtype=float).reshape(len(rows), len(law.param_names))


def fit_scaling(sizes: Numbers, values: Numbers, *, laws: Sequence[str] | None = None,
                rounds: int = ROUNDS, seed: int = SEED, level: float = LEVEL) -> ScalingFit:
    """Fit every law in ``laws`` (default: all registered), choose one by leave-one-out RMSE, and
    bootstrap its parameters. Needs at least three distinct sizes."""
    import numpy as np

    x = np.asarray(sizes, dtype=float)
    y = np.asarray(values, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ScalingError("sizes and values must be two lists of the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ScalingError("sizes and values must be finite numbers")
    if np.any(x < 0):
        raise ScalingError("sizes must be >= 0")
    distinct = np.unique(x)
    if distinct.size < 3:
        raise ScalingError(f"needs at least 3 distinct sizes, found {distinct.size}: "
                           f"{', '.join(f'{s:g}' for s in distinct) or 'none'}")
    if not 0 < level < 1:
        raise ScalingError("level must be between 0 and 1")
    candidates = [LAWS.get(name) for name in (laws or LAWS.names())]
    loo = {law.name: loo_rmse(law, x, y) for law in candidates}
    eligible = [law for law in candidates if loo[law.name] is not None]
    eligible.sort(key=lambda law: (loo[law.name], len(law.param_names)))
    chosen: Law | None = None
    estimate: np.ndarray | None = None
    for law in eligible:
        estimate = fit_law(law, x, y)
        if estimate is not None:
            chosen = law
            break
    if chosen is None or estimate is None:
        raise ScalingError(f"no law ({', '.join(law.name for law in candidates)}) could be fitted to "
                           f"{x.size} points at sizes {', '.join(f'{s:g}' for s in distinct)}")
    replicates = bootstrap(chosen, x, y, rounds=rounds, seed=seed)
    if not len(replicates):   # no resample could be refitted: the estimate alone (a zero-width interval)
        replicates = estimate[None, :]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail], axis=0)
    names = chosen.param_names
    return ScalingFit(
        law=chosen.name, params=dict(zip(names, map(float, estimate))),
        params_low=dict(zip(names, map(float, low))), params_high=dict(zip(names, map(float, high))),
        loo_error=loo, sizes=tuple(map(float, x)), values=tuple(map(float, y)), level=level,
        replicates=replicates)
