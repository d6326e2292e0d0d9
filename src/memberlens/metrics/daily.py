"""Daily series of the core metrics that have a daily meaning, in one query per source table.

Cumulative metrics (members_total, points_outstanding, liability) and metrics defined across
periods (retention, repurchase cycle, churn) are left out: their daily change is another
metric's daily value (new members, points issued and redeemed). NPS is left out too: a day
rarely has enough responses.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import polars as pl

from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.facts.activity import activity
from memberlens.facts.orders import paid_orders
from memberlens.metrics.compute import DEFINITIONS, Ratio
from memberlens.metrics.scope import GROUP, Dimension

#: daily metric → how it is computed from the per-day parts
DAILY = (
    "new_members",
    "buyers",
    "active_members",
    "orders",
    "revenue",
    "aov",
    "purchase_frequency",
    "points_issued",
    "points_redeemed",
    "redemption_rate",
    "redeemers",
)


def _days(t: ir.Table, column: str, first: date, last: date) -> ir.Table:
    t = t.filter(
        (t[column] >= at_midnight(first)) & (t[column] < at_midnight(last) + ibis.interval(days=1))
    )
    return t.mutate(day=t[column].date())


def daily_parts(
    session: Session, first: date, last: date, by: Dimension | None = None, scope: Any = None
) -> pl.DataFrame:
    """Per day (and group): the additive parts every daily metric is computed from."""
    keys = ["day", GROUP] if by else ["day"]

    def tag(t: ir.Table) -> ir.Table:
        return scope.tag(t) if by else t

    o = tag(_days(paid_orders(session), "ordered_at", first, last))
    orders = o.group_by(keys).agg(
        orders=o.count(), revenue=o.amount.sum().cast("float64"), buyers=o.member_id.nunique()
    )
    m = tag(_days(session.table("members"), "registered_at", first, last))
    members = m.group_by(keys).agg(new_members=m.count())
    p = tag(_days(session.table("points"), "at", first, last))
    points = p.group_by(keys).agg(
        points_issued=p.points.sum(where=p.kind == "earn").cast("float64"),
        points_redeemed=(-p.points.sum(where=p.kind == "redeem")).cast("float64"),
        redeemers=p.member_id.nunique(where=p.kind == "redeem"),
    )
    facts = tag(_days(activity(session), "at", first, last))
    ids = facts.select(*keys, "member_id").distinct()
    active = ids.group_by(keys).agg(active_members=ids.count())
    frames = [pl.from_arrow(session.arrow(t)) for t in (orders, members, points, active)]
    result: pl.DataFrame | None = None
    for frame in frames:
        assert isinstance(frame, pl.DataFrame)
        result = frame if result is None else result.join(frame, on=keys, how="full", coalesce=True)
    assert result is not None
    counts = ["orders", "buyers", "new_members", "redeemers", "active_members"]
    sums = ["revenue", "points_issued", "points_redeemed"]
    return result.with_columns([pl.col(c).fill_null(0) for c in counts + sums]).sort(keys)


def _ratios() -> dict[str, tuple[str, str]]:
    """The daily ratio metrics and the ids of their parts, from the catalog's definitions."""
    ids = {definition: metric for metric, definition in DEFINITIONS.items()}
    return {
        metric: (ids[d.top], ids[d.bottom])
        for metric in DAILY
        if isinstance(d := DEFINITIONS[metric], Ratio)
    }


def daily_series(parts: pl.DataFrame) -> pl.DataFrame:
    """Long frame (day, [group], metric, value) of the DAILY metrics from their parts."""
    derived = parts.with_columns(
        **{
            metric: pl.when(pl.col(bottom) > 0).then(pl.col(top) / pl.col(bottom))
            for metric, (top, bottom) in _ratios().items()
        }
    )
    index = [c for c in ("day", GROUP) if c in derived.columns]
    return derived.unpivot(index=index, on=list(DAILY), variable_name="metric", value_name="value")
