r"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

While alive, a customer buys at Poisson rate λ; after every purchase they drop out with
probability p. Across customers λ ~ Gamma(r, α) (shape r, rate α) and p ~ Beta(a, b).
For a customer with x repeat purchases, the last at t_x, observed for T since the first
purchase, the likelihood is (FHL 2005, eq. 6)

.. math::

    L(r, α, a, b \mid x, t_x, T) =
        \frac{Γ(r+x)\,α^r}{Γ(r)} \frac{B(a, b+x)}{B(a, b)}
        \left[ (α+T)^{-(r+x)} + δ_{x>0} \frac{a}{b+x-1} (α+t_x)^{-(r+x)} \right]

evaluated here in log space (``gammaln`` and ``logaddexp``) with its analytic gradient.
Customers with the same (x, t_x, T) share one likelihood term, so the fit runs on the
distinct patterns weighted by their counts.

Predictions (FHL 2005 eqs. 10 and 13):

* P(alive | x, t_x, T) = 1 / (1 + δ_{x>0} a/(b+x−1) · ((α+T)/(α+t_x))^{r+x});
* E[Y(t) | x, t_x, T] = P(alive) · (a+b+x−1)/(a−1) ·
  [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))];
* P(Y(t) > 0 | x, t_x, T) = P(alive) · (1 − ((α+T)/(α+T+t))^{r+x}) — a customer alive at T
  cannot drop out before their next purchase, and λ | data ~ Gamma(r+x, α+T).

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting Your Customers" the Easy Way:
An Alternative to the Pareto/NBD Model. *Marketing Science* 24(2), 275–284.
Fader, Hardie & Lee (2008). Computing P(alive) using the BG/NBD model. (Note 021.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

from memberlens.errors import InputError
from memberlens.models.base import SAMPLE, Model, check_arrays, dot, maximise, rough_maximum

#: fewer repeat buyers than this cannot pin down four parameters
MIN_REPEAT_BUYERS = 30


@dataclass(frozen=True)
class Patterns:
    """Distinct (x, t_x, T) with their counts, and index arrays for cheap gathers."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    weight: np.ndarray
    # distinct values of x, t_x and T, and each pattern's position among them
    ux: np.ndarray
    xi: np.ndarray
    ut_x: np.ndarray
    t_xi: np.ndarray
    uT: np.ndarray
    Ti: np.ndarray
    wx: np.ndarray  # total weight per distinct x
    w_T: np.ndarray  # total weight per distinct T
    wx_T: np.ndarray  # Σ weight·x per distinct T

    @classmethod
    def build(
        cls, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, weight: np.ndarray | None = None
    ) -> Patterns:
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        if weight is None:
            x, t_x, T, weight = aggregate(x, t_x, T)
        weight = np.asarray(weight, dtype=float)
        ux, xi = np.unique(x, return_inverse=True)
        ut_x, t_xi = np.unique(t_x, return_inverse=True)
        uT, Ti = np.unique(T, return_inverse=True)
        wx = np.bincount(xi, weights=weight, minlength=ux.size)
        w_T = np.bincount(Ti, weights=weight, minlength=uT.size)
        wx_T = np.bincount(Ti, weights=weight * x, minlength=uT.size)
        return cls(x, t_x, T, weight, ux, xi, ut_x, t_xi, uT, Ti, wx, w_T, wx_T)


def aggregate(
    x: np.ndarray, t_x: np.ndarray, T: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (x, t_x, T) rows and how many customers have each."""
    if x.size == 0:
        return x, t_x, T, np.zeros(0)
    order = np.lexsort((T, t_x, x))
    xs, ts, Ts = x[order], t_x[order], T[order]
    new = np.ones(xs.size, dtype=bool)
    new[1:] = (xs[1:] != xs[:-1]) | (ts[1:] != ts[:-1]) | (Ts[1:] != Ts[:-1])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, xs.size)).astype(float)
    return xs[starts], ts[starts], Ts[starts], counts


def log_likelihood(theta: np.ndarray, d: Patterns) -> tuple[float, np.ndarray]:
    """Total log-likelihood Σ w·log L and its gradient in (r, α, a, b).

    With A3 = −(r+x) ln(α+T) and A4 − A3 = z = ln(a/(b+x−1)) + (r+x)(ln(α+T) − ln(α+t_x)),
    log L = A1 + A2 + A3 + softplus(z), and the gradient weights the two branches by
    σ(z) (the "dropped out after t_x" share). Terms that depend on x alone, or on T alone,
    are summed per distinct value; only z and σ(z) need a pass over the patterns.
    """
    r, alpha, a, b = theta
    ux = d.ux
    repeat = ux > 0
    a12 = (
        gammaln(r + ux)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + ux)
        - gammaln(b)
        - gammaln(a + b + ux)
    )
    inv_bx = np.where(repeat, 1.0 / (b + np.maximum(ux, 1) - 1), 0.0)
    log_odds = np.where(repeat, np.log(a * inv_bx, where=repeat, out=np.ones_like(ux)), -np.inf)
    log_T = np.log(alpha + d.uT)
    inv_T = 1.0 / (alpha + d.uT)
    log_tx = np.log(alpha + d.ut_x)
    rx = (r + ux)[d.xi]
    diff = log_T[d.Ti] - log_tx[d.t_xi]
    z = log_odds[d.xi] + rx * diff
    w = d.weight
    w4 = w * expit(z)
    # Σ w·A3 = −Σ_T ln(α+T)·(r·W_T + Σ_{x at T} w·x), from per-T sums
    rx_T = r * d.w_T + d.wx_T
    total = dot(d.wx, a12) - dot(rx_T, log_T) + dot(w, np.logaddexp(0.0, z))

    dr = dot(d.wx, digamma(r + ux) - digamma(r) + np.log(alpha)) - dot(d.w_T, log_T) + dot(w4, diff)
    dalpha = (
        d.wx.sum() * r / alpha
        - dot(rx_T, inv_T)
        - dot(w4 * rx, 1.0 / (alpha + d.ut_x)[d.t_xi] - inv_T[d.Ti])
    )
    da = dot(d.wx, digamma(a + b) - digamma(a + b + ux)) + w4.sum() / a
    db = dot(d.wx, digamma(a + b) + digamma(b + ux) - digamma(b) - digamma(a + b + ux)) - dot(
        w4, inv_bx[d.xi]
    )
    return total, np.array([dr, dalpha, da, db])


class BetaGeo(Model):
    """BG/NBD: fit on (frequency, recency, T), predict P(alive) and future purchases.

    Examples
    --------
    >>> import numpy as np
    >>> m = BetaGeo().fit(np.array([0, 2, 5]), np.array([0.0, 30, 80]), np.array([90.0, 90, 90]))
    ... # doctest: +SKIP
    >>> m.params_  # doctest: +SKIP
    {'r': ..., 'alpha': ..., 'a': ..., 'b': ...}
    """

    param_names = ("r", "alpha", "a", "b")
    label = "BG/NBD"

    def fit(
        self,
        frequency: np.ndarray,
        recency: np.ndarray,
        T: np.ndarray,
        weights: np.ndarray | None = None,
    ) -> BetaGeo:
        """Maximum-likelihood fit. ``weights`` counts customers per row (default: 1 each)."""
        x = np.asarray(frequency, dtype=float)
        t_x = np.asarray(recency, dtype=float)
        big_t = np.asarray(T, dtype=float)
        check_arrays(frequency=x, recency=t_x, T=big_t)
        if weights is not None:
            check_arrays(frequency=x, weights=np.asarray(weights, dtype=float))
        if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > big_t) or np.any(x != np.round(x)):
            raise InputError(
                "BG/NBD inputs need whole frequency ≥ 0 and 0 ≤ recency ≤ T for every customer."
            )
        if np.any((x == 0) & (t_x != 0)):
            raise InputError("A customer with frequency 0 must have recency 0.")
        data = Patterns.build(x, t_x, big_t, weights)
        total = float(data.weight.sum())
        repeaters = float(data.weight[data.x > 0].sum())
        warnings: list[str] = []
        if total == 0:
            raise InputError("BG/NBD needs at least one customer; none bought by that date.")
        if repeaters < MIN_REPEAT_BUYERS:
            warnings.append(
                f"Only {repeaters:.0f} of {total:.0f} customers bought again (fewer than "
                f"{MIN_REPEAT_BUYERS}): BG/NBD cannot be estimated reliably. Use a later "
                "calibration end or more members."
            )
        start, near = _start(data)
        optimum = maximise(lambda theta: log_likelihood(theta, data), start, total, near=near)
        self._store(optimum, warnings)
        self.customers_ = int(total)
        self.repeat_customers_ = int(repeaters)
        return self

    # --- predictions -----------------------------------------------------------------

    def _log_alive_odds(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, a, b = self._theta()
        rx = r + x
        odds = (
            np.log(a)
            - np.log(b + np.maximum(x, 1) - 1)
            + rx * (np.log(alpha + T) - np.log(alpha + t_x))
        )
        return np.where(x > 0, odds, -np.inf)

    def p_alive(self, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray) -> np.ndarray:
        """P(alive at T | x, t_x, T)."""
        x, t_x, big_t = _floats(frequency, recency, T)
        return expit(-self._log_alive_odds(x, t_x, big_t))  # type: ignore[no-any-return]

    def expected_purchases(
        self, t: float, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        """E[purchases in (T, T + t] | x, t_x, T] (FHL 2005 eq. 10)."""
        r, alpha, a, b = self._theta()
        x, t_x, big_t = _floats(frequency, recency, T)
        if t <= 0:
            return np.zeros_like(x)
        alive = expit(-self._log_alive_odds(x, t_x, big_t))
        rx = r + x
        c = a + b + x - 1
        z = t / (alpha + big_t + t)
        log_ratio = rx * (np.log(alpha + big_t) - np.log(alpha + big_t + t))
        bracket = 1.0 - np.exp(log_ratio) * hyp2f1(rx, b + x, c, z)
        return alive * c / (a - 1) * bracket  # type: ignore[no-any-return]

    def p_purchase(
        self, t: float, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        """P(at least one purchase in (T, T + t] | x, t_x, T)."""
        r, alpha, _, _ = self._theta()
        x, t_x, big_t = _floats(frequency, recency, T)
        alive = expit(-self._log_alive_odds(x, t_x, big_t))
        none = np.exp((r + x) * (np.log(alpha + big_t) - np.log(alpha + big_t + t)))
        return alive * (1.0 - none)  # type: ignore[no-any-return]


def _start(data: Patterns) -> tuple[np.ndarray, bool]:
    """Where the search starts: the fit on a thinned sample of customers when there are many.

    Each evaluation on 10 M customers costs about a second; most of the search happens on
    ~:data:`~memberlens.models.base.SAMPLE` customers (each kept with the same probability,
    so the sample's likelihood estimates the whole one) and the full data only refines it.
    """
    fallback = np.array([1.0, (float(data.T.max()) or 1.0) / 10, 1.0, 1.0])
    total = float(data.weight.sum())
    if data.x.size <= SAMPLE or not np.all(data.weight == np.round(data.weight)):
        return fallback, False
    rng = np.random.default_rng(0)
    kept = rng.binomial(data.weight.astype(np.int64), SAMPLE / total).astype(float)
    chosen = kept > 0
    sample = Patterns.build(data.x[chosen], data.t_x[chosen], data.T[chosen], kept[chosen])
    fitted = rough_maximum(lambda theta: log_likelihood(theta, sample), fallback, kept.sum())
    return (fallback, False) if fitted is None else (fitted, True)


def _floats(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(a, dtype=float) for a in arrays)
