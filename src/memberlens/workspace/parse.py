"""Dates given to the Python API as text, parsed with a message naming the parameter.

A date must lie in the sane window 1900-01-01 .. 2100-12-31
(:data:`memberlens.dates.periods.EARLIEST` .. ``LATEST``): years such as 0001 or 9999
would overflow the date arithmetic of the analyses.
"""

from __future__ import annotations

from datetime import date

from memberlens.dates.periods import check_day
from memberlens.errors import InputError


def missing_day(text: str) -> str | None:
    """Why ``text``, written as YYYY-MM-DD, names no day ("2025-02-30 does not exist:
    February 2025 has 28 days"), or None when it is not of that form or is a real day."""
    import calendar
    import re

    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(text).strip())
    if found is None:
        return None
    year, month, number = (int(g) for g in found.groups())
    if not 1 <= month <= 12:
        return f"{text} does not exist: there is no month {month:02d} (months run 01 to 12)"
    last = calendar.monthrange(year, month)[1]
    if 1 <= number <= last:
        return None
    return f"{text} does not exist: {calendar.month_name[month]} {year} has {last} days"


def day(text: str, parameter: str = "as_of") -> date:
    """``text`` as a date in the window; an error naming ``parameter`` otherwise."""
    try:
        parsed = date.fromisoformat(text)
    except (TypeError, ValueError):
        why = missing_day(text)
        message = f"{parameter} {text}: " + (
            f"the date {why}." if why else "write the date as 2025-03-31."
        )
        raise InputError(message, parameter=parameter, value=text) from None
    return check_day(parsed, parameter, text)


def days(start: str, end: str) -> tuple[date, date]:
    """``start`` and ``end`` as dates in the window, with a message that shows the expected
    form and names the parameter at fault."""
    first = _one(start, "start", f"start {start} / end {end}: write dates as 2025-03-01.")
    last = _one(end, "end", f"start {start} / end {end}: write dates as 2025-03-01.")
    return first, last


def _one(text: str, parameter: str, message: str) -> date:
    try:
        parsed = date.fromisoformat(text)
    except (TypeError, ValueError):
        why = missing_day(text)
        if why:
            message = f"{parameter} {text}: the date {why}."
        raise InputError(message, parameter=parameter, value=text) from None
    return check_day(parsed, parameter, text)
