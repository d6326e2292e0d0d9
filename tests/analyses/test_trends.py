"""Seasonal decomposition recovers the planted calendar of the demo program."""

from datetime import date

import polars as pl
import pytest

import memberlens as ml
from memberlens.analyses.trends import decompose


def test_daily_orders_show_the_planted_weekday_rhythm_and_peaks(demo_ws: ml.Workspace) -> None:
    with demo_ws.session() as session:
        trend = decompose(session, "orders", date(2024, 1, 1), date(2025, 12, 31))
    weekday = (
        trend.series.group_by(pl.col("date").dt.weekday())
        .agg(pl.col("seasonal").mean())
        .sort("seasonal")
    )
    # planted weekday multipliers: Saturday 1.16 the highest, Tuesday 0.90 the lowest
    assert weekday["date"][-1] == 6
    assert weekday["date"][0] in (1, 2)
    peaks = {(r["name"], r["date"].year): r["ratio"] for r in trend.peaks.iter_rows(named=True)}
    # 双11 is planted at 3.2× and 618 at 2.6× the normal level on the day; with 3,000
    # members a day has about 20 orders, so only clear margins are asserted
    assert peaks[("double11", 2025)] > 2.0
    assert peaks[("618", 2025)] > 1.2
    assert trend.series["trend"][-1] > trend.series["trend"][0]  # the program grows


def test_weekly_series_use_whole_weeks_and_refuse_distinct_counts(demo_ws: ml.Workspace) -> None:
    with demo_ws.session() as session:
        weekly = decompose(session, "revenue", date(2023, 1, 1), date(2025, 12, 31), "week")
        assert weekly.series["date"].dt.weekday().unique().to_list() == [1]
        assert weekly.series["date"][-1] == date(2025, 12, 22)  # the last whole week
        with pytest.raises(ml.InputError, match="has no weekly series"):
            decompose(session, "buyers", date(2023, 1, 1), date(2025, 12, 31), "week")
        with pytest.raises(ml.InputError, match="needs at least 15 days"):
            decompose(session, "orders", date(2025, 12, 1), date(2025, 12, 10))
