"""A straightforward pandas implementation of the same definitions, reading the generator's
Parquet files (for benchmarks/kpi_compare.py and benchmarks/rfm_compare.py).

Written as an analyst with pandas would: ``pd.read_parquet`` of only the columns a metric
needs, then boolean masks and ``groupby``. With ``pushdown=True`` the row filters of the
definition (status, kind, period) are passed to the reader instead, so rows outside them are
never materialised (a leaner variant, for comparison).

Benchmark code, not part of the package; it imports nothing from memberlens.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from reference_common import SEGMENT_CODES, Month, Value, midnight

Filter = tuple[str, str, Any]

_TESTS: dict[str, Callable[[pd.Series, Any], pd.Series]] = {
    "==": operator.eq,
    "<": operator.lt,
    ">=": operator.ge,
    "in": lambda column, values: column.isin(values),
}


def read(
    path: Path, columns: list[str], filters: list[Filter] | None = None, pushdown: bool = False
) -> pd.DataFrame:
    """``columns`` of the rows of a Parquet file that pass every (column, op, value) filter."""
    if pushdown or not filters:
        return pd.read_parquet(path, columns=columns, filters=filters or None)
    wanted = list(dict.fromkeys(columns + [c for c, _, _ in filters]))
    frame = pd.read_parquet(path, columns=wanted)
    keep = pd.Series(True, index=frame.index)
    for column, op, value in filters:
        keep &= _TESTS[op](frame[column], value)
    return frame.loc[keep, columns]


def _ratio(top: Value, bottom: Value) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return float(top) / float(bottom)


def core_metrics(
    folder: Path, month: str, inactive_days: int, point_value: float, pushdown: bool = False
) -> dict[str, Value]:
    """The core metrics of DESIGN §6 for ``month`` (``YYYY-MM``) from Parquet files."""

    def _read(table: str, columns: list[str], filters: list[Filter] | None = None) -> pd.DataFrame:
        return read(folder / f"{table}.parquet", columns, filters, pushdown)

    m = Month.parse(month)
    p0, p1, q0 = midnight(m.first), midnight(m.end), midnight(m.previous_first)
    cutoff = pd.Timestamp(midnight(m.churn_cutoff(inactive_days)))

    members = _read("members", ["registered_at"])
    members_total = int((members.registered_at < p1).sum())
    new_members = int(((members.registered_at >= p0) & (members.registered_at < p1)).sum())
    del members

    # every paid member order up to the month's end (the cycle and churn look back in time)
    orders = _read(
        "orders",
        ["member_id", "ordered_at", "amount"],
        [("status", "==", "paid"), ("ordered_at", "<", p1)],
    )
    orders = orders[orders.member_id.notna()]
    now = orders[orders.ordered_at >= p0]
    per_member = now.groupby("member_id").size()
    buyers = len(per_member)
    order_count = len(now)
    revenue = float(now.amount.sum()) if order_count else None
    repeaters = int((per_member >= 2).sum())
    before = orders.loc[orders.ordered_at >= q0]
    before_ids = pd.Index(before.member_id[before.ordered_at < p0].unique())
    kept = int(before_ids.isin(per_member.index).sum())

    orders = orders.sort_values(["member_id", "ordered_at"])
    previous = orders.groupby("member_id").ordered_at.shift()
    repeat = (orders.ordered_at >= p0) & previous.notna()
    gaps = (orders.ordered_at[repeat] - previous[repeat]).dt.total_seconds() / 86_400
    cycle = float(gaps.median()) if len(gaps) else None
    last_order = orders.groupby("member_id").ordered_at.max()
    churned = int((last_order < cutoff).sum())
    buyer_ids = now.member_id.unique()
    del orders, now, before, previous, gaps, last_order

    period = [("at", ">=", p0), ("at", "<", p1)]
    event_ids = _read("events", ["member_id"], period).member_id.unique()
    points_now = _read(
        "points",
        ["member_id", "kind", "points"],
        [*period, ("kind", "in", ["earn", "redeem"])],
    )
    active = (
        pd.Index(buyer_ids)
        .union(pd.Index(event_ids))
        .union(pd.Index(points_now.member_id.unique()))
    )
    active_members = len(active)
    issued = int(points_now.points[points_now.kind == "earn"].sum())
    redeemed = -int(points_now.points[points_now.kind == "redeem"].sum())
    redeemers = int(points_now.member_id[points_now.kind == "redeem"].nunique())
    del points_now, active, event_ids

    outstanding = int(_read("points", ["points"], [("at", "<", p1)]).points.sum())

    surveys = _read("surveys", ["nps"], period)
    scored = surveys.nps.dropna()
    nps = (
        100.0 * (int((scored >= 9).sum()) - int((scored <= 6).sum())) / len(scored)
        if len(scored)
        else None
    )
    return {
        "members_total": members_total,
        "new_members": new_members,
        "buyers": buyers,
        "active_members": active_members,
        "activity_rate": _ratio(active_members, members_total),
        "orders": order_count,
        "revenue": revenue,
        "aov": _ratio(revenue, order_count),
        "purchase_frequency": _ratio(order_count, buyers),
        "repurchase_rate": _ratio(repeaters, buyers),
        "retention_rate": _ratio(kept, len(before_ids)),
        "repurchase_cycle_days": cycle,
        "churned_members": churned,
        "points_issued": issued,
        "points_redeemed": redeemed,
        "redemption_rate": _ratio(redeemed, issued),
        "redeemers": redeemers,
        "points_outstanding": outstanding,
        "points_liability": outstanding * point_value,
        "nps": nps,
    }


def rfm(
    orders_parquet: Path, as_of: date, window_days: int, pushdown: bool = False
) -> pd.DataFrame:
    """RFM scores and segments (mean thresholds, total monetary) as of ``as_of``: one row per
    scored member, sorted by member_id."""
    start = midnight(as_of + timedelta(days=1 - window_days))
    end = midnight(as_of + timedelta(days=1))
    orders = read(
        orders_parquet,
        ["member_id", "ordered_at", "amount"],
        [("status", "==", "paid"), ("ordered_at", ">=", start), ("ordered_at", "<", end)],
        pushdown,
    )
    orders = orders[orders.member_id.notna()]
    scores = orders.groupby("member_id").agg(
        last=("ordered_at", "max"), frequency=("ordered_at", "size"), monetary=("amount", "sum")
    )
    del orders
    scores["recency_days"] = (pd.Timestamp(as_of) - scores["last"].dt.floor("D")).dt.days
    recent = scores.recency_days < scores.recency_days.mean()
    frequent = scores.frequency > scores.frequency.mean()
    high_value = scores.monetary > scores.monetary.mean()
    code = (
        recent.astype(int).astype(str)
        + frequent.astype(int).astype(str)
        + high_value.astype(int).astype(str)
    )
    scores["segment"] = code.map(SEGMENT_CODES)
    out = scores.reset_index()[["member_id", "recency_days", "frequency", "monetary", "segment"]]
    return out.sort_values("member_id", ignore_index=True)
