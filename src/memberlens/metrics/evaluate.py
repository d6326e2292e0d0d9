"""Evaluate catalog metrics for periods, with 环比 and 同比 comparisons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from memberlens.config import Config
from memberlens.metrics.catalog import CATALOG, metric
from memberlens.metrics.compute import DEFINITIONS, Scope
from memberlens.metrics.periods import Period, latest_full_month, parse_period

__all__ = ["change", "compute", "data_range", "latest_full_month", "parse_period", "summary"]


def _plain(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number:  # NaN from an empty median
        return None
    return int(value) if isinstance(value, int) else number


def data_range(backend: Any) -> tuple[date, date] | None:
    """First and last local date with a member order, or None for an empty warehouse."""
    o = backend.table("orders")
    row = backend.to_pyarrow(o.aggregate(lo=o.ordered_at.min(), hi=o.ordered_at.max())).to_pylist()[
        0
    ]
    if row["lo"] is None or row["hi"] is None:
        return None
    return row["lo"].date(), row["hi"].date()


def compute(
    backend: Any, config: Config, ids: Sequence[str], period: Period
) -> dict[str, float | int | None]:
    """Values of metrics ``ids`` for ``period``; None where there is no data or no denominator."""
    for metric_id in ids:
        metric(metric_id)
    span = data_range(backend)
    if span is None or period.last < span[0] or period.first > span[1]:
        return dict.fromkeys(ids)
    scope = Scope(backend, config, period)
    return {m: _plain(backend.to_pyarrow(DEFINITIONS[m](scope))["value"][0].as_py()) for m in ids}


def change(now: float | int | None, before: float | int | None, rate: bool = False) -> float | None:
    """Change from ``before`` to ``now``: relative, (now - before) / |before|, for amounts and
    counts; the plain difference for rates and scores (a repurchase rate going from 30 % to
    33 % is +3 points, not +10 %). None when either is missing or a relative base is 0."""
    if now is None or before is None:
        return None
    if rate:
        return now - before
    if before == 0:
        return None
    return (now - before) / abs(before)


def summary(backend: Any, config: Config, ids: Sequence[str], period: Period) -> pl.DataFrame:
    """Each metric with its previous-period (环比) and year-ago (同比) values and changes.

    Changes are relative for counts and amounts and absolute for rates and scores (see
    :func:`change`).
    """
    now = compute(backend, config, ids, period)
    previous = compute(backend, config, ids, period.previous())
    year_ago = compute(backend, config, ids, period.year_ago())
    language = config.workspace.language
    return pl.DataFrame(
        {
            "metric": list(ids),
            "name": [CATALOG[m].name(language) for m in ids],
            "unit": [str(CATALOG[m].unit) for m in ids],
            "period": [str(period)] * len(ids),
            "value": [now[m] for m in ids],
            "previous": [previous[m] for m in ids],
            "change_vs_previous": [change(now[m], previous[m], CATALOG[m].is_rate) for m in ids],
            "year_ago": [year_ago[m] for m in ids],
            "change_vs_year_ago": [change(now[m], year_ago[m], CATALOG[m].is_rate) for m in ids],
        },
        schema_overrides=dict.fromkeys(("value", "previous", "year_ago"), pl.Float64),
    )
