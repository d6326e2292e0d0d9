"""Dates given to the Python API as text, parsed with a message naming the parameter.

A date must lie in the sane window 1900-01-01 .. 2100-12-31
(:data:`memberlens.dates.periods.EARLIEST` .. ``LATEST``): years such as 0001 or 9999
would overflow the date arithmetic of the analyses.
"""

from __future__ import annotations

from datetime import date

from memberlens.dates.periods import check_day
from memberlens.errors import InputError


def day(text: str, parameter: str = "as_of") -> date:
    """``text`` as a date in the window; an error naming ``parameter`` otherwise."""
    try:
        parsed = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError(
            f"{parameter} {text}: write the date as 2025-03-31.", parameter=parameter, value=text
        ) from None
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
        raise InputError(message, parameter=parameter, value=text) from None
    return check_day(parsed, parameter, text)
