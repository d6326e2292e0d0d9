"""Metric definitions compiled to Ibis expressions, so one definition runs on every engine.

Each function in :data:`DEFINITIONS` takes a :class:`Scope` (the warehouse tables, the
config and a period) and returns a one-row Ibis table with a ``value`` column; a metric built
from several tables (activity rate, retention) cross-joins one-row parts, so the whole metric
is still one expression and one query. Ratios divide by ``nullif(0)``: a zero denominator
gives null, never zero or infinity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.config import Config
from memberlens.metrics.periods import Period

SECONDS_PER_DAY = 86_400


def _bound(day: Any) -> ir.Scalar:
    return ibis.literal(datetime.combine(day, time()))


@dataclass(frozen=True)
class Scope:
    """The tables of one warehouse plus the period being computed."""

    backend: Any
    config: Config
    period: Period

    def table(self, name: str) -> ir.Table:
        return self.backend.table(name)

    def within(self, t: ir.Table, column: str, period: Period | None = None) -> ir.BooleanValue:
        p = period or self.period
        return (t[column] >= _bound(p.first)) & (t[column] < _bound(p.end))

    def before_end(self, t: ir.Table, column: str) -> ir.BooleanValue:
        return t[column] < _bound(self.period.end)

    def paid(self, member_orders: bool = True) -> ir.Table:
        o = self.table("orders")
        paid = o.filter(o.status == "paid")
        return paid.filter(paid.member_id.notnull() if member_orders else paid.member_id.isnull())

    def paid_in(self, period: Period | None = None) -> ir.Table:
        o = self.paid()
        return o.filter(self.within(o, "ordered_at", period))

    def points_in(self, kind: str) -> ir.Table:
        p = self.table("points")
        return p.filter((p.kind == kind) & self.within(p, "at"))

    def with_period(self, period: Period) -> Scope:
        return Scope(self.backend, self.config, period)


Part = Callable[[Scope], ir.Scalar]
Definition = Callable[[Scope], ir.Table]


def value(expr: ir.Scalar) -> ir.Table:
    """A one-table scalar as a one-row table with column ``value``."""
    return expr.name("value").as_table()


def members_total(s: Scope) -> ir.Scalar:
    m = s.table("members")
    return m.filter(s.before_end(m, "registered_at")).count()


def new_members(s: Scope) -> ir.Scalar:
    m = s.table("members")
    return m.filter(s.within(m, "registered_at")).count()


def buyers(s: Scope, period: Period | None = None) -> ir.Scalar:
    return s.paid_in(period).member_id.nunique()


def active_members(s: Scope) -> ir.Scalar:
    o, e, p = s.paid_in(), s.table("events"), s.table("points")
    ids = o.select("member_id").union(
        e.filter(s.within(e, "at")).select("member_id"),
        p.filter(s.within(p, "at") & p.kind.isin(["earn", "redeem"])).select("member_id"),
        distinct=True,
    )
    return ids.count()


def orders(s: Scope) -> ir.Scalar:
    return s.paid_in().count()


def revenue(s: Scope) -> ir.Scalar:
    return s.paid_in().amount.sum()


def member_revenue_share(s: Scope) -> ir.Scalar:
    o = s.table("orders")
    paid = o.filter((o.status == "paid") & s.within(o, "ordered_at"))
    member = paid.amount.sum(where=paid.member_id.notnull())
    return member / paid.amount.sum().nullif(0)


def repurchase_rate(s: Scope) -> ir.Scalar:
    per_member = s.paid_in().group_by("member_id").agg(n=ibis._.count())
    return per_member.count(where=per_member.n >= 2) / per_member.count().nullif(0)


def retention_rate(s: Scope) -> ir.Table:
    before = s.paid_in(s.period.previous()).select("member_id").distinct()
    now = s.paid_in().select("member_id").distinct()
    flagged = before.left_join(now.mutate(kept=ibis.literal(1)), "member_id")
    return value(flagged.kept.count() / flagged.count().nullif(0))


def repurchase_cycle_days(s: Scope) -> ir.Scalar:
    o = s.paid()
    previous = o.ordered_at.lag().over(group_by=o.member_id, order_by=o.ordered_at)
    gaps = o.mutate(previous=previous)
    gaps = gaps.filter(s.within(gaps, "ordered_at") & gaps.previous.notnull())
    seconds = gaps.ordered_at.epoch_seconds() - gaps.previous.epoch_seconds()
    return (seconds / SECONDS_PER_DAY).median()


def churned_members(s: Scope) -> ir.Scalar:
    o = s.paid()
    last = (
        o.filter(s.before_end(o, "ordered_at")).group_by("member_id").agg(last=o.ordered_at.max())
    )
    cutoff = datetime.combine(s.period.end, time()) - timedelta(days=s.config.churn.inactive_days)
    return last.filter(last["last"] < ibis.literal(cutoff)).count()


def _points_sum(s: Scope, kind: str, sign: int = 1) -> ir.Scalar:
    return s.points_in(kind).points.sum().fill_null(0) * sign


def points_issued(s: Scope) -> ir.Scalar:
    return _points_sum(s, "earn")


def points_redeemed(s: Scope) -> ir.Scalar:
    return _points_sum(s, "redeem", -1)


def points_expired(s: Scope) -> ir.Scalar:
    return _points_sum(s, "expire", -1)


def redeemers(s: Scope) -> ir.Scalar:
    return s.points_in("redeem").member_id.nunique()


def points_outstanding(s: Scope) -> ir.Scalar:
    p = s.table("points")
    return p.filter(s.before_end(p, "at")).points.sum().fill_null(0)


def breakage_rate(s: Scope) -> ir.Scalar:
    p = s.table("points")
    upto = p.filter(s.before_end(p, "at"))
    expired = -upto.points.sum(where=upto.kind == "expire").fill_null(0)
    redeemed = -upto.points.sum(where=upto.kind == "redeem").fill_null(0)
    return expired / (redeemed + expired).nullif(0)


def nps(s: Scope) -> ir.Scalar:
    r = s.table("surveys")
    r = r.filter(s.within(r, "at") & r.nps.notnull())
    promoters = (r.nps >= 9).cast("int64").sum()
    detractors = (r.nps <= 6).cast("int64").sum()
    return 100.0 * (promoters - detractors) / r.count().nullif(0)


def _one(part: Part) -> Definition:
    def definition(s: Scope) -> ir.Table:
        return value(part(s))

    definition.__doc__ = part.__doc__
    return definition


def _ratio(top: Part, bottom: Part) -> Definition:
    """top / bottom of two parts that may come from different tables."""

    def ratio(s: Scope) -> ir.Table:
        joined = top(s).name("top").as_table().cross_join(bottom(s).name("bottom").as_table())
        return joined.select(value=joined.top / joined.bottom.nullif(0))

    return ratio


def _liability(s: Scope) -> ir.Scalar:
    return points_outstanding(s) * s.config.workspace.point_value


DEFINITIONS: dict[str, Definition] = {
    "members_total": _one(members_total),
    "new_members": _one(new_members),
    "buyers": _one(buyers),
    "active_members": _one(active_members),
    "activity_rate": _ratio(active_members, members_total),
    "orders": _one(orders),
    "revenue": _one(revenue),
    "member_revenue_share": _one(member_revenue_share),
    "aov": _ratio(revenue, orders),
    "arpu": _ratio(revenue, buyers),
    "purchase_frequency": _ratio(orders, buyers),
    "repurchase_rate": _one(repurchase_rate),
    "retention_rate": retention_rate,
    "repurchase_cycle_days": _one(repurchase_cycle_days),
    "churned_members": _one(churned_members),
    "points_issued": _one(points_issued),
    "points_redeemed": _one(points_redeemed),
    "points_expired": _one(points_expired),
    "redemption_rate": _ratio(points_redeemed, points_issued),
    "redeemers": _one(redeemers),
    "points_outstanding": _one(points_outstanding),
    "points_liability": _one(_liability),
    "breakage_rate": _one(breakage_rate),
    "nps": _one(nps),
}
