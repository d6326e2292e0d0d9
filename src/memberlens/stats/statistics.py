"""Sufficient statistics of one arm: small frozen dataclasses that add together.

Each statistic reduces to :class:`Moments` — the arm's size, the mean of the per-member
estimand and the per-member variance of that estimate (so that ``variance / n`` is the
variance of the mean) — which is all the inference in :mod:`memberlens.stats.frequentist`
needs. The formulas are DESIGN §12's:

* a mean: variance ``(Σx² − (Σx)²/n) / (n − 1)``;
* a 0/1 outcome: variance ``p (1 − p)``;
* a ratio ``Σm / Σd`` over members (AOV = revenue / orders), by the delta method:
  ``var = (var_m − 2 r cov_md + r² var_d) / d̄²`` with ``r = m̄ / d̄``;
* CUPED: ``adjusted mean = mean_post − θ mean_pre`` and
  ``adjusted variance = var_post + θ² var_pre − 2 θ cov(post, pre)``, θ from
  :func:`cuped_theta` over the pooled members of the two arms compared.

>>> a = SampleMeanStatistic(n=3, sum=6.0, sum_squares=14.0)
>>> (a.mean, a.variance)
(2.0, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Moments:
    """What the inference needs of one arm: size, mean, per-member variance.

    ``unadjusted_mean`` is the plain mean (equal to ``mean`` unless CUPED adjusted it); the
    relative lift divides by the control's unadjusted mean (DESIGN §12).
    """

    n: int
    mean: float
    variance: float
    unadjusted_mean: float


def _sample_variance(n: int, total: float, squares: float) -> float:
    if n < 2:
        return 0.0
    return max((squares - total * total / n) / (n - 1), 0.0)


def _sample_covariance(n: int, sum_x: float, sum_y: float, sum_xy: float) -> float:
    if n < 2:
        return 0.0
    return (sum_xy - sum_x * sum_y / n) / (n - 1)


@dataclass(frozen=True)
class SampleMeanStatistic:
    """n, Σx and Σx² of a per-member value."""

    n: int
    sum: float
    sum_squares: float

    def __add__(self, other: SampleMeanStatistic) -> SampleMeanStatistic:
        return SampleMeanStatistic(
            self.n + other.n, self.sum + other.sum, self.sum_squares + other.sum_squares
        )

    @property
    def mean(self) -> float:
        return self.sum / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        return _sample_variance(self.n, self.sum, self.sum_squares)

    def moments(self) -> Moments:
        return Moments(self.n, self.mean, self.variance, self.mean)


@dataclass(frozen=True)
class ProportionStatistic(SampleMeanStatistic):
    """A 0/1 outcome (Σx² = Σx); its variance is p (1 − p)."""

    def __add__(self, other: SampleMeanStatistic) -> ProportionStatistic:
        return ProportionStatistic(
            self.n + other.n, self.sum + other.sum, self.sum_squares + other.sum_squares
        )

    @property
    def variance(self) -> float:
        p = self.mean
        return p * (1.0 - p)


@dataclass(frozen=True)
class RatioStatistic:
    """A ratio of per-member sums, Σm / Σd (AOV = revenue / orders), with the cross sum Σmd."""

    m: SampleMeanStatistic
    d: SampleMeanStatistic
    sum_products: float

    def __post_init__(self) -> None:
        if self.m.n != self.d.n:
            raise ValueError("a ratio's numerator and denominator count the same members")

    def __add__(self, other: RatioStatistic) -> RatioStatistic:
        return RatioStatistic(
            self.m + other.m, self.d + other.d, self.sum_products + other.sum_products
        )

    @property
    def n(self) -> int:
        return self.m.n

    @property
    def mean(self) -> float:
        return self.m.sum / self.d.sum if self.d.sum else 0.0

    @property
    def covariance(self) -> float:
        return _sample_covariance(self.n, self.m.sum, self.d.sum, self.sum_products)

    @property
    def variance(self) -> float:
        """Per-member variance of the ratio by the delta method (``variance / n`` is the
        variance of the ratio estimate)."""
        d_mean = self.d.mean
        if d_mean == 0:
            return 0.0
        r = self.mean
        return max(
            (self.m.variance - 2 * r * self.covariance + r * r * self.d.variance) / d_mean**2,
            0.0,
        )

    def moments(self) -> Moments:
        return Moments(self.n, self.mean, self.variance, self.mean)


@dataclass(frozen=True)
class RegressionAdjustedStatistic:
    """An outcome (``post``) with its pre-period value (``pre``) and the cross sum Σ post·pre,
    for CUPED."""

    post: SampleMeanStatistic
    pre: SampleMeanStatistic
    sum_products: float

    def __post_init__(self) -> None:
        if self.post.n != self.pre.n:
            raise ValueError("post and pre statistics count the same members")

    def __add__(self, other: RegressionAdjustedStatistic) -> RegressionAdjustedStatistic:
        return RegressionAdjustedStatistic(
            self.post + other.post, self.pre + other.pre, self.sum_products + other.sum_products
        )

    @property
    def n(self) -> int:
        return self.post.n

    @property
    def covariance(self) -> float:
        return _sample_covariance(self.n, self.post.sum, self.pre.sum, self.sum_products)

    def adjusted(self, theta: float) -> Moments:
        """Mean and variance adjusted by ``theta`` (DESIGN §12)."""
        mean = self.post.mean - theta * self.pre.mean
        variance = self.post.variance + theta**2 * self.pre.variance - 2 * theta * self.covariance
        return Moments(self.n, mean, max(variance, 0.0), self.post.mean)


def cuped_theta(a: RegressionAdjustedStatistic, b: RegressionAdjustedStatistic) -> float:
    """θ = cov(post, pre) / var(pre) over the pooled members of ``a`` and ``b`` (0 when the
    pre-period does not vary)."""
    pooled = a + b
    pre_variance = _sample_variance(pooled.n, pooled.pre.sum, pooled.pre.sum_squares)
    if pre_variance <= 0:
        return 0.0
    return pooled.covariance / pre_variance
