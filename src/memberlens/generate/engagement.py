"""Campaigns with holdout groups and planted lifts, the A/B experiment, and behaviour events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from memberlens.dates.calendar import occasions
from memberlens.generate.base import CHANNELS, Chunk, pick, timestamps
from memberlens.generate.calendar import DAY, Clock, date_seconds, spring_festival
from memberlens.generate.members import MemberState
from memberlens.generate.orders import Orders

EVENTS = ("view", "cart", "checkout", "sign_in", "share", "coupon_claim")
SHARE_TARGETS = ('{"to": "wechat_moments"}', '{"to": "wechat_friend"}', '{"to": "weibo"}')


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    kind: str  # coupon | member_day | winback | double_points | recruitment
    start: int  # seconds since the program start
    end: int
    channel: str
    lift: float = 0.0  # planted extra-order probability for treated members in the window
    reach: float = 0.0  # share of eligible members touched
    window_days: int = 7
    unit_cost: float = 0.0  # per touch (message + coupon budget)

    @property
    def targeted(self) -> bool:
        return self.reach > 0


def catalogue(clock: Clock) -> list[Campaign]:
    """The program's campaigns, the same for every chunk."""
    found: list[Campaign] = []

    def add(
        cid: str, name: str, kind: str, first: date, last: date, channel: str, **kw: float
    ) -> None:
        if clock.start <= first and last <= clock.end:
            start = date_seconds(clock.start, first) + 10 * 3600
            end = date_seconds(clock.start, last) + DAY - 1
            found.append(Campaign(cid, name, kind, start, end, channel, **kw))  # type: ignore[arg-type]

    for y in range(clock.start.year, clock.end.year + 1):
        festival = spring_festival(y)
        events = {o.id: o for o in occasions(date(y, 1, 1), date(y, 12, 31))}
        add(
            f"C{y}SF",
            f"{y}年货节满减券",
            "coupon",
            festival - timedelta(days=14),
            festival - timedelta(days=1),
            "sms",
            lift=0.06,
            reach=0.10,
            unit_cost=2.5,
        )
        add(
            f"C{y}RC",
            f"{y}春季新人礼",
            "recruitment",
            date(y, 3, 1),
            date(y, 3, 31),
            "wechat",
            unit_cost=0.0,
        )
        for quarter, month in enumerate((3, 6, 9, 12), start=1):
            add(
                f"C{y}MD{quarter}",
                f"{y}Q{quarter}会员日专享券",
                "member_day",
                date(y, month, 20),
                date(y, month, 20),
                "app_push",
                lift=0.04,
                reach=0.12,
                window_days=7,
                unit_cost=1.2,
            )
        add(
            f"C{y}618",
            f"{y}618双倍积分",
            "double_points",
            events["618"].first,  # pre-sales from 1 June
            events["618"].day,
            "app_push",
        )
        add(
            f"C{y}WB",
            f"{y}沉睡会员唤醒",
            "winback",
            date(y, 9, 1),
            date(y, 9, 14),
            "sms",
            lift=0.08,
            reach=0.35,
            window_days=14,
            unit_cost=3.0,
        )
        add(
            f"C{y}1111",
            f"{y}双11双倍积分",
            "double_points",
            events["double11"].first,  # pre-sales from 1 November
            events["double11"].day,
            "app_push",
        )
    return found


@dataclass
class Touches:
    table: pa.Table
    member: np.ndarray  # induced orders: member, time, campaign index
    at: np.ndarray
    campaign: np.ndarray
    treated: np.ndarray  # members × time of treatment touches (for coupon claims)
    treated_at: np.ndarray


def touch_campaigns(
    chunk: Chunk,
    state: MemberState,
    campaigns: list[Campaign],
    purchase_member: np.ndarray,
    purchase_at: np.ndarray,
) -> Touches:
    rng, n = chunk.rng, chunk.size
    parts, induced_m, induced_t, induced_c, treated_m, treated_t = [], [], [], [], [], []
    last_order = np.full(n, -1, np.int64)
    for code, campaign in enumerate(campaigns):
        if not campaign.targeted:
            continue
        eligible = state.registered < campaign.start
        if campaign.kind == "winback":
            # members whose last purchase before the campaign is at least 180 days old
            before = purchase_at < campaign.start
            last_order[:] = -1
            np.maximum.at(last_order, purchase_member[before], purchase_at[before])
            eligible &= (last_order >= 0) & (last_order < campaign.start - 180 * DAY)
        touched = np.flatnonzero(eligible & (rng.random(n) < campaign.reach))
        at = campaign.start + rng.integers(0, 6 * 3600, touched.size)
        holdout = rng.random(touched.size) < 0.10
        parts.append(
            pa.table(
                {
                    "campaign_id": pick((campaign.id,), np.zeros(touched.size, np.int32)),
                    "member_id": chunk.member_ids(touched),
                    "at": timestamps(chunk.clock.start, at),
                    "group": pick(("treatment", "holdout"), holdout.astype(np.int32)),
                    "variant": pick(("A",), np.zeros(touched.size, np.int32)),
                }
            )
        )
        treated = ~holdout
        treated_m.append(touched[treated])
        treated_t.append(at[treated])
        converts = treated & (rng.random(touched.size) < campaign.lift)
        when = at[converts] + rng.integers(3600, campaign.window_days * DAY - 3600, converts.sum())
        inside = when < chunk.clock.horizon
        induced_m.append(touched[converts][inside])
        induced_t.append(when[inside])
        induced_c.append(np.full(inside.sum(), code))
    table = pa.concat_tables(parts) if parts else _empty_touches()
    cat = np.concatenate
    return Touches(
        table,
        cat(induced_m or [np.zeros(0, np.int64)]),
        cat(induced_t or [np.zeros(0, np.int64)]),
        cat(induced_c or [np.zeros(0, np.int64)]),
        cat(treated_m or [np.zeros(0, np.int64)]),
        cat(treated_t or [np.zeros(0, np.int64)]),
    )


def _empty_touches() -> pa.Table:
    s = pa.string()
    return pa.table(
        {
            "campaign_id": pa.array([], s),
            "member_id": pa.array([], s),
            "at": pa.array([], pa.timestamp("s")),
            "group": pa.array([], s),
            "variant": pa.array([], s),
        }
    )


EXPERIMENT_ID = "EXP2025PUSH"
EXPERIMENT_START = date(2025, 6, 1)


def assign_experiment(chunk: Chunk, state: MemberState) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """A 50/50 test of personalised push messages; treatment buys more within the window."""
    rng, plan, clock = chunk.rng, chunk.plan, chunk.clock
    if (
        not clock.start
        <= EXPERIMENT_START
        <= clock.end - timedelta(days=plan.experiment_window_days)
    ):
        empty = pa.table(
            {
                "experiment_id": pa.array([], pa.string()),
                "member_id": pa.array([], pa.string()),
                "variant": pa.array([], pa.string()),
                "assigned_at": pa.array([], pa.timestamp("s")),
            }
        )
        return empty, np.zeros(0, np.int64), np.zeros(0, np.int64)
    start = date_seconds(clock.start, EXPERIMENT_START) + 9 * 3600
    members = np.flatnonzero((state.registered < start) & (rng.random(chunk.size) < 0.10))
    variant = (rng.random(members.size) < 0.5).astype(np.int32)  # 1 = treatment
    converts = (variant == 1) & (rng.random(members.size) < plan.experiment_lift)
    window = plan.experiment_window_days * DAY
    at = start + rng.integers(3600, window - 3600, converts.sum())
    table = pa.table(
        {
            "experiment_id": pick((EXPERIMENT_ID,), np.zeros(members.size, np.int32)),
            "member_id": chunk.member_ids(members),
            "variant": pick(("control", "treatment"), variant),
            "assigned_at": timestamps(clock.start, np.full(members.size, start)),
        }
    )
    return table, members[converts], at


def events(
    chunk: Chunk, state: MemberState, orders: Orders, touches: Touches
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """Behaviour events; returns (table, sign-in members, sign-in seconds) for the ledger."""
    rng, clock = chunk.rng, chunk.clock
    paid = orders.paid
    online = paid & np.isin(orders.channel, (1, 2))
    om, ot, oc = orders.member[online], orders.at[online], orders.channel[online]
    member = [om, om, om]
    at = [
        ot - rng.integers(120, 2400, om.size),
        ot - rng.integers(60, 600, om.size),
        ot - rng.integers(5, 55, om.size),
    ]
    kind = [np.zeros(om.size, int), np.ones(om.size, int), np.full(om.size, 2)]
    channel = [oc, oc, oc]
    # sign-ins: a habit for some app users, rare for the rest
    last = np.full(chunk.size, -1, np.int64)
    np.maximum.at(last, orders.member[paid], orders.at[paid])
    span_end = np.minimum(
        np.where(last >= 0, last + 60 * DAY, state.registered + 30 * DAY), clock.horizon - 1
    )
    span = np.maximum(span_end - state.registered, 0)
    rate = np.where(rng.random(chunk.size) < 0.3, 2 / 30, 0.2 / 30) * state.has_app
    count = rng.poisson(rate * span / DAY)
    sm = np.repeat(np.arange(chunk.size), count)
    st = state.registered[sm] + (rng.random(sm.size) * span[sm]).astype(np.int64)
    member.append(sm)
    at.append(st)
    kind.append(np.full(sm.size, 3))
    channel.append(np.where(state.channel[sm] == 2, 2, 1))
    # shares of products and offers
    pm = orders.member[paid]
    shares = rng.random(pm.size) < 0.03
    member.append(pm[shares])
    at.append(orders.at[paid][shares] + rng.integers(60, DAY // 2, shares.sum()))
    kind.append(np.full(shares.sum(), 4))
    channel.append(np.ones(shares.sum(), int))
    # coupon claims after a campaign touch
    claims = rng.random(touches.treated.size) < 0.4
    member.append(touches.treated[claims])
    at.append(touches.treated_at[claims] + rng.integers(60, 2 * DAY, claims.sum()))
    kind.append(np.full(claims.sum(), 5))
    channel.append(np.ones(claims.sum(), int))

    m, t, k, c = (np.concatenate(x) for x in (member, at, kind, channel))
    t = np.clip(t, state.registered[m], clock.horizon - 1)
    # one row per (member, second, event): the table's key
    key = (m.astype(np.int64) << 36) | (t.astype(np.int64) << 4) | k
    _, first = np.unique(key, return_index=True)
    m, t, k, c = m[first], t[first], k[first], c[first]
    properties = np.where(k == 4, rng.integers(0, len(SHARE_TARGETS), k.size), -1)
    table = pa.table(
        {
            "member_id": chunk.member_ids(m),
            "at": timestamps(clock.start, t),
            "event": pick(EVENTS, k),
            "channel": pick(CHANNELS, c),
            "properties": pick(SHARE_TARGETS, properties),
        }
    )
    signed = k == 3
    return table, m[signed], t[signed]


def campaigns_table(campaigns: list[Campaign], clock: Clock, touched: dict[str, int]) -> pa.Table:
    """The campaign list with costs from the touches actually made."""
    cost = [
        round(c.unit_cost * touched.get(c.id, 0) + (5000.0 if c.kind == "double_points" else 0), 2)
        for c in campaigns
    ]
    return pa.table(
        {
            "campaign_id": [c.id for c in campaigns],
            "name": [c.name for c in campaigns],
            "kind": [c.kind for c in campaigns],
            "starts_at": timestamps(clock.start, np.array([c.start for c in campaigns], np.int64)),
            "ends_at": timestamps(clock.start, np.array([c.end for c in campaigns], np.int64)),
            "cost": pa.array(cost, pa.float64()),
            "channel": [c.channel for c in campaigns],
        }
    )
