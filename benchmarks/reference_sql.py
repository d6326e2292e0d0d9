"""Hand-written DuckDB SQL for the comparison benchmarks (benchmarks/kpi_compare.py and
benchmarks/rfm_compare.py): what a careful analyst would write from DESIGN §6 and §7.

* :func:`core_metrics` — the catalog's core metrics for one month, over the warehouse tables
  (a read-only connection), in seven queries: each table is scanned by as few queries as the
  definitions allow, and ratios are computed from the parts already fetched.
* :func:`nine_metrics` — the nine metrics of orders and members in two queries.
* :func:`rfm_query` — RFM segments as of a date in one query over the orders Parquet file.

Benchmark code, not part of the package; it imports nothing from memberlens.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from reference_common import SEGMENT_CODES, Month, Value


def _ts(day: date) -> str:
    return f"TIMESTAMP '{day.isoformat()} 00:00:00'"


def _plain(value: Any) -> Value:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    raise TypeError(f"unexpected value {value!r}")


#: seconds of each part's query in this process (the last call of each), for the runner
TIMES: dict[str, float] = {}


def _row(con: duckdb.DuckDBPyConnection, sql: str, part: str) -> dict[str, Value]:
    started = time.perf_counter()
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description or ()]
    row = cursor.fetchone()
    assert row is not None
    TIMES[part] = time.perf_counter() - started
    return {name: _plain(value) for name, value in zip(names, row, strict=True)}


def _ratio(top: Value, bottom: Value) -> float | None:
    if top is None or bottom is None or bottom == 0:
        return None
    return float(top) / float(bottom)


PAID = "status = 'paid' AND member_id IS NOT NULL"


def _members(con: duckdb.DuckDBPyConnection, m: Month) -> dict[str, Value]:
    p0, p1 = _ts(m.first), _ts(m.end)
    return _row(
        con,
        f"""SELECT count(*) FILTER (WHERE registered_at < {p1}) AS members_total,
                   count(*) FILTER (WHERE registered_at >= {p0} AND registered_at < {p1})
                       AS new_members
            FROM members""",
        "members",
    )


def _sales(con: duckdb.DuckDBPyConnection, m: Month) -> dict[str, Value]:
    """This month's and last month's buyers in one pass over two months of paid orders."""
    p0, p1, q0 = _ts(m.first), _ts(m.end), _ts(m.previous_first)
    return _row(
        con,
        f"""WITH per_member AS (
                SELECT member_id,
                       count(*) FILTER (WHERE ordered_at >= {p0}) AS n,
                       sum(amount) FILTER (WHERE ordered_at >= {p0}) AS spent,
                       bool_or(ordered_at < {p0}) AS bought_before
                FROM orders
                WHERE {PAID} AND ordered_at >= {q0} AND ordered_at < {p1}
                GROUP BY member_id)
            SELECT count(*) FILTER (WHERE n > 0) AS buyers,
                   sum(n) AS orders,
                   sum(spent) AS revenue,
                   count(*) FILTER (WHERE n >= 2) AS repeaters,
                   count(*) FILTER (WHERE bought_before) AS buyers_before,
                   count(*) FILTER (WHERE bought_before AND n > 0) AS kept
            FROM per_member""",
        "sales",
    )


def nine_metrics(
    con: duckdb.DuckDBPyConnection, month: str, inactive_days: int, point_value: float
) -> dict[str, Value]:
    """The nine metrics of orders and members (``NINE_IDS``) for ``month``: one query over
    the members, one pass over two months of paid orders."""
    m = Month.parse(month)
    members, sales = _members(con, m), _sales(con, m)
    return {**_of_orders(members, sales), "arpu": _ratio(sales["revenue"], sales["buyers"])}


def _of_orders(members: dict[str, Value], sales: dict[str, Value]) -> dict[str, Value]:
    """The metrics of the members count and the month's paid orders (:func:`_sales`)."""
    return {
        "members_total": members["members_total"],
        "buyers": sales["buyers"],
        "orders": sales["orders"] or 0,
        "revenue": sales["revenue"],
        "aov": _ratio(sales["revenue"], sales["orders"]),
        "purchase_frequency": _ratio(sales["orders"], sales["buyers"]),
        "repurchase_rate": _ratio(sales["repeaters"], sales["buyers"]),
        "retention_rate": _ratio(sales["kept"], sales["buyers_before"]),
    }


def core_metrics(
    con: duckdb.DuckDBPyConnection, month: str, inactive_days: int, point_value: float
) -> dict[str, Value]:
    """The core metrics of DESIGN §6 for ``month`` (``YYYY-MM``) over the warehouse tables."""
    m = Month.parse(month)
    p0, p1 = _ts(m.first), _ts(m.end)
    cutoff = _ts(m.churn_cutoff(inactive_days))
    paid = PAID

    members, sales = _members(con, m), _sales(con, m)
    # days since the member's previous paid order, for each repeat order of the month: the
    # month's orders in a window, the first one's previous being the member's last order
    # before the month (one grouped maximum over the earlier orders of the month's buyers)
    cycle = _row(
        con,
        f"""WITH inside AS (
                SELECT member_id, ordered_at FROM orders
                WHERE {paid} AND ordered_at >= {p0} AND ordered_at < {p1}),
            earlier AS (
                SELECT member_id, max(ordered_at) AS last FROM orders
                WHERE {paid} AND ordered_at < {p0}
                  AND member_id IN (SELECT member_id FROM inside)
                GROUP BY member_id),
            gaps AS (
                SELECT i.ordered_at,
                       coalesce(lag(i.ordered_at) OVER (PARTITION BY i.member_id
                                                        ORDER BY i.ordered_at), e.last)
                           AS previous
                FROM inside i LEFT JOIN earlier e USING (member_id))
            SELECT median((epoch(ordered_at) - epoch(previous)) / 86400)
                       AS repurchase_cycle_days
            FROM gaps
            WHERE previous IS NOT NULL""",
        "cycle",
    )
    churn = _row(
        con,
        f"""SELECT count(*) AS churned_members
            FROM (SELECT member_id, max(ordered_at) AS last_order
                  FROM orders WHERE {paid} AND ordered_at < {p1} GROUP BY member_id)
            WHERE last_order < {cutoff}""",
        "churn",
    )
    active = _row(
        con,
        f"""SELECT count(*) AS active_members FROM (
                SELECT member_id FROM orders
                WHERE {paid} AND ordered_at >= {p0} AND ordered_at < {p1}
                UNION
                SELECT member_id FROM events WHERE "at" >= {p0} AND "at" < {p1}
                UNION
                SELECT member_id FROM points
                WHERE kind IN ('earn', 'redeem') AND "at" >= {p0} AND "at" < {p1})""",
        "active",
    )
    within = f'"at" >= {p0}'
    points = _row(
        con,
        f"""SELECT coalesce(sum(points) FILTER (WHERE kind = 'earn' AND {within}), 0)
                       AS points_issued,
                   -coalesce(sum(points) FILTER (WHERE kind = 'redeem' AND {within}), 0)
                       AS points_redeemed,
                   count(DISTINCT member_id) FILTER (WHERE kind = 'redeem' AND {within})
                       AS redeemers,
                   coalesce(sum(points), 0) AS points_outstanding
            FROM points WHERE "at" < {p1}""",
        "points",
    )
    survey = _row(
        con,
        f"""SELECT 100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6))
                       / nullif(count(*), 0) AS nps
            FROM surveys WHERE nps IS NOT NULL AND "at" >= {p0} AND "at" < {p1}""",
        "survey",
    )
    outstanding = points["points_outstanding"]
    return {
        **_of_orders(members, sales),
        "new_members": members["new_members"],
        "active_members": active["active_members"],
        "activity_rate": _ratio(active["active_members"], members["members_total"]),
        "repurchase_cycle_days": cycle["repurchase_cycle_days"],
        "churned_members": churn["churned_members"],
        "points_issued": points["points_issued"],
        "points_redeemed": points["points_redeemed"],
        "redemption_rate": _ratio(points["points_redeemed"], points["points_issued"]),
        "redeemers": points["redeemers"],
        "points_outstanding": outstanding,
        "points_liability": None if outstanding is None else float(outstanding) * point_value,
        "nps": survey["nps"],
    }


def rfm_query(orders_parquet: str, as_of: date, window_days: int, ordered: bool = False) -> str:
    """One query: RFM scores and segments (mean thresholds, total monetary) as of ``as_of``.

    Columns: member_id, recency_days, frequency, monetary, segment; sorted by member_id
    when ``ordered`` (as ``ws.rfm`` returned its rows until it kept the engine's order).
    """
    start = _ts(as_of + timedelta(days=1 - window_days))
    end = _ts(as_of + timedelta(days=1))
    path = orders_parquet.replace("'", "''")
    cases = " ".join(f"WHEN '{code}' THEN '{segment}'" for code, segment in SEGMENT_CODES.items())
    return f"""
        WITH scores AS (
            SELECT member_id,
                   DATE '{as_of.isoformat()}' - max(ordered_at)::DATE AS recency_days,
                   count(*) AS frequency,
                   sum(amount)::DOUBLE AS monetary
            FROM read_parquet('{path}')
            WHERE status = 'paid' AND member_id IS NOT NULL
              AND ordered_at >= {start} AND ordered_at < {end}
            GROUP BY member_id),
        limits AS (
            SELECT avg(recency_days) AS r, avg(frequency) AS f, avg(monetary) AS m FROM scores)
        SELECT member_id, recency_days, frequency, monetary,
               CASE (recency_days < r)::INT::VARCHAR || (frequency > f)::INT::VARCHAR
                    || (monetary > m)::INT::VARCHAR {cases} END AS segment
        FROM scores, limits{" ORDER BY member_id" if ordered else ""}"""
