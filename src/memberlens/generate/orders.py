"""Purchases: a BG/NBD process for when, a Gamma-Gamma model for how much.

For each buyer (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"):
the first purchase comes at t0 after registration; repeat purchases follow a Poisson
process of rate λ ~ Gamma(r, α) in operational time; after every repeat purchase the member
drops out with probability p ~ Beta(a, b). Simulated exactly and in O(purchases):
n ~ Poisson(λH) potential repeats in the horizon H, K ~ Geometric(p) repeats before dropout,
and the first min(n, K) order statistics of n uniforms drawn from exponential spacings.
Spend per order is z ~ Gamma(p, ν) with ν ~ Gamma(q, v) per member.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memberlens.generate.base import (
    CHANNEL_SHARE,
    CHANNELS,
    Chunk,
    group_cumsum,
    group_starts,
    ids,
    money,
    pick,
    stores,
    timestamps,
)
from memberlens.generate.calendar import DAY, time_of_day
from memberlens.generate.members import MemberState

STATUSES = ("paid", "refunded", "cancelled")
CATEGORIES = ("饮品", "零食", "生鲜", "日用", "美妆个护", "家居")
SKUS_PER_CATEGORY = 40


@dataclass
class Orders:
    """Orders of one chunk, sorted by member then time (member -1: non-member orders)."""

    member: np.ndarray  # local member index or -1
    at: np.ndarray  # seconds since start
    amount: np.ndarray
    status: np.ndarray  # code into STATUSES
    channel: np.ndarray
    store: np.ndarray
    campaign: np.ndarray  # index into the campaign list or -1

    def take(self, rows: np.ndarray) -> Orders:
        return Orders(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))

    @staticmethod
    def concat(parts: list[Orders]) -> Orders:
        return Orders(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Orders.__dataclass_fields__)
        )

    @property
    def paid(self) -> np.ndarray:
        return (self.status == 0) & (self.member >= 0)  # type: ignore[no-any-return]


def base_purchases(chunk: Chunk, state: MemberState) -> tuple[np.ndarray, np.ndarray]:
    """(member, seconds) of every BG/NBD purchase, first purchases included."""
    rng, plan, clock = chunk.rng, chunk.plan, chunk.clock
    n = chunk.size
    buyer = rng.random(n) < plan.buyer_share
    same_day = rng.random(n) < plan.same_day_first_purchase
    later_day = (state.registered // DAY) + 1 + rng.exponential(25, n).astype(np.int64)
    first = np.where(
        same_day,
        state.registered + rng.integers(60, 1800, n),
        later_day * DAY + time_of_day(rng, n),
    )
    buyer &= first < clock.horizon
    members = np.flatnonzero(buyer)
    t0 = first[members]
    tau0 = clock.to_operational(t0)
    horizon = clock.cumulative[-1] - tau0
    lam, p = state.lam[members], state.p[members]
    potential = rng.poisson(lam * horizon)
    before_dropout = rng.geometric(p)
    repeats = np.minimum(potential, before_dropout)
    if state.single is not None:  # the heavy distribution: buyers who never come back
        repeats = np.where(state.single[members], 0, repeats)
    # the first `repeats` of `potential` sorted uniforms, via exponential spacings
    owner = np.repeat(np.arange(members.size), repeats)
    spacing = rng.exponential(1.0, owner.size)
    first_of = group_starts(owner) if owner.size else np.zeros(0, bool)
    partial = group_cumsum(spacing, first_of) if owner.size else spacing
    last = np.zeros(members.size)
    has = repeats > 0
    ends = np.cumsum(repeats)[has] - 1
    last[has] = partial[ends]
    total = last + rng.gamma(np.maximum(potential + 1 - repeats, 1e-9), 1.0)
    tau = tau0[owner] + partial / total[owner] * horizon[owner]
    day = clock.to_calendar(tau)
    repeat_at = day + time_of_day(rng, owner.size)
    repeat_at = np.maximum(repeat_at, t0[owner] + 60)  # same day as the first, but after it
    member = np.concatenate([members, members[owner]])
    at = np.concatenate([t0, repeat_at])
    if state.spell is not None:  # the heavy distribution: nothing bought during a spell
        spell = state.spell[member]
        keep = ~((at >= spell[:, 0]) & (at < spell[:, 1]))
        keep[: members.size] = True  # a first purchase is never taken away
        member, at = member[keep], at[keep]
    return member, at


def spend(chunk: Chunk, state: MemberState, member: np.ndarray) -> np.ndarray:
    z = chunk.rng.gamma(chunk.plan.gamma_gamma.p, 1 / state.nu[member])
    return np.maximum(np.round(z, 2), 1.0)  # type: ignore[no-any-return]


def build_orders(
    chunk: Chunk,
    state: MemberState,
    member: np.ndarray,
    at: np.ndarray,
    campaign: np.ndarray,
) -> Orders:
    """All orders of the chunk: paid member orders, refund/cancel twins and non-member orders."""
    rng, plan = chunk.rng, chunk.plan
    m = member.size
    amount = spend(chunk, state, member)
    channel = np.where(
        rng.random(m) < 0.7, state.channel[member], rng.choice(len(CHANNELS), m, p=CHANNEL_SHARE)
    )
    paid = Orders(
        member,
        at,
        amount,
        np.zeros(m, np.int64),
        channel,
        _stores(chunk, state, member, channel),
        campaign,
    )
    # refunded and cancelled orders come on top of the purchase process, not instead of it
    twins = np.flatnonzero(rng.random(m) < plan.refund_share + plan.cancel_share)
    twin = paid.take(twins)
    twin.at = np.minimum(
        twin.at + rng.integers(-3 * DAY, 3 * DAY, twins.size), chunk.clock.horizon - 1
    )
    twin.at = np.maximum(twin.at, state.registered[twin.member] + 60)
    twin.status = np.where(
        rng.random(twins.size) < plan.refund_share / (plan.refund_share + plan.cancel_share), 1, 2
    )
    twin.campaign = np.full(twins.size, -1)
    twin.amount = spend(chunk, state, twin.member)
    # walk-in customers who are not members
    k = int(rng.poisson(plan.non_member_order_share * m))
    walk_in_day = chunk.clock.to_calendar(rng.random(k) * chunk.clock.cumulative[-1])
    walk_in = Orders(
        np.full(k, -1),
        walk_in_day + time_of_day(rng, k),
        np.maximum(np.round(rng.gamma(2.0, 45.0, k), 2), 1.0),
        np.zeros(k, np.int64),
        np.zeros(k, np.int64),
        rng.integers(0, len(stores()[0]), k),
        np.full(k, -1),
    )
    orders = Orders.concat([paid, twin])
    order = np.lexsort((orders.at, orders.member))
    return Orders.concat([orders.take(order), walk_in])


def _stores(
    chunk: Chunk, state: MemberState, member: np.ndarray, channel: np.ndarray
) -> np.ndarray:
    rng = chunk.rng
    home = state.store[member]
    random_store = rng.integers(0, len(stores()[0]), member.size)
    store = np.where((home >= 0) & (rng.random(member.size) < 0.8), home, random_store)
    return np.where(channel == 0, store, -1)


def orders_table(
    chunk: Chunk, orders: Orders, order_id: pa.Array, campaign_ids: tuple[str, ...]
) -> pa.Table:
    rng = chunk.rng
    n = orders.member.size
    discounted = rng.random(n) < 0.3
    discount = np.where(discounted, np.round(orders.amount * rng.uniform(0.05, 0.2, n), 2), 0.0)
    member_id = chunk.member_ids(np.maximum(orders.member, 0))
    return pa.table(
        {
            "order_id": order_id,
            "member_id": _nullable(member_id, orders.member >= 0),
            "ordered_at": timestamps(chunk.clock.start, orders.at),
            "amount": money(orders.amount),
            "status": pick(STATUSES, orders.status),
            "channel": pick(CHANNELS, orders.channel),
            "store_id": pick(tuple(stores()[0]), orders.store),
            "campaign_id": pick(campaign_ids or ("",), orders.campaign),
            "discount": money(discount),
        }
    )


def _nullable(values: pa.Array, keep: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(keep), values, pa.nulls(len(values), pa.string()))


def order_items(chunk: Chunk, orders: Orders, order_id: pa.Array) -> pa.Table:
    """1–6 lines per order whose amounts add up to the order amount exactly."""
    rng = chunk.rng
    n = orders.member.size
    lines = 1 + np.minimum(rng.poisson(0.7, n), 5)
    owner = np.repeat(np.arange(n), lines)
    first = group_starts(owner)
    line = group_cumsum(np.ones(owner.size, np.int64), first)
    weight = rng.gamma(2.0, 1.0, owner.size)
    share = weight / np.repeat(np.add.reduceat(weight, np.flatnonzero(first)), lines)
    cents = np.round(orders.amount * 100).astype(np.int64)
    part = np.floor(share * cents[owner]).astype(np.int64)
    # the last line takes the rounding remainder so lines sum to the order
    last = np.append(np.flatnonzero(first)[1:] - 1, owner.size - 1)
    part[last] += cents - np.add.reduceat(part, np.flatnonzero(first))
    category = rng.integers(0, len(CATEGORIES), owner.size)
    sku_number = category * SKUS_PER_CATEGORY + rng.zipf(1.6, owner.size) % SKUS_PER_CATEGORY
    return pa.table(
        {
            "order_id": order_id.take(pa.array(owner)),
            "line": pa.array(line, pa.int64()),
            "sku": ids("SKU", sku_number + 1, 5),
            "category": pick(CATEGORIES, category),
            "quantity": pa.array(1 + rng.poisson(0.3, owner.size), pa.float64()),
            "amount": money(part / 100),
        }
    )
