"""The demo program's demand over the retail calendar (``dates/calendar.py``): the weekly
rhythm and the peaks it plants (Spring Festival, 618, 双11, 双12).

Purchases are generated in *operational time*: a clock that runs faster on busy days. The
daily intensity ``s(d)`` has mean 1 over the program's life, so a member's purchase count
over a long window keeps the planted BG/NBD distribution while the calendar shows the peaks.
Times inside this package are whole seconds since the program start (local business time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from memberlens.dates.calendar import Peak, peaks, spring_festival

__all__ = ["DAY", "HOURLY", "Clock", "Peak", "daily_intensity", "peaks", "spring_festival"]

DAY = 86_400

WEEKDAY = np.array([0.92, 0.90, 0.94, 0.98, 1.08, 1.16, 1.02])  # Monday first

# share of a day's purchases in each hour: a lunch and an evening peak
HOURLY = np.array(
    [2, 1, 1, 1, 1, 2, 5, 12, 22, 30, 38, 52, 70, 62, 45, 40, 44, 55, 72, 80, 68, 48, 25, 8],
    dtype=float,
)
HOURLY /= HOURLY.sum()


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


def time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight, following the hourly shopping profile."""
    hour = rng.choice(24, size=n, p=HOURLY)
    return hour * 3600 + rng.integers(0, 3600, size=n)


def date_seconds(start: date, day: date) -> int:
    return (day - start).days * DAY
