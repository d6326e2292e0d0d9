"""Projected expiry: open points of batches by the month their ``expires_at`` falls in.

As of the end of D the open amount of every batch (FIFO, :mod:`memberlens.points.vintages`)
is placed in a bucket by its ``expires_at``:

* ``2025-07`` …: the calendar month of expiry, for the rest of D's month (when D is not its
  last day) and the ``months`` calendar months after it;
* ``overdue``: the expiry date has passed but the ledger has no ``expire`` entry taking the
  points yet (a lagging expiry job, or points the program let live);
* ``later``: expiring after the horizon;
* ``never``: batches without ``expires_at`` (in many programs positive ``adjust`` entries).

The amounts are the points at risk if nobody redeems them first: an upper bound of what will
expire. :mod:`memberlens.points.breakage` estimates how much of them will.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis

from memberlens.dates.months import add_months, month_end
from memberlens.dates.months import month_index as index_of
from memberlens.dates.months import month_label as label_of
from memberlens.engine.expr import at_midnight, month_index, month_label
from memberlens.engine.session import Session
from memberlens.points.fifo import end_of
from memberlens.points.vintages import batch_vintages, to_polars

OVERDUE, LATER, NEVER = "overdue", "later", "never"


def horizon_months(as_of: date, horizon: int) -> list[str]:
    """The month labels of the horizon: the rest of D's month (if any) and ``horizon`` more."""
    first = index_of(as_of)
    start = first if as_of < month_end(first) else first + 1
    return [label_of(i) for i in range(start, first + horizon + 1)]


def projected_expiry(session: Session, as_of: date, months: int = 12) -> Any:
    """Rows (bucket, points, value, batches, members) in the order overdue, months, later, never.

    >>> ws.points.expiry("2025-06-30")  # doctest: +SKIP
    """
    import polars as pl

    v = batch_vintages(session, as_of)
    v = v.filter(v.open > 0)
    horizon_end = at_midnight(add_months(as_of, months + 1))
    bucket = ibis.cases(
        (v.expires_at.isnull(), NEVER),
        (v.expires_at < end_of(as_of), OVERDUE),
        (v.expires_at >= horizon_end, LATER),
        else_=month_label(month_index(v.expires_at)),
    )
    t = v.group_by(bucket=bucket).agg(
        points=v.open.sum(), batches=v.count(), members=v.member_id.nunique()
    )
    found = to_polars(session, t)
    labels = [OVERDUE, *horizon_months(as_of, months), LATER, NEVER]
    frame = (
        pl.DataFrame({"bucket": labels})
        .join(found, on="bucket", how="left")
        .with_columns(pl.col("points", "batches", "members").fill_null(0))
    )
    return frame.select(
        "bucket",
        "points",
        value=pl.col("points") * session.config.workspace.point_value,
        batches="batches",
        members="members",
    )
