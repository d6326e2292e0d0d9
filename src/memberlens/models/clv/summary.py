"""Per-member purchase summaries for CLV models (DESIGN §8), as Ibis expressions.

From the raw paid member orders up to and including the calibration end date C:

* purchases are grouped per calendar day (the local date of ``ordered_at``);
* ``frequency`` x = distinct purchase days − 1 (repeat purchase days);
* ``recency_days`` t_x = last purchase day − first purchase day;
* ``t_days`` T = C − first purchase day (calendar days);
* ``monetary`` = mean spend per repeat purchase day, the first day excluded (0 when x = 0).

This is Fader, Hardie & Lee's treatment (the first purchase starts the clock and is not
modelled), so published fits reproduce. Day differences come from epoch seconds of the
dates (days since 1970), which every engine computes the same way (DESIGN §11).

The engine does the heavy work; :func:`pull` brings the per-member rows back as numpy
arrays for the fitting code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import ibis.expr.types as ir
import numpy as np
import polars as pl

from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.errors import InputError

EPOCH = date(1970, 1, 1)


#: one summary query per this many paid orders: each query's member-day hash table then
#: stays around a gigabyte, whatever the program's size
ORDERS_PER_PART = 25_000_000

#: (i, n): the members whose member_id hashes to i modulo n
Part = tuple[int, int]


def paid_orders(
    session: Session, start: date | None, end: date, part: Part | None = None
) -> ir.Table:
    """Paid member orders with local date in [start, end] (start None: from the beginning),
    of the members in ``part`` (None: all)."""
    o = session.table("orders")
    condition = (
        (o.status == "paid")
        & o.member_id.notnull()
        & (o.ordered_at < at_midnight(end + timedelta(days=1)))
    )
    if start is not None:
        condition &= o.ordered_at >= at_midnight(start)
    if part is not None:
        i, n = part
        condition &= ((o.member_id.hash() % n) + n) % n == i  # hashes may be negative
    return o.filter(condition)


def day_number(day: date) -> int:
    """Days since 1970-01-01: what ``DateValue.epoch_days()`` gives in the engine."""
    return (day - EPOCH).days


def purchase_days(
    session: Session, start: date | None, end: date, part: Part | None = None
) -> ir.Table:
    """One row per member and purchase day: member_id, day (a day number), spend.

    Grouping on the DATE with a float sum keeps the hash table small (at 10 M members it
    holds ~65 M member-days); whole days between dates are exact on every engine.
    """
    paid = paid_orders(session, start, end, part)
    daily = paid.mutate(date=paid.ordered_at.date(), amount=paid.amount.cast("float64"))
    days = daily.group_by(["member_id", "date"]).agg(spend=daily.amount.sum())
    return days.select("member_id", day=days.date.epoch_days().cast("int64"), spend=days.spend)


def member_summary(session: Session, calibration_end: date, part: Part | None = None) -> ir.Table:
    """member_id, frequency, recency_days, t_days, monetary, first_day for every buyer
    (of ``part`` of the members).

    >>> member_summary(session, date(2025, 6, 30))  # doctest: +SKIP
    """
    days = purchase_days(session, None, calibration_end, part)
    per_member = days.group_by("member_id").agg(
        purchase_days=days.count(),
        first_day=days.day.min(),
        last_day=days.day.max(),
        total=days.spend.sum(),
        first_spend=days.spend.argmin(days.day),
    )
    end = day_number(calibration_end)
    frequency = per_member.purchase_days - 1
    repeat_spend = per_member.total - per_member.first_spend
    return per_member.select(
        "member_id",
        frequency=frequency.cast("int64"),
        recency_days=(per_member.last_day - per_member.first_day).cast("int64"),
        t_days=(end - per_member.first_day).cast("int64"),
        monetary=(frequency > 0).ifelse(repeat_spend / frequency, 0.0).cast("float64"),
        first_day=per_member.first_day,
    )


def holdout_summary(session: Session, calibration_end: date, holdout_end: date) -> ir.Table:
    """member_id, holdout_days (distinct purchase days in (C, D2]) of members who bought."""
    days = purchase_days(session, calibration_end + timedelta(days=1), holdout_end)
    return days.group_by("member_id").agg(holdout_days=days.count())


@dataclass(frozen=True)
class Summary:
    """Per-member summary arrays (one entry per member who bought by the calibration end)."""

    member_id: pl.Series  # Arrow-backed strings (no Python objects for 10 M members)
    frequency: np.ndarray  # int64, repeat purchase days
    recency_days: np.ndarray  # int64
    t_days: np.ndarray  # int64
    monetary: np.ndarray  # float64

    @property
    def size(self) -> int:
        return int(self.frequency.size)

    @cached_property
    def patterns(self) -> tuple[np.ndarray, np.ndarray]:
        """(inverse, first): members with the same (x, t_x, T) share a pattern; ``first``
        indexes one member of each, ``inverse`` maps every member to its pattern.

        The three whole numbers are packed into one int64 key (21 bits each), which sorts
        fast (about a second for 10 M members).
        """
        x, t_x, t = self.frequency, self.recency_days, self.t_days
        if self.size and (max(int(x.max()), int(t.max())) >= 1 << 21 or int(t_x.min()) < 0):
            raise InputError("Purchase histories longer than 5,700 years are not supported.")
        key = (x << 42) | (t_x << 21) | t
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return inverse, first


def pull(
    session: Session, calibration_end: date, *, ordered: bool = False, parts: int | None = None
) -> Summary:
    """Run :func:`member_summary` in the engine; its columns as arrays.

    Large programs run as ``parts`` queries over disjoint sets of members (by a hash of
    member_id; default: one per :data:`ORDERS_PER_PART` paid orders), which bounds the
    engine's memory. ``ordered`` sorts members by member_id (a stable per-member table;
    fitting does not need it).
    """
    import pyarrow as pa

    if parts is None:  # sized on all orders: an unfiltered count costs no scan
        orders = int(session.scalar(session.table("orders").count()))
        parts = max(1, -(-orders // ORDERS_PER_PART))
    pieces = [
        session.arrow(
            member_summary(session, calibration_end, (i, parts) if parts > 1 else None).drop(
                "first_day"
            )
        )
        for i in range(parts)
    ]
    table = pa.concat_tables(pieces)
    if ordered:
        table = table.sort_by("member_id")
    return Summary(
        member_id=pl.Series("member_id", table.column("member_id"), dtype=pl.String),
        frequency=table.column("frequency").to_numpy().astype(np.int64, copy=False),
        recency_days=table.column("recency_days").to_numpy().astype(np.int64, copy=False),
        t_days=table.column("t_days").to_numpy().astype(np.int64, copy=False),
        monetary=table.column("monetary").to_numpy().astype(np.float64, copy=False),
    )
