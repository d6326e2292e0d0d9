"""The Chinese retail calendar: official holidays with their 调休 days, lunar festivals, the
retail events and the program's own 会员日 — one calendar for the generator, alerts, trends,
the report and the comparisons of a day with the same day a year earlier.

Sources (docs/calendar.md):

* **days off and 调休 working days** — the ``chinese-calendar`` package for the years it has
  the State Council's published arrangements (2004–2026 in 1.11); for other years the
  ``holidays`` package's China calendar (statutory days by rule, 1950–2100, with the special
  days off and working weekends it knows);
* **lunar dates** (春节, 端午, 中秋, 七夕) — the ``lunardate`` package (1900–2099);
* **retail events** (38 女神节, 520, 618, 七夕, 双11, 双12) — data in this module;
* **会员日** — ``[calendar] member_days`` / ``member_weekdays`` of the workspace config.

>>> spring_festival(2035)
datetime.date(2035, 2, 8)
>>> [o.id for o in occasions(date(2024, 10, 1), date(2024, 10, 7))]
['national_day']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from memberlens.errors import InputError
from memberlens.labels import HOLIDAYS, Label

__all__ = [
    "FIRST_YEAR",
    "LABELS",
    "LAST_YEAR",
    "Kind",
    "Occasion",
    "Peak",
    "days_off",
    "holiday_days",
    "is_workday",
    "lunar",
    "makeup_workdays",
    "marks",
    "occasions",
    "peaks",
    "same_day_last_year",
    "source",
    "spring_festival",
]


class CalendarSettings(Protocol):
    """What the calendar reads of ``[calendar]`` (``config.CalendarSettings``; the config
    layer is above this one)."""

    @property
    def member_days(self) -> tuple[int, ...]: ...

    @property
    def member_weekdays(self) -> tuple[int, ...]: ...

    def __hash__(self) -> int: ...


#: The years every source covers (lunardate: 1900–2099, holidays' China: 1950–2100).
FIRST_YEAR, LAST_YEAR = 1950, 2099


class Kind(StrEnum):
    """What makes a day unusual."""

    PUBLIC_HOLIDAY = "public_holiday"  # 法定节假日: days off by the State Council's arrangement
    FESTIVAL = "festival"  # a traditional festival that is not a day off (七夕)
    RETAIL = "retail"  # a shopping event (618, 双11 …)
    MEMBER_DAY = "member_day"  # the program's own 会员日


#: Every holiday and event a person reads, in both languages.
LABELS: dict[str, Label] = HOLIDAYS  # one home for the names: memberlens.labels


@dataclass(frozen=True)
class Occasion:
    """One holiday or event in one year: its day and the days it makes unusual."""

    id: str
    kind: Kind
    day: date  # the festival's own day (春节 = 正月初一, 国庆 = 10-01), or the event's day
    first: date  # the first unusual day (a holiday's first day off, an event's warm-up)
    last: date  # the last unusual day (inclusive)
    lunar: bool = False  # dated by the lunar calendar: its Gregorian date moves every year

    @property
    def label(self) -> Label:
        return LABELS[self.id]

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class _Event:
    """A retail event of every year: a fixed date or a lunar one, and its warm-up."""

    id: str
    month: int
    day: int
    before: int  # warm-up days (pre-sales, 年货)
    after: int = 0
    lunar: bool = False


_EVENTS = (
    _Event("womens_day", 3, 8, before=2),
    _Event("520", 5, 20, before=1),
    _Event("618", 6, 18, before=17, after=1),  # pre-sales from 1 June
    _Event("qixi", 7, 7, before=2, lunar=True),
    _Event("double11", 11, 11, before=10, after=1),  # pre-sales from 1 November
    _Event("double12", 12, 12, before=3, after=1),
)

#: Days of 年货 shopping before the Spring Festival and of quiet after it that are unusual.
SPRING_BEFORE, SPRING_AFTER = 17, 11


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(
            f"year {year}: the retail calendar covers {FIRST_YEAR}–{LAST_YEAR}; "
            "choose dates inside it.",
            parameter="year",
            value=str(year),
        )


def lunar(year: int, month: int, day: int) -> date:
    """The Gregorian date of a day of the lunar calendar (农历) in lunar year ``year``.

    >>> lunar(2025, 7, 7)  # 七夕
    datetime.date(2025, 8, 29)
    """
    from lunardate import LunarDate

    _check_year(year)
    solar: date = LunarDate(year, month, day).to_solar_date()
    return solar


def spring_festival(year: int) -> date:
    """The first day of the Spring Festival (农历正月初一) of ``year``.

    >>> spring_festival(2015)
    datetime.date(2015, 2, 19)
    """
    return lunar(year, 1, 1)


@functools.cache
def _published_years() -> range:
    from chinese_calendar.constants import holidays

    years = {d.year for d in holidays}
    return range(min(years), max(years) + 1)


def source(year: int) -> str:
    """Where the days off of ``year`` come from: ``chinese-calendar`` or ``holidays``."""
    _check_year(year)
    return "chinese-calendar" if year in _published_years() else "holidays"


@functools.cache
def _year_days_off(year: int) -> frozenset[date]:
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    days = [d for d in days if d.year == year]
    if source(year) == "chinese-calendar":
        import chinese_calendar

        return frozenset(d for d in days if chinese_calendar.is_holiday(d))
    from holidays.countries.china import China

    official = China(years=year)  # type: ignore[no-untyped-call]
    working = set(official.weekend_workdays)
    return frozenset(d for d in days if d in official or (d.weekday() >= 5 and d not in working))


def days_off(year: int) -> frozenset[date]:
    """Every day off of ``year``: weekends and official holidays, less 调休 working days."""
    return _year_days_off(year)


def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day (a 调休 Saturday or Sunday is one).

    >>> is_workday(date(2024, 9, 29)), is_workday(date(2024, 10, 4))
    (True, False)
    """
    return day not in _year_days_off(day.year)


def makeup_workdays(year: int) -> list[date]:
    """The Saturdays and Sundays of ``year`` that are working days (调休上班)."""
    off = _year_days_off(year)
    first = date(year, 1, 1)
    days = (first + timedelta(days=i) for i in range(366))
    return [d for d in days if d.year == year and d.weekday() >= 5 and d not in off]


@functools.cache
def _qingming(year: int) -> date | None:
    """清明 as the ``holidays`` package dates it (a solar term); None before it was a holiday."""
    from holidays.countries.china import China

    found = China(years=year, language="en_US").get_named(  # type: ignore[no-untyped-call]
        "Tomb-Sweeping Day", lookup="exact"
    )
    return min(found) if found else None


def _run(day: date) -> tuple[date, date]:
    """The run of consecutive days off around ``day`` (``day`` itself when it is a workday)."""
    if is_workday(day):
        return day, day
    first = last = day
    while not is_workday(first - timedelta(days=1)):
        first -= timedelta(days=1)
    while not is_workday(last + timedelta(days=1)):
        last += timedelta(days=1)
    return first, last


def _public_holidays(year: int) -> list[Occasion]:
    anchors: list[tuple[str, date, bool]] = [
        ("new_year", date(year, 1, 1), False),
        ("spring_festival", spring_festival(year), True),
        ("labour_day", date(year, 5, 1), False),
        ("dragon_boat", lunar(year, 5, 5), True),
        ("mid_autumn", lunar(year, 8, 15), True),
        ("national_day", date(year, 10, 1), False),
    ]
    qingming = _qingming(year)
    if qingming is not None:
        anchors.insert(2, ("qingming", qingming, False))
    found = []
    for key, day, is_lunar in anchors:
        first, last = _run(day)
        if key == "spring_festival":
            # 年货 shopping before it and the quiet festival weeks are both unusual
            first = min(first, day - timedelta(days=SPRING_BEFORE))
            last = max(last, day + timedelta(days=SPRING_AFTER))
        found.append(Occasion(key, Kind.PUBLIC_HOLIDAY, day, first, last, is_lunar))
    return found


def _events(year: int) -> list[Occasion]:
    found = []
    for event in _EVENTS:
        day = (
            lunar(year, event.month, event.day)
            if event.lunar
            else date(year, event.month, event.day)
        )
        kind = Kind.FESTIVAL if event.lunar else Kind.RETAIL
        first, last = day - timedelta(days=event.before), day + timedelta(days=event.after)
        found.append(Occasion(event.id, kind, day, first, last, event.lunar))
    return found


def _member_days(year: int, settings: CalendarSettings | None) -> list[Occasion]:
    if settings is None:
        return []
    found = []
    for month in range(1, 13):
        for day_of_month in settings.member_days:
            try:
                day = date(year, month, day_of_month)
            except ValueError:  # the 31st of a 30-day month: that month has none
                continue
            found.append(Occasion("member_day", Kind.MEMBER_DAY, day, day, day))
    if settings.member_weekdays:
        first = date(year, 1, 1)
        for offset in range((date(year, 12, 31) - first).days + 1):
            day = first + timedelta(days=offset)
            if day.isoweekday() in settings.member_weekdays:
                found.append(Occasion("member_day", Kind.MEMBER_DAY, day, day, day))
    return found


@functools.cache
def _year(year: int, settings: CalendarSettings | None) -> tuple[Occasion, ...]:
    found = _public_holidays(year) + _events(year) + _member_days(year, settings)
    return tuple(sorted(found, key=lambda o: (o.day, o.id)))


def occasions(start: date, end: date, settings: CalendarSettings | None = None) -> list[Occasion]:
    """The holidays and events whose day lies between ``start`` and ``end`` (inclusive),
    with the workspace's 会员日 when ``settings`` (``config.calendar``) is given."""
    return [
        o
        for year in range(start.year, end.year + 1)
        for o in _year(year, settings)
        if start <= o.day <= end
    ]


def holiday_days(start: date, end: date, settings: CalendarSettings | None = None) -> set[date]:
    """Every unusual day between ``start`` and ``end``: inside a holiday's days off or an
    event's window, a 会员日, or a 调休 working weekend."""
    days: set[date] = set()
    margin = timedelta(days=SPRING_BEFORE + 14)
    for occasion in occasions(start - margin, end + margin, settings):
        days.update(occasion.days)
    for year in range(start.year, end.year + 1):
        days.update(makeup_workdays(year))
    return {d for d in days if start <= d <= end}


def same_day_last_year(day: date) -> date:
    """The comparable day a year earlier.

    Near the Spring Festival (within a month) and inside the days of a lunar festival (端午,
    中秋, 七夕) it is the same offset from last year's festival; otherwise the same date (618,
    双11 and National Day keep theirs; 29 February maps to 28 February).

    >>> same_day_last_year(date(2025, 1, 29))  # 春节 2025 → 春节 2024
    datetime.date(2024, 2, 10)
    """
    for year in (day.year, day.year + 1):
        festival = spring_festival(min(year, LAST_YEAR))
        if abs((day - festival).days) <= 31:
            return spring_festival(festival.year - 1) + (day - festival)
    here = [o for o in _year(day.year, None) if o.first <= day <= o.last]
    if here and all(o.lunar for o in here):
        anchor = here[0]
        before = next(o for o in _year(day.year - 1, None) if o.id == anchor.id)
        return before.day + (day - anchor.day)
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Peak:
    """A shopping peak as the demo generator plants it: a ramp up to ``day``."""

    name: str
    day: date
    height: float  # typical multiplier on the peak day
    ramp_days: int  # days of rising demand before it
    after_days: int = 1  # days after the peak that are still unusual

    @property
    def label(self) -> Label:
        return LABELS[self.name]

    @property
    def window(self) -> tuple[date, date]:
        """The days this peak makes unusual (inclusive)."""
        return self.day - timedelta(days=self.ramp_days), self.day + timedelta(days=self.after_days)


#: The demand the demo program plants on the calendar's occasions: (height, ramp, after);
#: the Spring Festival's peak is three days before the festival (年货), the week after quiet.
DEMAND = {
    "spring_festival": (1.9, 14, 14),
    "618": (2.6, 17, 1),
    "double11": (3.2, 10, 1),
    "double12": (1.4, 3, 1),
}


def peaks(start: date, end: date) -> list[Peak]:
    """The shopping peaks between ``start`` and ``end`` (the calendar's occasions that the
    demo program plants, with their height)."""
    found = []
    for occasion in occasions(
        start - timedelta(days=SPRING_BEFORE), end + timedelta(days=SPRING_BEFORE)
    ):
        if occasion.id not in DEMAND:
            continue
        height, ramp, after = DEMAND[occasion.id]
        day = occasion.day - timedelta(days=3) if occasion.id == "spring_festival" else occasion.day
        found.append(Peak(occasion.id, day, height, ramp, after))
    return [p for p in found if start <= p.day <= end]


#: The occasions a chart of a year marks (more would crowd it).
MARKED = ("spring_festival", "labour_day", "618", "national_day", "double11", "double12")


def marks(start: date, end: date) -> list[Occasion]:
    """The biggest holidays and events between ``start`` and ``end``, for marking charts."""
    return [o for o in occasions(start, end) if o.id in MARKED]
