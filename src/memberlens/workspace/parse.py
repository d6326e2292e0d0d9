"""Dates given to the Python API as text, parsed with a message naming the parameter."""

from __future__ import annotations

from datetime import date

from memberlens.errors import InputError


def day(text: str, parameter: str = "as_of") -> date:
    """``text`` as a date; an error naming ``parameter`` otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{parameter} {text}: write the date as 2025-03-31.", parameter=parameter, value=text
        ) from None


def days(start: str, end: str) -> tuple[date, date]:
    """``start`` and ``end`` as dates, with a message that shows the expected form."""
    try:
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise InputError(
            f"start {start} / end {end}: write dates as 2025-03-01.", parameter="start"
        ) from None
