"""Two-group inference on sufficient statistics the engine computes.

The warehouse hands over counts, sums and sums of squares per group; these small frozen
dataclasses do the inference (in the manner of GrowthBook's gbstats). Normal-approximation
intervals, as is usual at loyalty-program sample sizes.

* Proportions: difference p₁ − p₀ with an unpooled Wald interval and a pooled two-sided
  z-test (Agresti, *Categorical Data Analysis*, 3rd ed., §2.2 and §3.1).
* Means: Welch's t-test and interval with Welch–Satterthwaite degrees of freedom
  (Welch 1947, *Biometrika* 34).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from memberlens.stats.frequentist import welch_df
from memberlens.stats.statistics import Moments


@dataclass(frozen=True)
class Proportion:
    """``successes`` out of ``n``."""

    n: int
    successes: int

    @property
    def value(self) -> float | None:
        return self.successes / self.n if self.n else None


@dataclass(frozen=True)
class Sample:
    """A sample summarised by its size, sum and sum of squares."""

    n: int
    total: float
    squares: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        if self.n < 2:
            return None
        return max((self.squares - self.total**2 / self.n) / (self.n - 1), 0.0)


@dataclass(frozen=True)
class Difference:
    """``treatment - control`` with a confidence interval and a two-sided p-value."""

    estimate: float | None
    low: float | None
    high: float | None
    p_value: float | None
    level: float = 0.95

    @classmethod
    def missing(cls, estimate: float | None = None, level: float = 0.95) -> Difference:
        return cls(estimate, None, None, None, level)


def difference_of_proportions(a: Proportion, b: Proportion, level: float = 0.95) -> Difference:
    """``a - b`` (Wald interval; pooled z-test for the p-value)."""
    pa, pb = a.value, b.value
    if pa is None or pb is None:
        return Difference.missing(level=level)
    estimate = pa - pb
    z = stats.norm.ppf(0.5 + level / 2)
    se = math.sqrt(pa * (1 - pa) / a.n + pb * (1 - pb) / b.n)
    pooled = (a.successes + b.successes) / (a.n + b.n)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    p_value = 2 * stats.norm.sf(abs(estimate) / se0) if se0 > 0 else None
    return Difference(estimate, estimate - z * se, estimate + z * se, p_value, level)


def difference_of_means(a: Sample, b: Sample, level: float = 0.95) -> Difference:
    """``mean(a) - mean(b)`` by Welch's t (unequal variances)."""
    if a.mean is None or b.mean is None:
        return Difference.missing(level=level)
    estimate = a.mean - b.mean
    va, vb = a.variance, b.variance
    if va is None or vb is None:
        return Difference.missing(estimate, level)
    ea, eb = va / a.n, vb / b.n
    se = math.sqrt(ea + eb)
    if se == 0:
        return Difference.missing(estimate, level)
    df = welch_df(Moments(b.n, b.mean, vb, b.mean), Moments(a.n, a.mean, va, a.mean))
    t = stats.t.ppf(0.5 + level / 2, df)
    p_value = 2 * stats.t.sf(abs(estimate) / se, df)
    return Difference(estimate, estimate - t * se, estimate + t * se, float(p_value), level)
