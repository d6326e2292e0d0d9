"""The purchase simulator against the closed forms of the models it plants."""

import numpy as np
import pytest
from scipy.special import hyp2f1

from memberlens.generate.base import Chunk, Counters
from memberlens.generate.calendar import Clock
from memberlens.generate.members import generate_members
from memberlens.generate.orders import base_purchases, spend
from memberlens.generate.params import BgNbd, GammaGamma, Plan


def _chunk(plan: Plan, members: int) -> Chunk:
    clock = Clock.build(plan.start, plan.end)
    return Chunk(plan, clock, 0, 0, members, np.random.default_rng(plan.seed), Counters(), 8)


def expected_repeats(t: np.ndarray, bg: BgNbd) -> np.ndarray:
    """E[X(t)] of BG/NBD (Fader, Hardie & Lee 2005, eq. 9), valid for a > 1."""
    r, alpha, a, b = bg.r, bg.alpha, bg.a, bg.b
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def test_repeat_purchases_match_the_bgnbd_expectation() -> None:
    bg = BgNbd(r=0.6, alpha=10.0, a=2.5, b=6.0)
    plan = Plan(members=60_000, bgnbd=bg, seed=11)
    chunk = _chunk(plan, plan.members)
    _, _, state = generate_members(chunk, [])
    member, at = base_purchases(chunk, state)
    buyers, counts = np.unique(member, return_counts=True)
    first = np.full(plan.members, np.iinfo(np.int64).max)
    np.minimum.at(first, member, at)
    # each buyer's remaining horizon in operational days, from the first purchase
    horizon = chunk.clock.cumulative[-1] - chunk.clock.to_operational(first[buyers])
    expected = expected_repeats(horizon, bg).sum()
    observed = (counts - 1).sum()
    assert observed == pytest.approx(expected, rel=0.03)


def test_spend_per_order_matches_the_gamma_gamma_mean() -> None:
    gg = GammaGamma(p=4.5, q=3.8, v=85.0)
    plan = Plan(members=50_000, gamma_gamma=gg, seed=12)
    chunk = _chunk(plan, plan.members)
    _, _, state = generate_members(chunk, [])
    amounts = spend(chunk, state, np.repeat(np.arange(plan.members), 4))
    assert amounts.mean() == pytest.approx(gg.p * gg.v / (gg.q - 1), rel=0.03)
