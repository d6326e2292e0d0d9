"""Welch's t on per-arm moments: absolute and relative lift, Bayesian chance to win and
risk, and always-valid (sequential) intervals (DESIGN §12).

For control c and variant t with per-member variances v and sizes n:

* absolute lift ``Δ = μ_t − μ_c`` with variance ``v_t/n_t + v_c/n_c``;
* relative lift ``Δ_rel = (μ_t − μ_c) / μ_c`` with the delta-method variance
  ``v_t / (μ_c² n_t) + v_c μ_t² / (μ_c⁴ n_c)`` (μ the unadjusted means under CUPED);
* Welch–Satterthwaite degrees of freedom
  ``(v_t/n_t + v_c/n_c)² / ((v_t/n_t)²/(n_t − 1) + (v_c/n_c)²/(n_c − 1))``; intervals from
  the t quantile at those degrees of freedom; ``p_value`` the two-sided p of
  ``Δ_rel / sd_rel``, as GrowthBook reports it;
* chance to beat control ``Φ(Δ_rel / sd_rel)`` (flat prior on the relative lift) and the
  expected losses ``risk_c = E[max(Δ_rel, 0)]``, ``risk_v = E[max(−Δ_rel, 0)]`` under
  ``Δ_rel ~ N(lift, sd²)``: ``μΦ(μ/σ) + σφ(μ/σ)`` and ``σφ(μ/σ) − μΦ(−μ/σ)``.

Sequential intervals are the normal-mixture confidence sequence of Howard, Ramdas,
McAuliffe & Sekhon (2021, "Time-uniform, nonparametric, nonasymptotic confidence
sequences", eq. 14), as GrowthBook applies it: with N = n_c + n_t members so far and
``ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*`` (N* the tuning sample size, 5 000 by default),
the half-width is ``sd · √N · √(2 (Nρ² + 1) / (N² ρ²) · ln(√(Nρ² + 1) / α))``; the p-value
is the smallest α whose interval excludes zero. The interval is valid at every peek.

>>> from memberlens.stats.statistics import Moments
>>> c, t = Moments(100, 1.0, 1.0, 1.0), Moments(100, 1.2, 1.0, 1.2)
>>> round(compare(c, t).lift_abs, 3)
0.2
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from memberlens.stats.statistics import Moments

#: GrowthBook's default tuning sample size of the mixture sequential test.
SEQUENTIAL_TUNING = 5_000


@dataclass(frozen=True)
class Comparison:
    """One variant against the control."""

    lift_abs: float
    ci_abs: tuple[float, float]
    lift_rel: float
    ci_rel: tuple[float, float]
    sd_abs: float
    sd_rel: float
    df: float
    p_value: float
    chance_to_win: float
    risk: tuple[float, float]  # (choosing the control, choosing the variant)


def welch_df(c: Moments, t: Moments) -> float:
    """Welch–Satterthwaite degrees of freedom."""
    a, b = t.variance / t.n, c.variance / c.n
    denominator = (a * a / (t.n - 1) if t.n > 1 else 0.0) + (b * b / (c.n - 1) if c.n > 1 else 0.0)
    if denominator <= 0:
        return float(c.n + t.n - 2)
    return (a + b) ** 2 / denominator


def sequential_halfwidth(sd: Any, n: Any, alpha: float, tuning: int = SEQUENTIAL_TUNING) -> Any:
    """Half-width of the always-valid interval of an estimate with standard deviation ``sd``
    after ``n`` members (both arms); numbers or numpy arrays."""
    log_alpha = math.log(alpha)
    rho2 = (-2 * log_alpha + math.log(-2 * log_alpha + 1)) / tuning
    s = sd * np.sqrt(n)
    return s * np.sqrt(2 * (n * rho2 + 1) / (n * n * rho2) * np.log(np.sqrt(n * rho2 + 1) / alpha))


def sequential_p_value(
    estimate: float, sd: float, n: int, tuning: int = SEQUENTIAL_TUNING
) -> float:
    """The smallest α at which the always-valid interval excludes zero (1 when none does)."""
    if sd <= 0:
        return 0.0 if estimate != 0 else 1.0
    target = abs(estimate)

    def gap(alpha: float) -> float:
        return float(sequential_halfwidth(sd, n, alpha, tuning)) - target

    if gap(1.0 - 1e-12) >= 0:
        return 1.0
    if gap(1e-300) <= 0:
        return 0.0
    from scipy import optimize

    return float(optimize.brentq(gap, 1e-300, 1.0 - 1e-12, xtol=1e-14, rtol=1e-10))


def compare(
    control: Moments,
    variant: Moments,
    *,
    alpha: float = 0.05,
    sequential: bool = False,
    tuning: int = SEQUENTIAL_TUNING,
) -> Comparison:
    """Welch's t comparison of ``variant`` with ``control`` (see the module docstring)."""
    c, t = control, variant
    if c.n < 1 or t.n < 1:
        raise ValueError("each arm needs at least one member")
    lift_abs = t.mean - c.mean
    var_abs = t.variance / t.n + c.variance / c.n
    mu_c, mu_t = c.unadjusted_mean, t.unadjusted_mean
    if mu_c == 0:
        lift_rel, var_rel = math.nan, math.nan
    else:
        lift_rel = lift_abs / mu_c
        var_rel = t.variance / (mu_c**2 * t.n) + c.variance * mu_t**2 / (mu_c**4 * c.n)
    sd_abs, sd_rel = math.sqrt(var_abs), math.sqrt(var_rel)
    df = welch_df(c, t)
    if sequential:
        n = c.n + t.n
        half_abs = float(sequential_halfwidth(sd_abs, n, alpha, tuning))
        half_rel = float(sequential_halfwidth(sd_rel, n, alpha, tuning)) if mu_c else math.nan
        p = sequential_p_value(lift_rel, sd_rel, n, tuning) if mu_c else math.nan
    else:
        q = float(special.stdtrit(df, 1 - alpha / 2))
        half_abs, half_rel = q * sd_abs, q * sd_rel
        p = _two_sided_p(lift_rel, sd_rel, df)
    chance, risk = _bayesian(lift_rel, sd_rel)
    return Comparison(
        lift_abs=lift_abs,
        ci_abs=(lift_abs - half_abs, lift_abs + half_abs),
        lift_rel=lift_rel,
        ci_rel=(lift_rel - half_rel, lift_rel + half_rel),
        sd_abs=sd_abs,
        sd_rel=sd_rel,
        df=df,
        p_value=p,
        chance_to_win=chance,
        risk=risk,
    )


def _two_sided_p(estimate: float, sd: float, df: float) -> float:
    if math.isnan(estimate) or math.isnan(sd):
        return math.nan
    if sd == 0:
        return 0.0 if estimate != 0 else 1.0
    return float(2 * special.stdtr(df, -abs(estimate / sd)))


def _bayesian(lift: float, sd: float) -> tuple[float, tuple[float, float]]:
    """Chance to beat control and the (control, variant) risks on the relative scale."""
    if math.isnan(lift) or math.isnan(sd):
        return math.nan, (math.nan, math.nan)
    if sd == 0:
        return float(lift > 0), (max(lift, 0.0), max(-lift, 0.0))
    z = lift / sd
    density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    chance = float(special.ndtr(z))
    risk_control = lift * chance + sd * density
    risk_variant = sd * density - lift * float(special.ndtr(-z))
    return chance, (risk_control, risk_variant)
