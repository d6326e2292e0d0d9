"""Member tiers as of a date (DESIGN §7), from the configured ladder.

Every member registered at or before the end of D has a tier: the highest level of
``[[tiers.levels]]`` all of whose thresholds (paid spend and paid orders in the trailing
``tiers.window_days`` up to the end of D) are met; the first level has none.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.config import Config
from memberlens.metrics.compute import at_midnight


def tiers_expression(backend: Any, config: Config, as_of: date) -> ir.Table:
    """member_id, spend, orders and tier for every member registered by the end of ``as_of``."""
    end = at_midnight(as_of + timedelta(days=1))
    start = at_midnight(as_of + timedelta(days=1 - config.tiers.window_days))
    o = backend.table("orders")
    paid = o.filter(
        (o.status == "paid")
        & o.member_id.notnull()
        & (o.ordered_at >= start)
        & (o.ordered_at < end)
    )
    totals = paid.group_by("member_id").agg(
        spend=paid.amount.sum().cast("float64"), orders=paid.count()
    )
    m = backend.table("members")
    members = m.filter(m.registered_at < end).select("member_id")
    t = members.left_join(totals, "member_id").drop("member_id_right")
    t = t.mutate(spend=t.spend.fill_null(0.0), orders=t.orders.fill_null(0))
    levels = config.tiers.levels
    tier: ir.StringValue = ibis.literal(levels[0].id)
    for level in levels[1:]:  # later (higher) levels override when all their thresholds hold
        condition = ibis.literal(True)
        if level.min_spend is not None:
            condition &= t.spend >= level.min_spend
        if level.min_orders is not None:
            condition &= t.orders >= level.min_orders
        tier = ibis.ifelse(condition, level.id, tier)
    return t.mutate(tier=tier)


def tiers(backend: Any, config: Config, as_of: date) -> Any:
    """Rows (member_id, tier) as a Polars frame, per the CLI contract."""
    import polars as pl

    expression = tiers_expression(backend, config, as_of).select("member_id", "tier")
    frame = pl.from_arrow(backend.to_pyarrow(expression.order_by("member_id")))
    assert isinstance(frame, pl.DataFrame)
    return frame
