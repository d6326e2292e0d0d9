"""The Chinese retail calendar: Spring Festival, 618, 双11 and 双12.

Used by the demo generator (to plant the peaks) and by anomaly detection (so that a holiday
peak is not reported as an anomaly).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

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
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}


@dataclass(frozen=True)
class Peak:
    name: str
    day: date
    height: float  # typical multiplier on the peak day
    ramp_days: int  # days of rising demand before it
    after_days: int = 1  # days after the peak that are still unusual

    @property
    def window(self) -> tuple[date, date]:
        """The days this peak makes unusual (inclusive)."""
        return self.day - timedelta(days=self.ramp_days), self.day + timedelta(days=self.after_days)


def peaks(start: date, end: date) -> list[Peak]:
    """The holiday peaks between ``start`` and ``end``."""
    found = []
    for year in range(start.year, end.year + 1):
        if year in SPRING_FESTIVAL:
            # shopping peaks on the days before the festival (年货); the festival week is quiet
            found.append(
                Peak("spring_festival", SPRING_FESTIVAL[year] - timedelta(days=3), 1.9, 14, 14)
            )
        found.append(Peak("618", date(year, 6, 18), 2.6, 17))
        found.append(Peak("double11", date(year, 11, 11), 3.2, 10))
        found.append(Peak("double12", date(year, 12, 12), 1.4, 3))
    return [p for p in found if start <= p.day <= end]


def holiday_days(start: date, end: date) -> set[date]:
    """Every day inside a holiday peak's window."""
    days: set[date] = set()
    for peak in peaks(start - timedelta(days=31), end + timedelta(days=31)):
        first, last = peak.window
        days.update(first + timedelta(days=i) for i in range((last - first).days + 1))
    return {d for d in days if start <= d <= end}
