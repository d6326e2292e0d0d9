"""Trend analysis: seasonal decomposition of a daily or weekly series, with the holiday peaks.

STL (Cleveland et al. 1990, "STL: A Seasonal-Trend Decomposition Procedure Based on Loess",
*J. Official Statistics* 6) splits the series into trend, seasonal (the weekly rhythm for
daily data, the yearly one for weekly data) and remainder, robustly, so a holiday peak lands
in the remainder instead of bending the trend. Each holiday peak in the range is reported
with the observed value against the trend on its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import polars as pl

from memberlens.dates.calendar import Kind, occasions
from memberlens.engine.session import Session
from memberlens.errors import InputError, did_you_mean
from memberlens.labels import Label, find
from memberlens.metrics.catalog import CATALOG
from memberlens.metrics.daily import DAILY, daily_parts, daily_series

#: metrics whose weekly value is the sum (or a ratio of sums) of daily parts
WEEKLY = (
    "new_members",
    "orders",
    "revenue",
    "aov",
    "points_issued",
    "points_redeemed",
    "redemption_rate",
)


@dataclass(frozen=True)
class Trend:
    metric: str
    grain: str
    series: pl.DataFrame  # date, observed, trend, seasonal, remainder
    peaks: pl.DataFrame  # name, date, observed, trend, ratio


def _weekly(parts: pl.DataFrame) -> pl.DataFrame:
    sums = ["orders", "revenue", "new_members", "points_issued", "points_redeemed"]
    weekly = (
        parts.with_columns(day=pl.col("day").dt.truncate("1w"))
        .group_by("day")
        .agg([pl.col(c).sum() for c in sums])
        .sort("day")
    )
    return weekly.with_columns(
        aov=pl.when(pl.col("orders") > 0).then(pl.col("revenue") / pl.col("orders")),
        redemption_rate=pl.when(pl.col("points_issued") > 0).then(
            pl.col("points_redeemed") / pl.col("points_issued")
        ),
    )


def decompose(
    session: Session, metric: str, first: date, last: date, grain: Literal["day", "week"] = "day"
) -> Trend:
    """STL decomposition of ``metric`` from ``first`` to ``last``."""
    from statsmodels.tsa.seasonal import STL

    allowed = DAILY if grain == "day" else WEEKLY
    if grain not in ("day", "week"):
        raise InputError(f"Unknown grain '{grain}' for a trend. Use day or week.")
    names = {m: Label(CATALOG[m].zh, CATALOG[m].en) for m in allowed if m in CATALOG}
    metric = find(metric, names) or metric  # an id, or its 中文 / English name
    if metric not in allowed:
        every = "daily" if grain == "day" else "weekly"
        raise InputError(
            f"Metric '{metric}' has no {every} series.{did_you_mean(metric, list(allowed))} "
            f"Choose one of: {', '.join(allowed)}.",
            parameter="metric",
            value=metric,
        )
    period = 7 if grain == "day" else 52
    parts = daily_parts(session, first, last)
    if grain == "day":
        days = pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)})
        wide = daily_series(parts).filter(pl.col("metric") == metric).select("day", "value")
        frame = days.join(wide, on="day", how="left")
    else:
        frame = _weekly(parts).select("day", value=pl.col(metric))
        # whole weeks only: a partial first or last week would read as a collapse
        frame = frame.filter((pl.col("day") >= first) & (pl.col("day") + timedelta(days=6) <= last))
    values = (
        frame["value"]
        .cast(pl.Float64)
        .fill_null(0.0 if metric not in ("aov", "redemption_rate") else None)
    )
    if values.null_count():
        values = values.interpolate().fill_null(strategy="forward").fill_null(strategy="backward")
    if len(values) < 2 * period + 1:
        raise InputError(
            f"A {grain}ly decomposition needs at least {2 * period + 1} {grain}s; "
            f"{first} … {last} has {len(values)}."
        )
    fit = STL(values.to_numpy(), period=period, robust=True).fit()
    series = pl.DataFrame(
        {
            "date": frame["day"],
            "observed": values,
            "trend": fit.trend,
            "seasonal": fit.seasonal,
            "remainder": fit.resid,
        }
    )
    rows = []
    for occasion in occasions(first, last, session.config.calendar):
        if occasion.kind == Kind.MEMBER_DAY:
            continue  # twelve or more a year: the trend table keeps the calendar's occasions
        day = occasion.day
        day = day if grain == "day" else day - timedelta(days=day.weekday())
        match = series.filter(pl.col("date") == day)
        if match.height:
            observed, trend = float(match["observed"][0]), float(match["trend"][0])
            rows.append(
                {
                    "name": occasion.id,
                    "date": day,
                    "observed": observed,
                    "trend": trend,
                    "ratio": observed / trend if trend else np.nan,
                }
            )
    table = pl.DataFrame(
        rows,
        schema={
            "name": pl.String,
            "date": pl.Date,
            "observed": pl.Float64,
            "trend": pl.Float64,
            "ratio": pl.Float64,
        },
    )
    return Trend(metric, grain, series, table)
