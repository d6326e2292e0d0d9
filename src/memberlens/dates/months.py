"""Month arithmetic on dates, written once: a month as an index (year × 12 + month − 1), so
consecutive months differ by one and adding months is addition.

The same index in the engine is :func:`memberlens.engine.expr.month_index`.

>>> add_months(date(2025, 11, 15), 3)
datetime.date(2026, 2, 1)
>>> month_label(month_index(date(2025, 3, 31)))
'2025-03'
"""

from __future__ import annotations

from datetime import date, timedelta


def month_index(day: date) -> int:
    """year × 12 + month − 1 of ``day``."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    """The first day of the month with ``index``."""
    return date(index // 12, index % 12 + 1, 1)


def month_label(index: int) -> str:
    """``2025-03`` for a month index."""
    return f"{index // 12}-{index % 12 + 1:02d}"


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` months after ``day``'s month (negative: before)."""
    return month_start(month_index(day) + months)


def month_end(index: int) -> date:
    """The last day of the month with ``index``."""
    return month_start(index + 1) - timedelta(days=1)


def last_day_months_before(day: date, months: int) -> date:
    """The last day of the month ``months`` months before ``day``'s month."""
    return month_end(month_index(day) - months)
