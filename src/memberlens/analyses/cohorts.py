"""Cohort retention matrices: members (or revenue) of each monthly cohort, month by month.

A cohort is the calendar month in which members registered (``basis="registration"``) or
made their first paid order (``basis="first_purchase"``). Cell (cohort, k) counts the cohort's
members with a paid order in the k-th month after the cohort month (k = 0 is the cohort month
itself), or sums their paid revenue; ``share`` divides by the cohort's size (for revenue: the
revenue per cohort member).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import polars as pl

from memberlens.dates import months
from memberlens.engine.expr import month_index
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.orders import paid_orders

Basis = Literal["registration", "first_purchase"]
Measure = Literal["members", "revenue"]


def cohort_matrix(
    session: Session,
    first: date,
    last: date,
    basis: Basis = "registration",
    measure: Measure = "members",
) -> pl.DataFrame:
    """Rows (cohort, months_since, value, cohort_size, share) for cohorts ``first`` .. ``last``.

    Orders are counted up to the end of the month of ``last``.
    """
    if basis not in ("registration", "first_purchase"):
        raise InputError(f"Unknown cohort basis '{basis}'. Use registration or first_purchase.")
    if measure not in ("members", "revenue"):
        raise InputError(f"Unknown cohort measure '{measure}'. Use members or revenue.")
    start = first.replace(day=1)
    end_month = months.month_index(last) + 1  # the month after `last`, as an index
    end = months.month_start(end_month)
    paid = paid_orders(session, end=end)
    if basis == "registration":
        m = session.table("members")
        cohorts = m.select("member_id", cohort=month_index(m.registered_at))
    else:
        firsts = paid.group_by("member_id").agg(first_order=paid.ordered_at.min())
        cohorts = firsts.select("member_id", cohort=month_index(firsts.first_order))
    lo, hi = months.month_index(start), end_month - 1
    cohorts = cohorts.filter((cohorts.cohort >= lo) & (cohorts.cohort <= hi))
    sizes = cohorts.group_by("cohort").agg(cohort_size=cohorts.count())
    activity = paid.join(cohorts, "member_id")
    activity = activity.mutate(months_since=month_index(activity.ordered_at) - activity.cohort)
    activity = activity.filter(activity.months_since >= 0)
    grouped = activity.group_by(["cohort", "months_since"])
    if measure == "members":
        cells = grouped.agg(value=activity.member_id.nunique().cast("float64"))
    else:
        cells = grouped.agg(value=activity.amount.sum().cast("float64"))
    cells = cells.join(sizes, "cohort").order_by(["cohort", "months_since"])
    frame = pl.from_arrow(session.arrow(cells))
    assert isinstance(frame, pl.DataFrame)
    if frame.is_empty():
        return pl.DataFrame(
            schema={
                "cohort": pl.String,
                "months_since": pl.Int64,
                "value": pl.Float64,
                "cohort_size": pl.Int64,
                "share": pl.Float64,
            }
        )
    month = pl.col("cohort")
    return frame.select(
        cohort=pl.format("{}-{}", month // 12, (month % 12 + 1).cast(pl.String).str.zfill(2)),
        months_since=pl.col("months_since").cast(pl.Int64),
        value=pl.col("value"),
        cohort_size=pl.col("cohort_size").cast(pl.Int64),
        share=pl.col("value") / pl.col("cohort_size"),
    )
