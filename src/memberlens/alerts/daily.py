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

from memberlens.metrics.compute import at_midnight
from memberlens.metrics.dimensions import GROUP, Dimension

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
    backend: Any, first: date, last: date, by: Dimension | None = None, scope: Any = None
) -> pl.DataFrame:
    """Per day (and group): the additive parts every daily metric is computed from."""
    keys = ["day", GROUP] if by else ["day"]

    def tag(t: ir.Table) -> ir.Table:
        return scope.tag(t) if by else t

    o = backend.table("orders")
    o = tag(
        _days(o.filter((o.status == "paid") & o.member_id.notnull()), "ordered_at", first, last)
    )
    orders = o.group_by(keys).agg(
        orders=o.count(), revenue=o.amount.sum().cast("float64"), buyers=o.member_id.nunique()
    )
    m = tag(_days(backend.table("members"), "registered_at", first, last))
    members = m.group_by(keys).agg(new_members=m.count())
    p = tag(_days(backend.table("points"), "at", first, last))
    points = p.group_by(keys).agg(
        points_issued=p.points.sum(where=p.kind == "earn").cast("float64"),
        points_redeemed=(-p.points.sum(where=p.kind == "redeem")).cast("float64"),
        redeemers=p.member_id.nunique(where=p.kind == "redeem"),
    )
    e = backend.table("events")
    o_ids = o.select(*keys, "member_id")
    e_ids = tag(_days(e, "at", first, last)).select(*keys, "member_id")
    p_ids = p.filter(p.kind.isin(["earn", "redeem"])).select(*keys, "member_id")
    ids = o_ids.union(e_ids, p_ids, distinct=True)
    active = ids.group_by(keys).agg(active_members=ids.count())
    frames = [pl.from_arrow(backend.to_pyarrow(t)) for t in (orders, members, points, active)]
    result: pl.DataFrame | None = None
    for frame in frames:
        assert isinstance(frame, pl.DataFrame)
        result = frame if result is None else result.join(frame, on=keys, how="full", coalesce=True)
    assert result is not None
    counts = ["orders", "buyers", "new_members", "redeemers", "active_members"]
    sums = ["revenue", "points_issued", "points_redeemed"]
    return result.with_columns([pl.col(c).fill_null(0) for c in counts + sums]).sort(keys)


def daily_series(parts: pl.DataFrame) -> pl.DataFrame:
    """Long frame (day, [group], metric, value) of the DAILY metrics from their parts."""
    derived = parts.with_columns(
        aov=pl.when(pl.col("orders") > 0).then(pl.col("revenue") / pl.col("orders")),
        purchase_frequency=pl.when(pl.col("buyers") > 0).then(pl.col("orders") / pl.col("buyers")),
        redemption_rate=pl.when(pl.col("points_issued") > 0).then(
            pl.col("points_redeemed") / pl.col("points_issued")
        ),
    )
    index = [c for c in ("day", GROUP) if c in derived.columns]
    return derived.unpivot(index=index, on=list(DAILY), variable_name="metric", value_name="value")
