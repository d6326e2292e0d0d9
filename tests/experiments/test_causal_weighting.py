"""The weighted points effect recovers a planted non-zero effect when redeeming depends on
the observed pre-period behaviour (the case the weighting is for), where the naive split
does not; the demo's own planted effect is zero (tests/experiments/test_truths.py)."""

from __future__ import annotations

import numpy as np

from memberlens.experiments.causal import COVARIATES, _weighted

EFFECT = 0.5  # extra orders in the 90 days after, for a member who redeems


def simulated(n: int, seed: int) -> dict[str, np.ndarray]:
    """Members whose chance to redeem and whose later orders both rise with last year's
    orders: confounding by an observed covariate, with the effect known."""
    rng = np.random.default_rng(seed)
    orders = rng.poisson(rng.gamma(2.0, 2.0, n)) + 1.0
    revenue = orders * rng.gamma(4.0, 30.0, n)
    before = rng.poisson(orders * 0.8).astype(float)
    last = rng.uniform(0, 180, n)
    tenure = rng.uniform(100, 1500, n)
    earned = revenue * rng.uniform(0.8, 1.2, n)
    logit = -2.5 + 1.2 * np.log1p(orders) - 0.004 * last
    treated = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(float)
    outcome = rng.poisson(0.4 * orders * np.exp(-last / 200)) + EFFECT * treated
    columns = {
        "orders_year": orders,
        "revenue_year": revenue,
        "orders_year_before": before,
        "days_since_last_order": last,
        "tenure_days": tenure,
        "points_earned_year": earned,
    }
    assert set(columns) == set(COVARIATES)
    return {**columns, "treated": treated, "outcome": outcome.astype(float)}


def test_weighting_recovers_a_planted_effect_the_naive_split_misses() -> None:
    covered = 0
    for seed in range(5):
        frame = simulated(20_000, seed)
        t = frame["treated"].astype(bool)
        naive = frame["outcome"][t].mean() - frame["outcome"][~t].mean()
        assert naive > EFFECT + 0.3  # redeemers are heavier buyers at baseline
        weighted = _weighted(frame, 0.05)
        low, high = weighted["ci"]
        assert high - low < 0.2  # narrow enough that covering the effect means something
        covered += low < EFFECT < high
        assert abs(weighted["effect"] - EFFECT) < 0.15
        after = {b["covariate"]: abs(b["after"]) for b in weighted["balance"]}
        before = {b["covariate"]: abs(b["before"]) for b in weighted["balance"]}
        assert after["orders_year"] < before["orders_year"] / 3
    assert covered >= 4  # a 95 % interval: one miss in five is chance, two are not
