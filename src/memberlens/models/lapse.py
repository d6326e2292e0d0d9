"""Lapse tied to each member's own repurchase cycle, and churn features as of a cut-off.

**Lapse.** A member's *typical gap* is the median number of days between consecutive
purchase days (local dates of paid orders) up to the cut-off. The member's lapse threshold
is k × typical gap, kept within [:data:`MIN_THRESHOLD_DAYS`, 2 × ``[churn] inactive_days``];
a member with fewer than two purchase days has no gap yet and gets ``[churn]
inactive_days``. A member is *lapsed* as of D when the days since the last purchase exceed
the threshold. The default k = 3: a weekly buyer lapses after three weeks without a
purchase, a monthly buyer after three months.

**Churn label.** For members who bought by the cut-off C and are not lapsed at C:
``lapsed`` = 1 when they are lapsed at C + window (no purchase in (C, C + window] and
C + window − last purchase > threshold, the threshold being the one known at C).

**Features** (all as of the end of C, in the engine): recency and its share of the
threshold, purchase days and orders, spend in the trailing 365 days, the typical gap,
tenure, tier, points balance, points earned and redemptions in 365 days, campaign
responses (paid orders attributed to a treatment touch) and touches in 365 days,
complaints in 365 days, the last NPS answer, the number of channels the member is known
in, and behaviour events in the last 90 days.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.config import Config
from memberlens.metrics.compute import at_midnight, paid_orders
from memberlens.models.summary import day_number, purchase_days

DEFAULT_K = 3.0
MIN_THRESHOLD_DAYS = 30
YEAR = 365
RECENT_EVENTS_DAYS = 90

FEATURES = (
    "recency_days",
    "recency_share",
    "purchase_days",
    "orders_365",
    "spend_365",
    "typical_gap",
    "tenure_days",
    "tier_rank",
    "points_balance",
    "points_earned_365",
    "redemptions_365",
    "campaign_responses_365",
    "touches_365",
    "complaints_365",
    "nps_last",
    "channels",
    "events_90",
)


def thresholds(backend: Any, config: Config, as_of: date, k: float) -> ir.Table:
    """member_id, first_day, last_day (day numbers), purchase_days, typical_gap, threshold."""
    days = purchase_days(backend, None, as_of)
    gap = days.day - days.day.lag().over(group_by="member_id", order_by="day")
    gaps = days.mutate(gap=gap)
    per_member = gaps.group_by("member_id").agg(
        first_day=gaps.day.min(),
        last_day=gaps.day.max(),
        purchase_days=gaps.count(),
        typical_gap=gaps.gap.median().cast("float64"),
    )
    fallback = config.churn.inactive_days
    scaled = (per_member.typical_gap * k).clip(
        lower=MIN_THRESHOLD_DAYS, upper=2 * config.churn.inactive_days
    )
    threshold = (per_member.purchase_days >= 2).ifelse(scaled, fallback).cast("float64")
    return per_member.mutate(threshold_days=threshold)


def _recency(t: ir.Table, as_of: date) -> ir.IntegerValue:
    """Whole days from the last purchase day to ``as_of``."""
    return day_number(as_of) - t.last_day


def labels(backend: Any, config: Config, cutoff: date, window_days: int, k: float) -> ir.Table:
    """member_id, lapsed (0/1) for members not lapsed at ``cutoff``."""
    t = thresholds(backend, config, cutoff, k)
    active = t.filter(_recency(t, cutoff) <= t.threshold_days)
    end = cutoff + timedelta(days=window_days)
    later = purchase_days(backend, cutoff + timedelta(days=1), end)
    bought = later.select("member_id").distinct().mutate(bought=ibis.literal(1))
    j = active.left_join(bought, "member_id").drop("member_id_right")
    lapsed = j.bought.isnull() & (_recency(j, end) > j.threshold_days)
    return j.select("member_id", lapsed=lapsed.cast("int8"))


def features(backend: Any, config: Config, cutoff: date, k: float) -> ir.Table:
    """One row per member who bought by ``cutoff`` and is not lapsed then: the FEATURES."""
    from memberlens.dates.periods import Grain, Period
    from memberlens.metrics.compute import Scope, attributed_orders
    from memberlens.segments.tiers import tiers_expression

    end = at_midnight(cutoff + timedelta(days=1))
    start = at_midnight(cutoff + timedelta(days=1 - YEAR))
    t = thresholds(backend, config, cutoff, k)
    recency = _recency(t, cutoff)
    base = t.filter(recency <= t.threshold_days).mutate(
        recency_days=recency.cast("float64"), recency_share=recency / t.threshold_days
    )

    paid = paid_orders(backend, start, end)
    orders = paid.group_by("member_id").agg(
        orders_365=paid.count(), spend_365=paid.amount.sum().cast("float64")
    )
    m = backend.table("members")
    tenure = m.select(
        "member_id",
        tenure_days=(end.epoch_seconds() - m.registered_at.epoch_seconds()) / 86_400,
    )
    tier = tiers_expression(backend, config, cutoff)
    ranks = {level.id: rank for rank, level in enumerate(config.tiers.levels)}
    tier = tier.select(
        "member_id", tier_rank=tier.tier.cases(*ranks.items(), else_=0).cast("int64")
    )
    p = backend.table("points")
    before = p.filter(p.at < end)
    in_year = before.filter(before.at >= start)
    points = before.group_by("member_id").agg(points_balance=before.points.sum())
    earned = in_year.group_by("member_id").agg(
        points_earned_365=in_year.points.sum(where=in_year.kind == "earn"),
        redemptions_365=(in_year.kind == "redeem").sum(),
    )
    year = Scope(backend, config, Period(Grain.RANGE, cutoff - timedelta(days=YEAR - 1), cutoff))
    responses = attributed_orders(year)
    responses = responses.group_by("member_id").agg(campaign_responses_365=responses.count())
    c = backend.table("campaign_touches")
    c = c.filter((c.at >= start) & (c.at < end))
    touches = c.group_by("member_id").agg(touches_365=c.count())
    tk = backend.table("tickets")
    tk = tk.filter((tk.kind == "complaint") & (tk.opened_at >= start) & (tk.opened_at < end))
    complaints = tk.group_by("member_id").agg(complaints_365=tk.count())
    s = backend.table("surveys")
    s = s.filter(s.member_id.notnull() & s.nps.notnull() & (s.at < end))
    nps = s.group_by("member_id").agg(nps_last=s.nps.argmax(s.at).cast("float64"))
    i = backend.table("identities")
    channels = i.group_by("member_id").agg(channels=i.channel.nunique())
    e = backend.table("events")
    recent = e.filter(e.at >= at_midnight(cutoff - timedelta(days=RECENT_EVENTS_DAYS - 1)))
    recent = recent.filter(recent.at < end)
    events = recent.group_by("member_id").agg(events_90=recent.count())

    frame = base
    for part in (orders, tenure, tier, points, earned, responses, touches, complaints, nps):
        frame = frame.left_join(part, "member_id").drop("member_id_right")
    for part in (channels, events):
        frame = frame.left_join(part, "member_id").drop("member_id_right")
    zero = {
        name: frame[name].fill_null(0)
        for name in FEATURES
        if name not in ("recency_days", "recency_share", "purchase_days", "typical_gap", "nps_last")
    }
    return frame.mutate(**zero).select("member_id", *FEATURES)
