"""The inference of memberlens.stats against hand-computed values and references
(statsmodels, scipy), and a seeded A/A simulation of daily peeking."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind

from memberlens.stats import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    benjamini_hochberg,
    compare,
    cuped_theta,
    holm,
    sample_size_per_arm,
    srm,
)
from memberlens.stats.frequentist import sequential_halfwidth, sequential_p_value

# A tiny experiment of ten members: revenue in the window, and in the pre-period.
CONTROL = np.array([0.0, 10.0, 20.0, 0.0, 30.0])
TREATMENT = np.array([10.0, 20.0, 40.0, 0.0, 30.0])
CONTROL_PRE = np.array([5.0, 10.0, 10.0, 0.0, 20.0])
TREATMENT_PRE = np.array([0.0, 15.0, 30.0, 5.0, 20.0])


def mean_stat(x: np.ndarray) -> SampleMeanStatistic:
    return SampleMeanStatistic(len(x), float(x.sum()), float((x * x).sum()))


def test_welch_by_hand() -> None:
    c, t = mean_stat(CONTROL).moments(), mean_stat(TREATMENT).moments()
    # control: n 5, Σ 60, Σx² 1400 → mean 12, var (1400 − 720)/4 = 170
    # treatment: Σ 100, Σx² 3000 → mean 20, var (3000 − 2000)/4 = 250
    assert (c.mean, c.variance, t.mean, t.variance) == (12.0, 170.0, 20.0, 250.0)
    r = compare(c, t)
    assert r.lift_abs == 8.0
    assert r.sd_abs == pytest.approx(math.sqrt(250 / 5 + 170 / 5))  # √84
    assert r.df == pytest.approx(84**2 / (50**2 / 4 + 34**2 / 4))  # 7056 / 914 = 7.7199
    assert r.lift_rel == pytest.approx(8 / 12)
    # var_rel = 250/(12²·5) + 170·20²/(12⁴·5) = 0.347222 + 0.655864
    assert r.sd_rel == pytest.approx(math.sqrt(250 / 720 + 68000 / 103680))
    q = sps.t.ppf(0.975, r.df)
    assert r.ci_rel == pytest.approx((8 / 12 - q * r.sd_rel, 8 / 12 + q * r.sd_rel))
    assert r.p_value == pytest.approx(2 * sps.t.sf((8 / 12) / r.sd_rel, r.df))


def test_welch_matches_statsmodels() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.gamma(2.0, 30.0, 40), rng.gamma(2.0, 36.0, 55)
    r = compare(mean_stat(a).moments(), mean_stat(b).moments(), alpha=0.1)
    tstat, p, df = ttest_ind(b, a, usevar="unequal")
    assert r.lift_abs / r.sd_abs == pytest.approx(tstat, rel=1e-10)
    assert r.df == pytest.approx(df, rel=1e-10)
    lo, hi = CompareMeans(DescrStatsW(b), DescrStatsW(a)).tconfint_diff(alpha=0.1, usevar="unequal")
    assert r.ci_abs == pytest.approx((lo, hi), rel=1e-10)
    assert 2 * sps.t.sf(abs(r.lift_abs / r.sd_abs), r.df) == pytest.approx(p, rel=1e-10)


def test_proportion_variance_is_p_one_minus_p() -> None:
    c = ProportionStatistic(5, 2.0, 2.0)  # 2 of 5 converted
    t = ProportionStatistic(5, 4.0, 4.0)
    assert c.variance == pytest.approx(0.4 * 0.6)
    r = compare(c.moments(), t.moments())
    assert r.lift_abs == pytest.approx(0.4)
    assert r.sd_abs == pytest.approx(math.sqrt(0.16 / 5 + 0.24 / 5))
    assert (c + t).n == 10 and isinstance(c + t, ProportionStatistic)


def test_statistics_add_up() -> None:
    whole = mean_stat(np.concatenate([CONTROL, TREATMENT]))
    assert mean_stat(CONTROL) + mean_stat(TREATMENT) == whole


def test_ratio_delta_method_is_the_variance_of_the_linearisation() -> None:
    revenue = np.array([0.0, 50.0, 120.0, 30.0, 80.0, 0.0, 200.0])
    orders = np.array([0.0, 1.0, 2.0, 1.0, 1.0, 0.0, 3.0])
    stat = RatioStatistic(mean_stat(revenue), mean_stat(orders), float((revenue * orders).sum()))
    r = revenue.sum() / orders.sum()  # 480 / 8 = 60
    assert stat.mean == 60.0
    linear = (revenue - r * orders) / orders.mean()
    assert stat.variance == pytest.approx(np.var(linear, ddof=1))


def test_cuped_pooled_theta_and_adjusted_moments() -> None:
    def adjusted(post: np.ndarray, pre: np.ndarray) -> RegressionAdjustedStatistic:
        return RegressionAdjustedStatistic(
            mean_stat(post), mean_stat(pre), float((post * pre).sum())
        )

    c, t = adjusted(CONTROL, CONTROL_PRE), adjusted(TREATMENT, TREATMENT_PRE)
    post = np.concatenate([CONTROL, TREATMENT])
    pre = np.concatenate([CONTROL_PRE, TREATMENT_PRE])
    theta = cuped_theta(c, t)
    assert theta == pytest.approx(np.cov(post, pre)[0, 1] / np.var(pre, ddof=1))
    m = c.adjusted(theta)
    assert m.mean == pytest.approx(CONTROL.mean() - theta * CONTROL_PRE.mean())
    assert m.variance == pytest.approx(np.var(CONTROL - theta * CONTROL_PRE, ddof=1))
    assert m.unadjusted_mean == 12.0
    r = compare(m, t.adjusted(theta))
    # the relative lift divides by the control's unadjusted mean
    expected = (TREATMENT - theta * TREATMENT_PRE).mean() - m.mean
    assert r.lift_abs == pytest.approx(expected)
    assert r.lift_rel == pytest.approx(expected / 12.0)
    assert r.sd_abs < compare(mean_stat(CONTROL).moments(), mean_stat(TREATMENT).moments()).sd_abs


def test_chance_to_win_and_risk_by_integration() -> None:
    c = mean_stat(CONTROL).moments()
    t = mean_stat(TREATMENT).moments()
    r = compare(c, t)
    mu, sd = r.lift_rel, r.sd_rel
    assert r.chance_to_win == pytest.approx(sps.norm.cdf(mu / sd))
    density = sps.norm(mu, sd).pdf
    gain, _ = integrate.quad(lambda x: x * density(x), 0, np.inf)
    loss, _ = integrate.quad(lambda x: -x * density(x), -np.inf, 0)
    assert r.risk == pytest.approx((gain, loss), rel=1e-7)


def test_srm_matches_scipy_chisquare() -> None:
    expected = sps.chisquare([5200, 4800], [5000, 5000]).pvalue
    assert srm([5200, 4800]).p_value == pytest.approx(expected)
    assert srm([5200, 4800]).flag  # p ≈ 6e-5 < 0.001
    weighted = sps.chisquare([700, 290, 10], [700, 280, 20]).pvalue
    assert srm([700, 290, 10], [70, 28, 2]).p_value == pytest.approx(weighted)
    assert not srm([5030, 4970]).flag


def test_holm_and_bh_match_statsmodels() -> None:
    p = [0.001, 0.04, 0.03, 0.2, 0.011, 0.5, 0.049]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert benjamini_hochberg(p) == pytest.approx(list(multipletests(p, method="fdr_bh")[1]))
    with_nan = holm([0.01, math.nan, 0.02])
    assert with_nan[0] == pytest.approx(0.02) and math.isnan(with_nan[1])


@pytest.mark.parametrize(("effect", "alpha", "power"), [(0.2, 0.05, 0.8), (0.05, 0.01, 0.9)])
def test_sample_size_matches_statsmodels(effect: float, alpha: float, power: float) -> None:
    reference = TTestIndPower().solve_power(effect, alpha=alpha, power=power)
    assert sample_size_per_arm(effect * 3.0, 3.0, alpha=alpha, power=power) == math.ceil(reference)


def test_sequential_p_value_is_where_the_interval_touches_zero() -> None:
    c, t = mean_stat(CONTROL).moments(), mean_stat(TREATMENT).moments()
    fixed, seq = compare(c, t), compare(c, t, sequential=True)
    assert seq.ci_abs[1] - seq.ci_abs[0] > fixed.ci_abs[1] - fixed.ci_abs[0]
    p = sequential_p_value(0.3, 0.1, 1000)
    assert float(sequential_halfwidth(0.1, 1000, p)) == pytest.approx(0.3)


def test_a_a_peeking_keeps_the_sequential_false_positive_rate() -> None:
    """500 A/A experiments, 60 members per arm a day, read every day for 14 days."""
    rng = np.random.default_rng(20251201)
    experiments, days, per_day, alpha = 500, 14, 60, 0.05
    x = rng.gamma(0.5, 40.0, (2, experiments, days, per_day))  # skewed, like revenue
    n = per_day * np.arange(1, days + 1)
    total = x.sum(axis=3).cumsum(axis=2)
    squares = (x * x).sum(axis=3).cumsum(axis=2)
    mean = total / n
    var = (squares - total**2 / n) / (n - 1)
    se2 = var / n
    lift = mean[1] - mean[0]
    sd = np.sqrt(se2[0] + se2[1])
    df = (se2[0] + se2[1]) ** 2 / (se2[0] ** 2 / (n - 1) + se2[1] ** 2 / (n - 1))
    naive = (np.abs(lift) > sps.t.ppf(1 - alpha / 2, df) * sd).any(axis=1).mean()
    sequential = (np.abs(lift) > sequential_halfwidth(sd, 2 * n, alpha)).any(axis=1).mean()
    assert sequential <= alpha + 0.02
    assert naive > alpha + 0.04  # peeking at fixed intervals inflates false positives
