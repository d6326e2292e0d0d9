"""The points ledger: earn with tier multipliers, bonus campaigns, redemptions and expiry.

* Earn: ``floor(amount × earn_per_currency × multiplier)`` on every paid order, where the
  multiplier is the member's tier just before the order (the config ladder on paid spend and
  orders in the trailing 365 days). Double-points campaigns add the base points again.
  Sign-ins, referrals and complaint compensation (an ``adjust``) add points too.
* Redeem: members who use points redeem in blocks of ``redeem_block`` at checkout whenever
  their balance allows; the others never redeem.
* Expire: points earned in year Y expire at the end of year Y+1, first-in first-out: at that
  instant every point of year ≤ Y not yet redeemed or expired lapses.
* Anomaly: on ``plan.anomaly_day`` every purchase earn entry is written twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pyarrow as pa

from memberlens.config import TierSettings
from memberlens.dates.expiry import year_end_lapse
from memberlens.generate.base import Chunk, group_starts, pick, timestamps
from memberlens.generate.calendar import DAY, Clock
from memberlens.generate.engagement import Campaign
from memberlens.generate.members import MemberState
from memberlens.generate.orders import Orders

KINDS = ("earn", "redeem", "expire", "adjust")
SOURCES = ("purchase", "campaign", "sign_in", "referral", "service", "reward", "expiry")


def tier_multiplier(
    member: np.ndarray, at: np.ndarray, amount: np.ndarray, start: date
) -> np.ndarray:
    """Earn multiplier of the tier held on each order's day (orders sorted by member, time).

    The default ``[tiers]`` rules, as :func:`memberlens.program.history.tier_history` replays
    them: a member qualifies on a day for the highest level whose thresholds the paid spend and
    orders of that day and the ``window_days − 1`` before it meet; upgrades are immediate (the
    qualifying day's orders earn at the new rate), downgrades happen at month ends (no
    protection). So the tier held on day d is the highest level qualified for at the end of the
    last month end before d or on any order day of d's month up to d.
    """
    settings = TierSettings()
    levels, window = settings.levels, settings.window_days
    day = at // DAY
    dates = np.datetime64(str(start), "D") + day.astype("timedelta64[D]")
    month_start = dates.astype("datetime64[M]").astype("datetime64[D]")
    evaluated = (month_start - np.datetime64(str(start), "D")).astype(np.int64) - 1
    m = member.astype(np.int64) << 32
    key = m + day
    cumulative = np.concatenate([[0.0], np.cumsum(amount)])

    def qualified(last_day: np.ndarray) -> np.ndarray:
        """Level index qualified for at the end of ``last_day`` (per order's member)."""
        hi = np.searchsorted(key, m + last_day, side="right")
        lo = np.searchsorted(key, m + last_day - (window - 1), side="left")
        spend, count = cumulative[hi] - cumulative[lo], hi - lo
        index = np.zeros(member.size, np.int64)
        for i, level in enumerate(levels[1:], start=1):
            ok = np.ones(member.size, bool)
            if level.min_spend is not None:
                ok &= spend >= level.min_spend
            if level.min_orders is not None:
                ok &= count >= level.min_orders
            index = np.where(ok, i, index)
        return index

    held = np.maximum(qualified(evaluated), qualified(day))
    # running maximum inside each (member, month): sort-free, the rows are in that order
    group = np.concatenate([[True], (m[1:] != m[:-1]) | (month_start[1:] != month_start[:-1])])
    offset = np.cumsum(group) * (len(levels) + 1)  # lift each group above the previous ones
    held = np.maximum.accumulate(held + offset) - offset
    multipliers = np.array([level.earn_multiplier for level in levels])
    return multipliers[held]  # type: ignore[no-any-return]


@dataclass
class Entries:
    member: np.ndarray
    at: np.ndarray
    kind: np.ndarray
    points: np.ndarray
    source: np.ndarray
    order: np.ndarray  # row in the chunk's orders or -1
    campaign: np.ndarray  # index into campaigns or -1

    @staticmethod
    def concat(parts: list[Entries]) -> Entries:
        return Entries(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in Entries.__dataclass_fields__)
        )

    @staticmethod
    def of(
        member: np.ndarray,
        at: np.ndarray,
        kind: int,
        points: np.ndarray,
        source: int,
        order: np.ndarray | None = None,
        campaign: np.ndarray | None = None,
    ) -> Entries:
        n = member.size
        return Entries(
            member,
            at,
            np.full(n, kind),
            np.asarray(points, np.int64),
            np.full(n, source),
            np.full(n, -1) if order is None else order,
            np.full(n, -1) if campaign is None else campaign,
        )


def ledger(
    chunk: Chunk,
    state: MemberState,
    orders: Orders,
    campaigns: list[Campaign],
    sign_in: tuple[np.ndarray, np.ndarray],
    compensation: tuple[np.ndarray, np.ndarray],
) -> Entries:
    plan, clock = chunk.plan, chunk.clock
    rows = np.flatnonzero(orders.paid)
    member, at, amount = orders.member[rows], orders.at[rows], orders.amount[rows]
    base = np.floor(amount * plan.earn_per_currency).astype(np.int64)
    earned = np.floor(
        amount * plan.earn_per_currency * tier_multiplier(member, at, amount, clock.start)
    ).astype(np.int64)
    parts = [Entries.of(member, at, 0, earned, 0, rows)]
    for code, campaign in enumerate(campaigns):
        if campaign.kind != "double_points":
            continue
        inside = (at >= campaign.start) & (at <= campaign.end)
        parts.append(
            Entries.of(
                member[inside],
                at[inside] + 1,
                0,
                base[inside],
                1,
                rows[inside],
                np.full(inside.sum(), code),
            )
        )
    anomaly = (at // DAY) == (plan.anomaly_day - clock.start).days
    parts.append(Entries.of(member[anomaly], at[anomaly] + 2, 0, earned[anomaly], 0, rows[anomaly]))
    sm, st = sign_in
    parts.append(Entries.of(sm, st, 0, np.full(sm.size, plan.sign_in_points), 2))
    referrer_local = state.referrer - chunk.lo
    referred = np.flatnonzero((state.referrer >= chunk.lo) & (state.referrer < chunk.hi))
    referred = referred[state.registered[referrer_local[referred]] < state.registered[referred]]
    parts.append(
        Entries.of(
            referrer_local[referred],
            state.registered[referred] + 300,
            0,
            np.full(referred.size, plan.referral_points),
            3,
        )
    )
    cm, ct = compensation
    parts.append(Entries.of(cm, ct, 3, np.full(cm.size, plan.complaint_compensation), 4))
    gains = Entries.concat(parts)
    gains = _sorted(gains)
    spent = _redeem_and_expire(chunk, state, orders, gains)
    return _sorted(Entries.concat([gains, spent]))


def _sorted(e: Entries) -> Entries:
    """Sort by member, time, kind with one packed 64-bit key (much faster than lexsort)."""
    order = np.argsort(
        (e.member.astype(np.int64) << 36) | (e.at.astype(np.int64) << 2) | e.kind, kind="stable"
    )
    return Entries(*(getattr(e, f)[order] for f in Entries.__dataclass_fields__))


def _redeem_and_expire(chunk: Chunk, state: MemberState, orders: Orders, gains: Entries) -> Entries:
    """Redemptions at checkout in blocks, and FIFO expiry at each year end (see module doc)."""
    plan, clock = chunk.plan, chunk.clock
    block = plan.redeem_block
    key = (gains.member.astype(np.int64) << 32) + gains.at
    cumulative = np.concatenate([[0], np.cumsum(gains.points)])

    def earned_before(member: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Points gained by ``member`` strictly before ``at``."""
        m = member.astype(np.int64)
        upto = np.searchsorted(key, (m << 32) + at, side="left")
        begin = np.searchsorted(key, m << 32, side="left")
        return cumulative[upto] - cumulative[begin]  # type: ignore[no-any-return]

    chance = orders.paid & state.redeemer[np.maximum(orders.member, 0)]
    om, ot = orders.member[chance], orders.at[chance]
    order = np.lexsort((ot, om))
    om, ot = om[order], ot[order]
    e_before = earned_before(om, ot)
    expired = np.zeros(chunk.size, np.int64)
    redeemed = np.zeros(chunk.size, np.int64)
    out: list[Entries] = []
    boundaries = [lapse_seconds(clock, y) for y in range(clock.start.year, clock.end.year + 1)]
    boundaries = [b for b in boundaries if b < clock.horizon] + [clock.horizon]
    lower = 0
    for year, upper in zip(range(clock.start.year, clock.end.year + 2), boundaries, strict=False):
        inside = (ot >= lower) & (ot < upper)
        m, t = om[inside], ot[inside]
        target = block * ((e_before[inside] - expired[m]) // block)
        total = np.maximum(target, redeemed[m])
        first = group_starts(m)
        previous = np.where(first, redeemed[m], np.concatenate([[0], total[:-1]]))
        step = total - previous
        did = step > 0
        out.append(Entries.of(m[did], t[did], 1, -step[did], 5))
        if m.size:
            last = np.append(np.flatnonzero(first)[1:] - 1, m.size - 1)
            redeemed[m[last]] = total[last]
        if upper == clock.horizon:
            break
        # expiry of the points earned in `year` (and before) at its lapse instant (= upper)
        everyone = np.arange(chunk.size)
        next_year = seconds_at(clock, datetime(year + 1, 1, 1))
        earned_to_year = earned_before(everyone, np.full(chunk.size, next_year))
        lapse = np.maximum(earned_to_year - redeemed - expired, 0)
        lapsing = np.flatnonzero(lapse > 0)
        out.append(Entries.of(lapsing, np.full(lapsing.size, upper), 2, -lapse[lapsing], 6))
        expired += lapse
        lower = upper
    return (
        Entries.concat(out)
        if out
        else Entries.of(np.zeros(0, np.int64), np.zeros(0, np.int64), 1, np.zeros(0), 5)
    )


def seconds_at(clock: Clock, instant: datetime) -> int:
    """Seconds since the program start at ``instant``."""
    return int(
        (instant - datetime(clock.start.year, clock.start.month, clock.start.day)).total_seconds()
    )


def lapse_seconds(clock: Clock, year: int) -> int:
    """Seconds since the start at which the points earned in ``year`` lapse."""
    return seconds_at(clock, year_end_lapse(year))


def points_table(
    chunk: Chunk, e: Entries, order_id: pa.Array, campaign_ids: tuple[str, ...]
) -> pa.Table:
    import pyarrow.compute as pc

    n = e.member.size
    has_order = e.order >= 0
    order_ref = order_id.take(pa.array(np.maximum(e.order, 0)))
    earn = e.kind == 0
    # the lapse instant of each earn entry's year (memberlens.dates.expiry)
    clock = chunk.clock
    start = np.datetime64(str(clock.start), "s")
    year = (start + e.at.astype("timedelta64[s]")).astype("datetime64[Y]").astype(np.int64) + 1970
    first = clock.start.year
    lapse = np.array([lapse_seconds(clock, y) for y in range(first, clock.end.year + 2)])
    expires_at = lapse[np.clip(year - first, 0, lapse.size - 1)]
    rewards = np.where(e.kind == 1, np.minimum(-e.points // chunk.plan.redeem_block, 4) - 1, -1)
    return pa.table(
        {
            "entry_id": chunk.next_ids("entries", "P", n, 11),
            "member_id": chunk.member_ids(e.member),
            "at": timestamps(chunk.clock.start, e.at),
            "kind": pick(KINDS, e.kind),
            "points": pa.array(e.points, pa.int64()),
            "source": pick(SOURCES, e.source),
            "order_id": pc.if_else(pa.array(has_order), order_ref, pa.nulls(n, pa.string())),
            "campaign_id": pick(campaign_ids or ("",), e.campaign),
            "reward_id": pick(("RW500", "RW1000", "RW1500", "RW2000"), rewards),
            "expires_at": pa.array(
                timestamps(chunk.clock.start, expires_at).to_numpy(zero_copy_only=False),
                pa.timestamp("s"),
                mask=~earn,
            ),
        }
    )
