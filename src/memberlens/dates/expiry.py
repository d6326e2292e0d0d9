"""When points lapse: the year-boundary rule of expiry, written once.

Under the ``year_end_next`` policy a point earned at any instant of calendar year Y lapses at
the last second of year Y + 1, **23:59:59 on 31 December** — the instant the ledger stamps its
``expire`` entry and its ``expires_at``. Lapsing inside the last day (not at 00:00 on
1 January of Y + 2) keeps the expiry in the year it belongs to: a period ``[start, end + 1 day)``
ending on 31 December of Y + 1 contains it, and a balance "as of the end of 31 December"
already excludes it. Under ``months`` a point lapses ``months`` calendar months after it was
earned, at the same clock time; under ``never`` it does not lapse.

The generator (:mod:`memberlens.generate.points`), the what-if replay
(:mod:`memberlens.program.whatif`) and the readers of ``expires_at`` (FIFO, breakage,
projected expiry in :mod:`memberlens.points`, which count a batch as lapsed by day D when
``expires_at`` is before the end of D) all use this module.

>>> year_end_lapse(2024)
datetime.datetime(2025, 12, 31, 23, 59, 59)
>>> lapses_at(datetime(2024, 12, 31, 23, 59, 59))
datetime.datetime(2025, 12, 31, 23, 59, 59)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

Policy = Literal["never", "year_end_next", "months"]

KEPT_YEARS = 1  # points earned in Y are kept through the end of Y + KEPT_YEARS
LAST_SECOND = timedelta(seconds=1)  # the ledger's resolution: the lapse is 1 s before midnight


def year_end_lapse(year: int) -> datetime:
    """The instant the points earned in ``year`` lapse: 23:59:59 on 31 December of year + 1."""
    return datetime(year + KEPT_YEARS + 1, 1, 1) - LAST_SECOND


def lapses_at(earned: datetime) -> datetime:
    """The instant a point earned at ``earned`` lapses under ``year_end_next``."""
    return year_end_lapse(earned.year)


def lapse_expr(at: ir.TimestampValue, policy: Policy, months: int = 12) -> ir.TimestampValue | None:
    """The engine expression of the lapse instant of points earned at ``at`` (None: never)."""
    import ibis

    if policy == "never":
        return None
    if policy == "year_end_next":
        start_of_year = at.truncate("Y")
        return start_of_year + ibis.interval(years=KEPT_YEARS + 1) - ibis.interval(seconds=1)
    return at + ibis.interval(months=months)
