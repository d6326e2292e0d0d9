"""Seasonality-aware, holiday-aware anomaly detection on daily series, with drill-down.

For each daily metric and day *d*:

* **baseline** — the median of the same weekday in the ``weeks`` weeks before *d*, leaving
  out holiday and campaign days (so the weekly rhythm is respected and a 双11 week does not
  inflate the baseline);
* **holidays** — on an unusual day of the retail calendar (``dates/calendar.py``: official
  holidays' days off such as the National Day golden week, 调休 working weekends, 618, 双11,
  520, 七夕 …, the program's 会员日) or a campaign day (the campaign and the attribution
  window after it) the expected value is the comparable day a year earlier
  (``same_day_last_year``: the same offset from a lunar festival, else the same date), grown
  by the ratio of the two years' baselines; with no such day there is no alert;
* **scale** — 1.4826 × the median absolute log residual of the usable days in the ``weeks``
  weeks before (a robust standard deviation), never below Poisson noise for counts or
  ``min_scale``, and widened on holiday and campaign days;
* **score** — log((x + 1) / (expected + 1)) / scale.

A day is an anomaly when |score| ≥ ``threshold`` and the value is at least ``min_change`` away
from the expected value (relative). Each alert is drilled down: the groups of each member
dimension whose value moved most against their own baseline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from memberlens.dates.calendar import holiday_days, same_day_last_year
from memberlens.dates.periods import Grain, Period
from memberlens.engine.session import Session
from memberlens.metrics.daily import DAILY, daily_parts, daily_series, parts_of
from memberlens.metrics.dimensions import dimension
from memberlens.metrics.scope import GROUP, Scope

DRILL_DIMENSIONS = ("channel", "city", "store_id", "points_user")
RATIOS = {"aov", "purchase_frequency", "redemption_rate"}


@dataclass(frozen=True)
class Contributor:
    dimension: str
    group: str
    value: float
    expected: float

    @property
    def deviation(self) -> float:
        return self.value - self.expected


@dataclass(frozen=True)
class Alert:
    day: date
    metric: str
    value: float
    expected: float
    score: float
    event_day: bool
    contributors: list[Contributor] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        """Relative change against the expected value (None when that is zero)."""
        return self.value / self.expected - 1 if self.expected else None

    def to_dict(self) -> dict[str, Any]:
        """The alert as a row of ``alerts --format json`` and of the HTTP API."""
        return {
            "day": self.day.isoformat(),
            "metric": self.metric,
            "value": round(self.value, 4),
            "expected": round(self.expected, 4),
            "change": None if self.change is None else round(self.change, 4),
            "score": round(self.score, 2),
            "holiday_or_campaign": self.event_day,
            "contributors": "; ".join(
                f"{c.dimension}={c.group}: {c.value:,.0f} vs {c.expected:,.0f}"
                for c in self.contributors[:3]
            ),
        }


@dataclass(frozen=True)
class Settings:
    threshold: float = 5.0
    min_change: float = 0.3
    weeks: int = 8
    min_scale: float = 0.08
    min_references: int = 4
    event_widening: float = 1.5  # a holiday or campaign day is noisier, even against last year


def event_days(session: Session, first: date, last: date, after_days: int = 7) -> set[date]:
    """The calendar's unusual days (holidays' days off, retail events, 会员日, 调休 working
    weekends) and campaign days (the campaign and ``after_days`` after it)."""
    days = holiday_days(first, last, session.config.calendar)
    c = session.table("campaigns")
    for row in session.arrow(c.select("starts_at", "ends_at")).to_pylist():
        if row["starts_at"] is None:
            continue
        start = row["starts_at"].date()
        end = (row["ends_at"] or row["starts_at"]).date() + timedelta(days=after_days)
        days.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    return {d for d in days if first <= d <= last}


def _wide(series: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """One row per calendar day (missing days filled: counts 0), one column per metric."""
    days = pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)})
    wide = series.pivot(on="metric", index="day", values="value")
    return days.join(wide, on="day", how="left")


def _baselines(values: np.ndarray, usable: np.ndarray, weeks: int, minimum: int) -> np.ndarray:
    """Median of the same weekday in the ``weeks`` weeks before each day (usable days only)."""
    n = values.size
    clean = np.where(usable, values, np.nan)
    lagged = np.full((n, weeks), np.nan)
    for k in range(1, weeks + 1):
        lagged[7 * k :, k - 1] = clean[: max(n - 7 * k, 0)]
    return _median_of_at_least(lagged, minimum)


def _spreads(residual: np.ndarray, usable: np.ndarray, width: int) -> np.ndarray:
    """1.4826 × the median absolute residual of the ``width`` days before each day (usable
    days with a residual only; 0 where there is none)."""
    clean = np.abs(np.where(usable, residual, np.nan))
    padded = np.concatenate([np.full(width, np.nan), clean])
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)[: clean.size]
    spreads: np.ndarray = 1.4826 * np.nan_to_num(_median_of_at_least(windows, 1), nan=0.0)
    return spreads


def _median_of_at_least(rows: np.ndarray, minimum: int) -> np.ndarray:
    """Each row's median over its non-NaN values; NaN for a row with fewer than ``minimum``."""
    count = np.sum(~np.isnan(rows), axis=1)
    result = np.full(rows.shape[0], np.nan)
    enough = count >= max(minimum, 1)
    if enough.any():
        result[enough] = np.nanmedian(rows[enough], axis=1)
    return result


def detect(
    session: Session,
    first: date,
    last: date,
    settings: Settings | None = None,
    drill: bool = True,
) -> list[Alert]:
    """Anomalies of the daily metrics between ``first`` and ``last`` (inclusive)."""
    s = settings or Settings()
    start = first - timedelta(weeks=s.weeks + 53)
    wide = _wide(daily_series(daily_parts(session, start, last)), start, last)
    days = wide["day"].to_list()
    position = {d: i for i, d in enumerate(days)}
    events = event_days(session, start, last, session.config.campaigns.attribution_days)
    usable = np.array([d not in events for d in days])
    alerts: list[Alert] = []
    for metric in DAILY:
        column = wide[metric].cast(pl.Float64)
        if metric not in RATIOS:
            column = column.fill_null(0.0)
        values = column.to_numpy()
        base = _baselines(values, usable, s.weeks, s.min_references)
        residual = np.log1p(values) - np.log1p(base)
        spreads = _spreads(residual, usable, 7 * s.weeks)
        for index, day in enumerate(days):
            if day < first or np.isnan(values[index]) or np.isnan(base[index]):
                continue
            expected = float(base[index])
            event = day in events
            if event:
                # an expected peak: compare with the same day last year, grown like the rest
                earlier = position.get(same_day_last_year(day))
                if earlier is None or np.isnan(values[earlier]) or np.isnan(base[earlier]):
                    continue
                growth = expected / base[earlier] if base[earlier] else np.nan
                if not np.isfinite(growth):
                    continue
                expected = float(values[earlier] * growth)
            spread = float(spreads[index])
            # counts cannot be steadier than Poisson noise allows
            floor = 1 / math.sqrt(expected + 1) if metric not in RATIOS else s.min_scale
            scale = max(spread, floor, s.min_scale) * (s.event_widening if event else 1)
            score = (math.log1p(values[index]) - math.log1p(expected)) / scale
            relative = abs(values[index] / expected - 1) if expected else math.inf
            if abs(score) >= s.threshold and relative >= s.min_change:
                alerts.append(Alert(day, metric, float(values[index]), expected, score, event))
    if drill:
        # the series of a day by a dimension hold the parts of the metrics that moved that
        # day: computed once per day and dimension, whatever number of those metrics
        moved: dict[date, set[str]] = {}
        for a in alerts:
            moved.setdefault(a.day, set()).add(a.metric)
        series: dict[tuple[date, str], pl.DataFrame] = {}
        alerts = [_drill(session, a, s, series, parts_of(moved[a.day])) for a in alerts]
    return sorted(alerts, key=lambda a: (a.day, -abs(a.score)))


def _drill(
    session: Session,
    alert: Alert,
    s: Settings,
    computed: dict[tuple[date, str], pl.DataFrame],
    parts: Sequence[str],
) -> Alert:
    """The groups of each member dimension that moved most on the alert's day
    (``computed``: the day's series by dimension, filled as they are computed from
    ``parts``, those of every metric that moved that day)."""
    start = alert.day - timedelta(weeks=s.weeks)
    period = Period(Grain.DAY, alert.day, alert.day)
    found: list[Contributor] = []
    for name in DRILL_DIMENSIONS:
        key = (alert.day, name)
        if key not in computed:
            by = dimension(name)
            scope = Scope(session, period, by)
            computed[key] = daily_series(daily_parts(session, start, alert.day, by, scope, parts))
        series = computed[key].filter(pl.col("metric") == alert.metric)
        for (group,), rows in series.group_by(GROUP):
            by_day = dict(zip(rows["day"].to_list(), rows["value"].to_list(), strict=True))
            # a count with no row that day is 0 (a store without orders), as the reference
            # days are; a ratio without a denominator has no value
            missing = None if alert.metric in RATIOS else 0.0
            days = [alert.day, *(alert.day - timedelta(weeks=k) for k in range(1, s.weeks + 1))]
            value, *refs = [by_day.get(d, missing) for d in days]
            clean = [float(r) for r in refs if r is not None]
            if value is None or len(clean) < s.min_references:
                continue
            found.append(Contributor(name, str(group), float(value), float(np.median(clean))))
    # largest move first; ties in the order of the dimensions, then by group (the same
    # drill-down on every run, whatever order the engine returned the groups in)
    order = {name: i for i, name in enumerate(DRILL_DIMENSIONS)}
    found.sort(key=lambda c: (-abs(c.deviation), order[c.dimension], c.group))
    return Alert(
        alert.day,
        alert.metric,
        alert.value,
        alert.expected,
        alert.score,
        alert.event_day,
        found[:5],
    )
