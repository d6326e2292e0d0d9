"""Reporting periods (DESIGN §6): day, ISO week, month, quarter, year, or a date range.

Written ``2025-03-11``, ``2025-W10``, ``2025-03``, ``2025-Q1``, ``2025`` or
``2025-03-01..2025-03-31`` (inclusive dates, business time). A period knows the one before it
(环比) and the same period a year earlier (同比).

Every date a person gives lies in the sane window :data:`EARLIEST` .. :data:`LATEST`
(1900-01-01 .. 2100-12-31, the ingest window's default): a year such as 0001 or 9999 would
overflow date arithmetic later, so it is refused here with an error naming the parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from memberlens.dates.months import add_months
from memberlens.errors import InputError


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


#: The first and last day a date parameter may name.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

EXAMPLES = "2025-03-11, 2025-W10, 2025-03, 2025-Q1, 2025 or 2025-03-01..2025-03-31"


@dataclass(frozen=True)
class Period:
    """Inclusive ``first`` .. ``last`` dates of one period of a grain."""

    grain: Grain
    first: date
    last: date

    def __str__(self) -> str:
        match self.grain:
            case Grain.DAY:
                return self.first.isoformat()
            case Grain.WEEK:
                year, week, _ = self.first.isocalendar()
                return f"{year}-W{week:02d}"
            case Grain.MONTH:
                return f"{self.first:%Y-%m}"
            case Grain.QUARTER:
                return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
            case Grain.YEAR:
                return str(self.first.year)
            case Grain.RANGE:
                return f"{self.first}..{self.last}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def end(self) -> date:
        """The first day after the period (exclusive bound)."""
        return self.last + timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same grain just before (环比)."""
        try:
            return self._previous()
        except (OverflowError, ValueError):
            raise self._edge("before") from None

    def next(self) -> Period:
        """The period of the same grain just after."""
        try:
            return self._next()
        except (OverflowError, ValueError):
            raise self._edge("after") from None

    def year_ago(self) -> Period:
        """The same period a year earlier (同比): same ISO week number for weeks."""
        try:
            return self._year_ago()
        except (OverflowError, ValueError):
            raise self._edge("a year before") from None

    def _edge(self, where: str) -> InputError:
        return InputError(
            f"Period {self} has no period {where} it in the calendar; choose a period from "
            f"{EARLIEST} to {LATEST}.",
            parameter="period",
            value=str(self),
        )

    def _previous(self) -> Period:
        match self.grain:
            case Grain.DAY | Grain.WEEK | Grain.RANGE:
                step = timedelta(days=self.days)
                return Period(self.grain, self.first - step, self.last - step)
            case Grain.MONTH | Grain.QUARTER | Grain.YEAR:
                months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[self.grain]
                return _months(self.grain, _add_months(self.first, -months), months)

    def _next(self) -> Period:
        if self.grain in (Grain.DAY, Grain.RANGE):
            step = timedelta(days=self.days)
            return Period(self.grain, self.first + step, self.last + step)
        return containing(self.end, self.grain)

    def _year_ago(self) -> Period:
        match self.grain:
            case Grain.WEEK:
                year, week, _ = self.first.isocalendar()
                first = date.fromisocalendar(year - 1, min(week, _weeks_in(year - 1)), 1)
                return Period(Grain.WEEK, first, first + timedelta(days=6))
            case Grain.MONTH | Grain.QUARTER | Grain.YEAR:
                months = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}[self.grain]
                return _months(self.grain, _add_months(self.first, -12), months)
            case Grain.DAY | Grain.RANGE:
                return Period(self.grain, _minus_year(self.first), _minus_year(self.last))


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


def _minus_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _add_months(day: date, months: int) -> date:
    return add_months(day, months)


def _months(grain: Grain, first: date, months: int) -> Period:
    return Period(grain, first, _add_months(first, months) - timedelta(days=1))


def check_day(day: date, parameter: str, text: str | None = None) -> date:
    """``day`` when it lies from :data:`EARLIEST` to :data:`LATEST`; an error naming
    ``parameter`` (and the value as written, ``text``) otherwise."""
    if EARLIEST <= day <= LATEST:
        return day
    written = str(day) if text is None else text
    raise InputError(
        f"{parameter} {written}: dates must lie from {EARLIEST} to {LATEST}; "
        "choose a date in that window.",
        parameter=parameter,
        value=written,
    )


def parse_period(text: str, parameter: str = "period") -> Period:
    """Parse a period written as in DESIGN §6; raise :class:`InputError` naming the forms
    (and ``parameter``), or the window for a period outside :data:`EARLIEST` .. :data:`LATEST`."""
    period = _parse(text, parameter)
    for day in (period.first, period.last):
        check_day(day, parameter, text.strip())
    return period


def _year(text: str, whole: str, parameter: str) -> int:
    year = int(text)
    if not EARLIEST.year <= year <= LATEST.year:
        raise InputError(
            f"{parameter} {whole}: dates must lie from {EARLIEST} to {LATEST}; "
            "choose a period in that window.",
            parameter=parameter,
            value=whole,
        )
    return year


def _parse(text: str, parameter: str) -> Period:
    value = text.strip()
    try:
        if ".." in value:
            a, b = value.split("..", 1)
            first, last = date.fromisoformat(a.strip()), date.fromisoformat(b.strip())
            if last < first:
                raise InputError(
                    f"Period '{text}' ends before it starts; write FIRST..LAST.",
                    parameter=parameter,
                    value=value,
                )
            return Period(Grain.RANGE, first, last)
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", value, re.IGNORECASE):
            year, week = _year(m[1], value, parameter), int(m[2])
            if not 1 <= week <= _weeks_in(year):
                raise InputError(
                    f"Period '{text}': {year} has ISO weeks 1..{_weeks_in(year)}.",
                    parameter=parameter,
                    value=value,
                )
            first = date.fromisocalendar(year, week, 1)
            return Period(Grain.WEEK, first, first + timedelta(days=6))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", value, re.IGNORECASE):
            year = _year(m[1], value, parameter)
            return _months(Grain.QUARTER, date(year, 3 * int(m[2]) - 2, 1), 3)
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            year = _year(m[1], value, parameter)
            return _months(Grain.MONTH, date(year, int(m[2]), 1), 1)
        if re.fullmatch(r"\d{4}", value):
            return _months(Grain.YEAR, date(_year(value, value, parameter), 1, 1), 12)
        day = date.fromisoformat(value)
        return Period(Grain.DAY, day, day)
    except InputError:
        raise
    except (ValueError, OverflowError):
        raise InputError(
            f"Cannot read period '{text}'. Write it as {EXAMPLES}.",
            parameter=parameter,
            value=value,
        ) from None


def containing(day: date, grain: Grain) -> Period:
    """The period of ``grain`` that contains ``day``."""
    match grain:
        case Grain.DAY | Grain.RANGE:
            return Period(Grain.DAY, day, day)
        case Grain.WEEK:
            first = day - timedelta(days=day.weekday())
            return Period(Grain.WEEK, first, first + timedelta(days=6))
        case Grain.MONTH:
            return _months(grain, day.replace(day=1), 1)
        case Grain.QUARTER:
            return _months(grain, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), 3)
        case Grain.YEAR:
            return _months(grain, date(day.year, 1, 1), 12)


def series(first: date, last: date, grain: Grain) -> list[Period]:
    """The consecutive periods of ``grain`` covering ``first`` .. ``last``."""
    if last < first:
        raise InputError(f"end {last} is before start {first}.", parameter="end")
    periods = [containing(first, grain)]
    while periods[-1].last < last:
        periods.append(containing(periods[-1].end, grain))
    if len(periods) > 5000:
        raise InputError(f"{len(periods)} periods is too many; use a coarser --grain.")
    return periods


def parse_grain(text: str) -> Grain:
    try:
        grain = Grain(text)
    except ValueError:
        grain = Grain.RANGE
    if grain is Grain.RANGE:
        from memberlens.errors import unknown_choice

        raise unknown_choice("grain", text, [g.value for g in Grain if g is not Grain.RANGE])
    return grain


def latest_full_month(last_day: date) -> Period:
    """The last calendar month fully covered by data ending on ``last_day``."""
    month = _months(Grain.MONTH, last_day.replace(day=1), 1)
    return month if month.last == last_day else month.previous()
