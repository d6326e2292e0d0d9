"""The retail calendar of the demo program: weekly rhythm, Spring Festival, 618 and 双11.

Purchases are generated in *operational time*: a clock that runs faster on busy days. The
daily intensity ``s(d)`` has mean 1 over the program's life, so a member's purchase count
over a long window keeps the planted BG/NBD distribution while the calendar shows the peaks.
Times inside this package are whole seconds since the program start (local business time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

DAY = 86_400

#: First day of the Spring Festival (农历正月初一).
SPRING_FESTIVAL = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
}

WEEKDAY = np.array([0.92, 0.90, 0.94, 0.98, 1.08, 1.16, 1.02])  # Monday first

# share of a day's purchases in each hour: a lunch and an evening peak
HOURLY = np.array(
    [2, 1, 1, 1, 1, 2, 5, 12, 22, 30, 38, 52, 70, 62, 45, 40, 44, 55, 72, 80, 68, 48, 25, 8],
    dtype=float,
)
HOURLY /= HOURLY.sum()


@dataclass(frozen=True)
class Peak:
    name: str
    day: date
    height: float  # multiplier on the peak day
    ramp_days: int  # days of rising demand before it


def peaks(start: date, end: date) -> list[Peak]:
    """The holiday peaks between ``start`` and ``end``."""
    found = []
    for year in range(start.year, end.year + 1):
        if year in SPRING_FESTIVAL:
            # shopping peaks on the days before the festival (年货), then quiets down
            found.append(
                Peak("spring_festival", SPRING_FESTIVAL[year] - timedelta(days=3), 1.9, 14)
            )
        found.append(Peak("618", date(year, 6, 18), 2.6, 17))
        found.append(Peak("double11", date(year, 11, 11), 3.2, 10))
        found.append(Peak("double12", date(year, 12, 12), 1.4, 3))
    return [p for p in found if start <= p.day <= end]


def daily_intensity(start: date, end: date) -> np.ndarray:
    """Relative purchase intensity for each day from ``start`` to ``end`` (mean 1)."""
    days = (end - start).days + 1
    index = np.arange(days)
    weekday = (start.weekday() + index) % 7
    level = WEEKDAY[weekday].copy()
    for peak in peaks(start, end):
        offset = (peak.day - start).days
        before = offset - index  # days until the peak
        ramp = (before >= 0) & (before <= peak.ramp_days)
        shape = 1 + (peak.height - 1) * (1 - before[ramp] / (peak.ramp_days + 1)) ** 2
        level[ramp] *= shape
        if peak.name == "spring_festival":
            # the festival week itself is quiet: shops close, families are at home
            holiday = (index > offset + 3) & (index <= offset + 10)
            level[holiday] *= 0.55
    return level / level.mean()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Clock:
    """Maps between calendar seconds and operational time (in days) for one program."""

    start: date
    end: date
    cumulative: np.ndarray  # operational days elapsed at each calendar day boundary

    @classmethod
    def build(cls, start: date, end: date) -> Clock:
        level = daily_intensity(start, end)
        cumulative = np.concatenate([[0.0], np.cumsum(level)])
        return cls(start, end, cumulative)

    @property
    def days(self) -> int:
        return len(self.cumulative) - 1

    @property
    def horizon(self) -> int:
        """Seconds from the program start to the end of its last day."""
        return self.days * DAY

    def to_operational(self, seconds: np.ndarray) -> np.ndarray:
        grid = np.arange(self.days + 1, dtype=float)
        return np.interp(np.asarray(seconds, float) / DAY, grid, self.cumulative)  # type: ignore[no-any-return]

    def to_calendar(self, operational: np.ndarray) -> np.ndarray:
        """Calendar seconds for operational times (day from the warp, hour from HOURLY)."""
        grid = np.arange(self.days + 1, dtype=float)
        day = np.floor(np.interp(operational, self.cumulative, grid)).astype(np.int64)
        return np.minimum(day, self.days - 1) * DAY  # type: ignore[no-any-return]

    def day_of(self, seconds: np.ndarray) -> np.ndarray:
        return np.asarray(seconds, np.int64) // DAY


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight, following the hourly shopping profile."""
    hour = rng.choice(24, size=n, p=HOURLY)
    return hour * 3600 + rng.integers(0, 3600, size=n)


def date_seconds(start: date, day: date) -> int:
    return (day - start).days * DAY
