r"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV").

A customer's transaction values are z ~ Gamma(p, ν) (shape p, rate ν), with ν ~ Gamma(q, v)
across customers, independent of the purchase process. For a customer with x repeat
transactions of mean value m̄ the likelihood is (Fader & Hardie, note 025, eq. 1a)

.. math::

    L(p, q, v \mid x, \bar m) = \frac{Γ(px+q)}{Γ(px)\,Γ(q)}
        \frac{v^q\, \bar m^{px-1}\, x^{px}}{(v + x\bar m)^{px+q}}

and the expected spend per transaction (eq. 5) is the credibility-weighted mean

.. math::

    E[Z \mid p, q, v, x, \bar m] = \frac{p (v + x \bar m)}{px + q - 1}
        = (1-w)\frac{pv}{q-1} + w\,\bar m,\qquad w = \frac{px}{px + q - 1}.

Only customers with x > 0 and m̄ > 0 enter the fit; a customer with x = 0 is expected to
spend the population mean pv/(q − 1), which is finite only when q > 1.

The model assumes spend is independent of purchase frequency; fitting warns when the
Pearson correlation of x and m̄ among repeat buyers exceeds :data:`MAX_CORRELATION` in size.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using Iso-Value Curves for
Customer Base Analysis. *Journal of Marketing Research* 42(4), 415–430.
Fader, P. S. & Hardie, B. G. S. (2013). The Gamma-Gamma Model of Monetary Value. (Note 025.)
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from memberlens.errors import InputError
from memberlens.models.base import SAMPLE, Model, check_arrays, dot, maximise, rough_maximum

#: |corr(x, m̄)| above this among repeat buyers breaks the independence assumption
MAX_CORRELATION = 0.3
MIN_REPEAT_BUYERS = 30


class SpendData:
    """Repeat buyers' (x, m̄, weight) and the sums the likelihood needs, computed once."""

    def __init__(self, x: np.ndarray, m: np.ndarray, weight: np.ndarray) -> None:
        self.x, self.m, self.weight = x, m, weight
        self.ux, self.xi = np.unique(x, return_inverse=True)
        self.wx = np.bincount(self.xi, weights=weight, minlength=self.ux.size)
        self.total = float(weight.sum())
        log_m = np.log(m)
        self.sum_x_log_m = dot(weight, x * log_m)
        self.sum_log_m = dot(weight, log_m)
        self.sum_x_log_x = dot(weight, x * np.log(x))
        self.xm = x * m
        self.w_times_x = weight * x


def log_likelihood(theta: np.ndarray, d: SpendData) -> tuple[float, np.ndarray]:
    """Total log-likelihood and its gradient in (p, q, v); one log and one division per
    member, everything else from sums per distinct x or computed once."""
    p, q, v = theta
    ux, wx = d.ux, d.wx
    px = p * ux
    log_denominator = np.log(v + d.xm)
    inverse = 1.0 / (v + d.xm)
    wx_log = dot(d.w_times_x, log_denominator)
    w_log = dot(d.weight, log_denominator)
    total = (
        dot(wx, gammaln(px + q) - gammaln(px))
        + d.total * (q * np.log(v) - gammaln(q))
        + p * d.sum_x_log_m
        - d.sum_log_m
        + p * d.sum_x_log_x
        - p * wx_log
        - q * w_log
    )
    dp = dot(wx, ux * (digamma(px + q) - digamma(px))) + d.sum_x_log_m + d.sum_x_log_x - wx_log
    dq = dot(wx, digamma(px + q)) + d.total * (np.log(v) - digamma(q)) - w_log
    dv = d.total * q / v - p * dot(d.w_times_x, inverse) - q * dot(d.weight, inverse)
    return float(total), np.array([dp, dq, dv])


class GammaGamma(Model):
    """Gamma-Gamma: fit on repeat buyers' (frequency, mean spend), predict expected spend."""

    param_names = ("p", "q", "v")
    label = "Gamma-Gamma"

    def fit(
        self,
        frequency: np.ndarray,
        monetary: np.ndarray,
        weights: np.ndarray | None = None,
    ) -> GammaGamma:
        """Fit on customers with frequency > 0 and monetary > 0 (others are left out)."""
        x = np.asarray(frequency, dtype=float)
        m = np.asarray(monetary, dtype=float)
        w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
        check_arrays(frequency=x, monetary=m, weights=w)
        if np.any(m < 0):
            raise InputError("Gamma-Gamma needs monetary ≥ 0 for every customer.")
        keep = (x > 0) & (m > 0)
        x, m, w = x[keep], m[keep], w[keep]
        repeaters = float(w.sum())
        warnings: list[str] = []
        if repeaters == 0:
            raise InputError(
                "Gamma-Gamma needs customers with a repeat purchase of positive value; "
                "there are none by that date. Use a later calibration end."
            )
        if repeaters < MIN_REPEAT_BUYERS:
            warnings.append(
                f"Only {repeaters:.0f} repeat buyers with positive spend (fewer than "
                f"{MIN_REPEAT_BUYERS}): Gamma-Gamma cannot be estimated reliably."
            )
        correlation = _weighted_correlation(x, m, w)
        if np.isfinite(correlation) and abs(correlation) > MAX_CORRELATION:
            warnings.append(
                f"Spend and purchase frequency are correlated among repeat buyers "
                f"(r = {correlation:.2f}, above {MAX_CORRELATION} in size): Gamma-Gamma assumes "
                "they are independent, so expected spend and CLV are biased."
            )
        data = SpendData(x, m, w)
        mean_m = dot(w, m) / repeaters
        start = np.array([1.0, 2.0, mean_m])  # p v / (q - 1) = the mean spend
        near = False
        if x.size > SAMPLE:  # search on a random sample first (see bgnbd._start)
            chosen = np.random.default_rng(0).random(x.size) < SAMPLE / x.size
            sample = SpendData(x[chosen], m[chosen], w[chosen])
            first = rough_maximum(lambda theta: log_likelihood(theta, sample), start, sample.total)
            start, near = (start, False) if first is None else (first, True)
        optimum = maximise(lambda theta: log_likelihood(theta, data), start, repeaters, near=near)
        self._store(optimum, warnings)
        if self.params_["q"] <= 1:
            self.warnings_.append(
                f"Gamma-Gamma q = {self.params_['q']:.3f} ≤ 1: the population mean spend is "
                "infinite, so expected spend of customers without repeat purchases is undefined."
            )
        self.customers_ = int(repeaters)
        self.correlation_ = float(correlation)
        return self

    def expected_spend(self, frequency: np.ndarray, monetary: np.ndarray) -> np.ndarray:
        """E[spend per transaction | x, m̄] (eq. 5); the population mean when x = 0."""
        p, q, v = self._theta()
        x = np.asarray(frequency, dtype=float)
        m = np.where(x > 0, np.asarray(monetary, dtype=float), 0.0)
        return p * (v + x * m) / (p * x + q - 1)  # type: ignore[no-any-return]

    @property
    def mean_spend_(self) -> float:
        """Population mean spend per transaction, p·v/(q − 1)."""
        p, q, v = self._theta()
        return float(p * v / (q - 1)) if q > 1 else float("inf")


def _weighted_correlation(x: np.ndarray, m: np.ndarray, w: np.ndarray) -> float:
    if w.sum() < 2:
        return float("nan")
    mx, mm = np.average(x, weights=w), np.average(m, weights=w)
    cov = np.average((x - mx) * (m - mm), weights=w)
    vx = np.average((x - mx) ** 2, weights=w)
    vm = np.average((m - mm) ** 2, weights=w)
    if vx == 0 or vm == 0:
        return float("nan")
    return float(cov / np.sqrt(vx * vm))
