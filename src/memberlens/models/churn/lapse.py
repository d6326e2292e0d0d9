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

**Features a program does not have are left out.** A program with members and orders only
(no points, campaigns, tickets, surveys, identities or events) gives columns that are all
missing or one constant value (e.g. a points balance of 0 for everyone); they carry no
information and trees cannot be binned on them, so :func:`informative` drops every feature
that takes fewer than two distinct non-missing values in the training frame, and the
result names them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from memberlens.engine.expr import at_midnight, days_between
from memberlens.engine.session import Session
from memberlens.facts.orders import paid_orders
from memberlens.models.clv.summary import day_number, purchase_days

if TYPE_CHECKING:
    import polars as pl

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


def thresholds(session: Session, as_of: date, k: float) -> ir.Table:
    """member_id, first_day, last_day (day numbers), purchase_days, typical_gap, threshold."""
    days = purchase_days(session, None, as_of)
    gap = days.day - days.day.lag().over(group_by="member_id", order_by="day")
    gaps = days.mutate(gap=gap)
    per_member = gaps.group_by("member_id").agg(
        first_day=gaps.day.min(),
        last_day=gaps.day.max(),
        purchase_days=gaps.count(),
        typical_gap=gaps.gap.median().cast("float64"),
    )
    fallback = session.config.churn.inactive_days
    scaled = (per_member.typical_gap * k).clip(
        lower=MIN_THRESHOLD_DAYS, upper=2 * session.config.churn.inactive_days
    )
    threshold = (per_member.purchase_days >= 2).ifelse(scaled, fallback).cast("float64")
    return per_member.mutate(threshold_days=threshold)


def _recency(t: ir.Table, as_of: date) -> ir.IntegerValue:
    """Whole days from the last purchase day to ``as_of``."""
    return day_number(as_of) - t.last_day


def labels(session: Session, cutoff: date, window_days: int, k: float) -> ir.Table:
    """member_id, lapsed (0/1) for members not lapsed at ``cutoff``."""
    t = thresholds(session, cutoff, k)
    active = t.filter(_recency(t, cutoff) <= t.threshold_days)
    end = cutoff + timedelta(days=window_days)
    later = purchase_days(session, cutoff + timedelta(days=1), end)
    bought = later.select("member_id").distinct().mutate(bought=ibis.literal(1))
    j = active.left_join(bought, "member_id").drop("member_id_right")
    lapsed = j.bought.isnull() & (_recency(j, end) > j.threshold_days)
    return j.select("member_id", lapsed=lapsed.cast("int8"))


def features(session: Session, cutoff: date, k: float) -> ir.Table:
    """One row per member who bought by ``cutoff`` and is not lapsed then: the FEATURES."""
    from memberlens.dates.periods import Grain, Period
    from memberlens.metrics.compute import attributed_orders
    from memberlens.metrics.scope import Scope
    from memberlens.program.tiers import tiers_expression

    end = at_midnight(cutoff + timedelta(days=1))
    start = at_midnight(cutoff + timedelta(days=1 - YEAR))
    t = thresholds(session, cutoff, k)
    recency = _recency(t, cutoff)
    base = t.filter(recency <= t.threshold_days).mutate(
        recency_days=recency.cast("float64"), recency_share=recency / t.threshold_days
    )

    paid = paid_orders(session, start, end)
    orders = paid.group_by("member_id").agg(
        orders_365=paid.count(), spend_365=paid.amount.sum().cast("float64")
    )
    m = session.table("members")
    tenure = m.select(
        "member_id",
        tenure_days=days_between(end, m.registered_at),
    )
    tier = tiers_expression(session, cutoff)
    ranks = {level.id: rank for rank, level in enumerate(session.config.tiers.levels)}
    tier = tier.select(
        "member_id", tier_rank=tier.tier.cases(*ranks.items(), else_=0).cast("int64")
    )
    p = session.table("points")
    before = p.filter(p.at < end)
    in_year = before.filter(before.at >= start)
    points = before.group_by("member_id").agg(points_balance=before.points.sum())
    earned = in_year.group_by("member_id").agg(
        points_earned_365=in_year.points.sum(where=in_year.kind == "earn"),
        redemptions_365=(in_year.kind == "redeem").sum(),
    )
    year = Scope(session, Period(Grain.RANGE, cutoff - timedelta(days=YEAR - 1), cutoff))
    responses = attributed_orders(year)
    responses = responses.group_by("member_id").agg(campaign_responses_365=responses.count())
    c = session.table("campaign_touches")
    c = c.filter((c.at >= start) & (c.at < end))
    touches = c.group_by("member_id").agg(touches_365=c.count())
    tk = session.table("tickets")
    tk = tk.filter((tk.kind == "complaint") & (tk.opened_at >= start) & (tk.opened_at < end))
    complaints = tk.group_by("member_id").agg(complaints_365=tk.count())
    s = session.table("surveys")
    s = s.filter(s.member_id.notnull() & s.nps.notnull() & (s.at < end))
    nps = s.group_by("member_id").agg(nps_last=s.nps.argmax(s.at).cast("float64"))
    i = session.table("identities")
    channels = i.group_by("member_id").agg(channels=i.channel.nunique())
    e = session.table("events")
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


def informative(
    frame: pl.DataFrame, names: tuple[str, ...] = FEATURES
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(kept, left out): the features ``names`` of ``frame`` split by whether they take at
    least two distinct non-missing values (all missing or constant columns are left out)."""
    kept: list[str] = []
    left_out: list[str] = []
    for name in names:
        column = frame[name]
        (kept if column.drop_nulls().drop_nans().n_unique() >= 2 else left_out).append(name)
    return tuple(kept), tuple(left_out)
