"""What dates the data covers, defined once (docs/architecture.md, "Coverage").

* The **order range** is the first and last local date with a *paid member order*: the days
  on which member metrics can have a value. A period outside it has no data.
* The **last record** is the latest local date of anything loaded — an order of any status,
  a points entry, an event or a registration: an export taken on a day without orders still
  reaches that day, so members can be scored as of then.
* The **ledger start** is the first local date of a points entry.

An as-of date is accepted from the first paid member order to the last record, and never
outside the sane window 1900-01-01 .. 2100-12-31 (:func:`memberlens.dates.periods.check_day`).

A request whose periods all lie outside the order range has no data: its metrics are null
and :func:`warn_no_data` says so with a :class:`NoDataWarning` naming the range.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from memberlens.dates.periods import Period, check_day
from memberlens.engine.session import Session
from memberlens.errors import InputError, WorkspaceError
from memberlens.facts.orders import paid_orders

if TYPE_CHECKING:
    import ibis.expr.types as ir

Span = tuple[date, date]

_RECORDS = (
    ("orders", "ordered_at"),
    ("points", "at"),
    ("events", "at"),
    ("members", "registered_at"),
)


#: The memo key of the order range inside a ``cached()`` block.
_RANGE = ("_coverage", "data_range")


def _memo(session: Session) -> dict[Any, Any]:
    """Where what coverage learns is kept: a ``cached()`` block's memo, else the session's."""
    return session.known if session.memo is None else session.memo


def data_range(session: Session) -> Span | None:
    """First and last local date with a paid member order, or None when there is none.

    It is read once per session (one call of the API: a metric's values and the warning
    that no period has data share it) and, inside a workspace's ``cached()`` block (the
    report), once for the block: the block's promise is that the data does not change
    meanwhile."""
    memo, key = _memo(session), _RANGE
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    o = paid_orders(session)
    row = session.rows(o.aggregate(lo=o.ordered_at.min(), hi=o.ordered_at.max()))[0]
    span = None if row["lo"] is None or row["hi"] is None else (row["lo"].date(), row["hi"].date())
    memo[key] = span
    return span


#: Up to this many periods are checked against the order range by probes (two each) rather
#: than by reading the range (a scan of every paid order: 0.4-0.7 s at 10 M members).
PROBED = 4


def covered(session: Session, periods: Sequence[Period]) -> Callable[[Period], bool]:
    """Whether a period overlaps the order range, for a caller that asks about ``periods``.

    A period overlaps it when a paid member order lies before its end and one at or after
    its start: for a few periods two probes each, which stop at the first such order
    (milliseconds, where reading the range scans every order); for more, or once the range
    is known (read once per session), the range itself. The answer is the same."""
    memo = _memo(session)
    if _RANGE in memo or len(set(periods)) > PROBED:
        span = data_range(session)
        return lambda p: span is not None and not (p.last < span[0] or p.first > span[1])

    def overlaps(period: Period) -> bool:
        key = ("_coverage", f"overlaps {period.first} {period.last}")
        if key not in memo:
            memo[key] = _exists(session, paid_orders(session, end=period.end)) and _exists(
                session, paid_orders(session, period.first)
            )
        return bool(memo[key])

    return overlaps


def _exists(session: Session, orders: ir.Table) -> bool:
    return bool(session.rows(orders.select("order_id").limit(1)))


def reaches(session: Session, day: date) -> bool:
    """Whether the order range reaches ``day``: a paid member order on it or later. One
    probe that stops at the first such order, for a caller that needs the range's end only
    when it falls short (the read-out's past-the-end warning)."""
    memo = _memo(session)
    if _RANGE in memo:
        span = memo[_RANGE]
        return span is not None and span[1] >= day
    return _exists(session, paid_orders(session, day))


def last_record(session: Session) -> date | None:
    """The latest local date of any order, points entry, event or registration."""
    latest: date | None = None
    for table, column in _RECORDS:
        t = session.table(table)
        value = session.scalar(t[column].max())
        if value is not None and (latest is None or value.date() > latest):
            latest = value.date()
    return latest


def require_orders(session: Session) -> Span:
    """The order range, or an error saying how to load orders."""
    span = data_range(session)
    if span is None:
        raise InputError(
            "The workspace has no orders yet (no paid member order); load some with "
            "'memberlens -w DIR ingest orders FILE'."
        )
    return span


def check_as_of(session: Session, as_of: date, parameter: str = "as_of") -> None:
    """Refuse a date before the first paid member order or after the last record, naming
    the range and the parameter (a date outside the sane window before any query)."""
    check_day(as_of, parameter)
    memo = _memo(session)
    if _RANGE not in memo and _within(session, as_of):
        return  # two probes: milliseconds, where the range is a scan of every paid order
    first, last = require_orders(session)
    if first <= as_of <= last:
        return
    last = max(last, last_record(session) or last)  # named in the error too
    if first <= as_of <= last:
        return
    raise InputError(
        f"{parameter} {as_of} is outside the data, which runs from {first} (first order) to "
        f"{last} (latest record). Choose a date from {first} to {last}.",
        parameter=parameter,
        value=str(as_of),
    )


def _within(session: Session, day: date) -> bool:
    """Whether a paid member order lies on or before ``day`` and one on or after it: ``day``
    is inside the order range (False says nothing: the range decides)."""
    return _exists(session, paid_orders(session, end=day + timedelta(days=1))) and _exists(
        session, paid_orders(session, day)
    )


def has_orders(session: Session) -> bool:
    """Whether the warehouse has a paid member order (a probe, not the range)."""
    memo = _memo(session)
    if _RANGE in memo:
        return memo[_RANGE] is not None
    return _exists(session, paid_orders(session))


class NoDataWarning(UserWarning):
    """Every period asked for lies outside the data's order range: the values are null."""


def warn_no_data(session: Session, periods: Sequence[Period]) -> None:
    """Warn, naming the order range, when no period in ``periods`` overlaps it."""
    has_data = covered(session, periods)
    if any(has_data(p) for p in periods):
        return
    span = data_range(session)
    asked = f"{periods[0]}" if len(periods) == 1 else f"{periods[0]} .. {periods[-1]}"
    where = (
        "the workspace has no paid member order yet"
        if span is None
        else f"the data runs from {span[0]} to {span[1]}"
    )
    warnings.warn(
        NoDataWarning(f"No data for {asked}: {where}; every value is null."), stacklevel=3
    )


def ledger_start(session: Session) -> date:
    """The first local date of a points entry; an error for an empty ledger."""
    first = session.scalar(session.table("points").at.min())
    if first is None:
        raise WorkspaceError(
            "The points ledger is empty; load it with 'memberlens -w DIR ingest points FILE'."
        )
    return first.date()  # type: ignore[no-any-return]


def check_ledger(session: Session, as_of: date, parameter: str = "as_of") -> None:
    """Refuse a date before the first points entry (or an empty ledger) with a clear fix."""
    first_day = ledger_start(session)
    if as_of < first_day:
        raise InputError(
            f"{parameter} {as_of}: the points ledger starts on {first_day}; "
            f"choose a date on or after {first_day}.",
            parameter=parameter,
            value=str(as_of),
        )
