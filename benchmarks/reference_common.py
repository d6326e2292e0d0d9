"""What the hand-written comparison implementations share: month bounds, the core metric ids,
the RFM segment codes, and how two sets of values are compared.

Benchmark code, not part of the package: it imports nothing from memberlens, so the
references stay independent of what they check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

#: The catalog's core metrics (klass == "core"); the runner checks this list against the
#: catalog so that a change there is noticed.
CORE_IDS: tuple[str, ...] = (
    "members_total",
    "new_members",
    "buyers",
    "active_members",
    "activity_rate",
    "orders",
    "revenue",
    "aov",
    "purchase_frequency",
    "repurchase_rate",
    "retention_rate",
    "repurchase_cycle_days",
    "churned_members",
    "points_issued",
    "points_redeemed",
    "redemption_rate",
    "redeemers",
    "points_outstanding",
    "points_liability",
    "nps",
)

#: The monthly set of nine metrics of orders and members that a weekly KPI sheet shows
#: (benchmarks/kpi_compare.py --set nine).
NINE_IDS: tuple[str, ...] = (
    "members_total",
    "buyers",
    "orders",
    "revenue",
    "aov",
    "arpu",
    "purchase_frequency",
    "repurchase_rate",
    "retention_rate",
)

#: (recent, frequent, high_value) flags as "RFM" → segment id (DESIGN §7).
SEGMENT_CODES: dict[str, str] = {
    "111": "important_value",
    "101": "important_develop",
    "011": "important_retain",
    "001": "important_winback",
    "110": "general_value",
    "100": "general_develop",
    "010": "general_retain",
    "000": "general_winback",
}

Value = float | int | None


@dataclass(frozen=True)
class Month:
    """A calendar month ``YYYY-MM``: its first day, the day after it, and the month before."""

    first: date
    end: date  # exclusive
    previous_first: date

    @classmethod
    def parse(cls, text: str) -> Month:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
        previous_first = date(year - (month == 1), (month - 2) % 12 + 1, 1)
        return cls(first, end, previous_first)

    def churn_cutoff(self, inactive_days: int) -> date:
        """Members whose last paid order is before this date have churned at the month end."""
        return self.end - timedelta(days=inactive_days)


def midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def same(a: Value, b: Value, relative: float = 1e-9) -> bool:
    """Equal values: both null, or equal to ``relative`` (exact for integers)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=relative, abs_tol=0.0)


def differences(
    expected: dict[str, Value], got: dict[str, Value], relative: float = 1e-9
) -> list[str]:
    """Human-readable differences between two {metric: value} maps (empty when identical)."""
    problems = [f"{k}: missing" for k in expected if k not in got]
    problems += [f"{k}: not expected" for k in got if k not in expected]
    problems += [
        f"{k}: {expected[k]!r} != {got[k]!r}"
        for k in expected
        if k in got and not same(expected[k], got[k], relative)
    ]
    return problems
