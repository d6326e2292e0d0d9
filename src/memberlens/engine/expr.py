"""Expression helpers every layer uses, written once so they mean the same on every engine.

Day differences come from epoch seconds of dates or timestamps, never from Ibis's
``delta(unit="day")``, which counts boundaries on DuckDB but floors elapsed time on Spark
(DESIGN §11).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import ibis
import ibis.expr.types as ir

SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600


def at_midnight(day: date | Any) -> ir.TimestampScalar:
    """Midnight of ``day`` as a timestamp literal that reads well in explained SQL."""
    return ibis.literal(f"{datetime.combine(day, time()):%Y-%m-%d %H:%M:%S}").cast("timestamp")


def bound(value: date | Any) -> Any:
    """A date as its midnight; a timestamp expression as it is."""
    return at_midnight(value) if isinstance(value, date) else value


def days_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Fractional days from ``earlier`` to ``later`` (elapsed time)."""
    return (later.epoch_seconds() - earlier.epoch_seconds()) / SECONDS_PER_DAY


def hours_between(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """Fractional hours from ``earlier`` to ``later``."""
    return (later.epoch_seconds() - earlier.epoch_seconds()) / SECONDS_PER_HOUR


def exact_sum(value: ir.NumericValue) -> ir.DecimalScalar:
    """The sum of ``value`` as an exact decimal (six places): the same whatever order the
    rows are added in, and sums of it add up exactly again."""
    return value.cast("decimal(38, 6)").sum()


def exact_mean(value: ir.NumericValue) -> ir.FloatingScalar:
    """The mean of ``value`` from an exact (decimal) sum: the same value, to the last bit,
    whatever order a parallel engine adds the rows in (a float sum is not associative).
    Each value counts to six decimals (a microsecond of a duration in seconds)."""
    total = exact_sum(value).cast("float64")
    return total / value.count()  # divided as floats: Spark keeps 6 decimals


def day_number(value: ir.TimestampValue) -> ir.IntegerValue:
    """Whole days since 1970-01-01 of the local date of ``value``."""
    return (value.truncate("D").epoch_seconds() // SECONDS_PER_DAY).cast("int64")


def month_index(value: ir.TimestampValue) -> ir.IntegerValue:
    """year × 12 + month − 1 of ``value``: consecutive months differ by one (the engine's
    form of :func:`memberlens.dates.months.month_index`)."""
    return value.year() * 12 + value.month() - 1


def month_label(index: ir.IntegerValue) -> ir.StringValue:
    """``2025-03`` from a :func:`month_index`."""
    year = (index // 12).cast("string")
    month = (index % 12 + 1).cast("string").lpad(2, "0")
    return year + "-" + month
