"""Anomaly alerts against the planted truth: the double-points day and quiet normal days."""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import memberlens as ml
from memberlens.alerts.detect import _baselines, _spreads, detect, event_days
from memberlens.demo import build_demo
from memberlens.metrics.daily import PARTS


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> ml.Workspace:
    # 20 000 members: about 130 orders a day in 2025, enough for daily series to mean something
    folder: Path = tmp_path_factory.mktemp("alerts") / "demo"
    return build_demo(folder, 20_000).workspace


def test_the_planted_double_points_day_is_found_and_normal_days_stay_quiet(
    program: ml.Workspace,
) -> None:
    import json

    truth = json.loads((program.root / "data" / "truth.json").read_text(encoding="utf-8"))
    planted = {(date.fromisoformat(truth["anomaly"]["date"]), "points_issued")}
    first, last = date(2025, 1, 1), date(2025, 12, 31)
    with program.session() as session:
        alerts = detect(session, first, last)
        events = event_days(session, first, last)
    found = {(a.day, a.metric) for a in alerts}
    recall = len(found & planted) / len(planted)
    precision = len(found & planted) / len(found)
    normal_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    normal_days = [
        d for d in normal_days if d not in events and (d, "points_issued") not in planted
    ]
    alarmed = {a.day for a in alerts} & set(normal_days)
    print(
        f"precision {precision:.2f}, recall {recall:.2f}, "
        f"false-alarm days {len(alarmed)} of {len(normal_days)} normal days"
    )
    assert recall == 1.0
    assert len(alarmed) / len(normal_days) <= 0.01
    [alert] = [a for a in alerts if (a.day, a.metric) in planted]
    assert alert.change == pytest.approx(1.0, abs=0.25)  # points issued roughly doubled
    assert not alert.event_day
    # the drill-down names groups, each of which issued far more than its baseline
    assert alert.contributors
    assert all(c.value > 1.5 * c.expected for c in alert.contributors)


def test_the_drill_down_computes_each_day_and_dimension_once(
    program: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alerts of one day share the day's series by each dimension: the same contributors as
    drilling each alert alone, one computation per day and dimension."""
    import memberlens.alerts.detect as detecting

    first, last = date(2025, 1, 1), date(2025, 12, 31)
    with program.session() as session:
        loose = detecting.Settings(threshold=3.0, min_change=0.2)  # more alerts, some a day
        plain = detect(session, first, last, loose, drill=False)
        # each alone and from every part (the drill-down reads only the moved metrics' parts)
        alone = [detecting._drill(session, a, loose, {}, PARTS) for a in plain]
        calls: list[date] = []
        real = detecting.daily_parts

        def counted(session: Any, start: date, end: date, *rest: Any) -> Any:
            if rest:  # by a dimension: a drill-down
                calls.append(end)
            return real(session, start, end, *rest)

        monkeypatch.setattr(detecting, "daily_parts", counted)
        drilled = detect(session, first, last, loose)
    assert plain and len({a.day for a in plain}) < len(plain)  # some day has two alerts
    by_key = {(a.day, a.metric): a for a in alone}
    assert [a.contributors for a in drilled] == [
        by_key[(a.day, a.metric)].contributors for a in drilled
    ]
    days = {a.day for a in plain}
    assert sorted(calls) == sorted(d for d in days for _ in detecting.DRILL_DIMENSIONS)


def test_holiday_peaks_are_not_alerts(program: ml.Workspace) -> None:
    with program.session() as session:
        alerts = detect(session, date(2025, 11, 1), date(2025, 11, 12), drill=False)
    # 双11 triples orders against normal weeks; compared with last year's 双11 it is ordinary
    assert not [a for a in alerts if a.metric in ("orders", "revenue")]


@pytest.mark.slow
def test_the_golden_week_is_not_an_anomaly_because_it_is_a_holiday(
    program: ml.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import polars as pl

    import memberlens.alerts.detect as detect_module
    from memberlens.dates.calendar import holiday_days

    # real data doubles its orders in the National Day golden week (10-01 … 10-07), every
    # year: copy the program and add one more order beside each golden-week order
    root = tmp_path / "ws"
    shutil.copytree(program.root, root)
    ws = ml.open(root)
    orders = pl.read_parquet(root / "data" / "orders.parquet")
    day = pl.col("ordered_at").dt.date()
    weeks = [(date(y, 10, 1), date(y, 10, 7)) for y in (2024, 2025)]
    extra = orders.filter(pl.any_horizontal([day.is_between(a, b) for a, b in weeks]))
    extra = extra.with_columns((pl.lit("GW-") + pl.col("order_id")).alias("order_id"))
    extra.write_parquet(tmp_path / "golden_week.parquet")
    ws.ingest("orders", tmp_path / "golden_week.parquet")
    first, last = date(2025, 10, 1), date(2025, 10, 7)

    def doubled(ws: ml.Workspace) -> list[date]:
        with ws.session() as s:
            found = detect(s, first, last, drill=False)
        return sorted({a.day for a in found if a.metric == "orders"})

    # the calendar knows the golden week: compared with last year's, the week is ordinary
    assert doubled(ws) == []
    # a calendar without it (the old hand-written one) would flag the week as an anomaly
    golden = {date(y, 10, d) for y in (2024, 2025) for d in range(1, 8)}
    monkeypatch.setattr(
        detect_module, "holiday_days", lambda a, b, s=None: holiday_days(a, b, s) - golden
    )
    assert len(doubled(ws)) >= 3


def _loop_baselines(values: Any, usable: Any, weeks: int, minimum: int) -> Any:
    """The baseline as its definition reads, one day at a time."""
    result = np.full(values.size, np.nan)
    for i in range(values.size):
        refs = [
            values[i - 7 * k]
            for k in range(1, weeks + 1)
            if i - 7 * k >= 0 and usable[i - 7 * k] and not np.isnan(values[i - 7 * k])
        ]
        if len(refs) >= minimum:
            result[i] = float(np.median(refs))
    return result


def _loop_spreads(residual: Any, usable: Any, width: int) -> Any:
    result = np.zeros(residual.size)
    for i in range(residual.size):
        window = [
            residual[j]
            for j in range(max(0, i - width), i)
            if usable[j] and not np.isnan(residual[j])
        ]
        result[i] = 1.4826 * float(np.median(np.abs(window))) if window else 0.0
    return result


@pytest.mark.parametrize("seed", range(6))
def test_baselines_and_spreads_equal_their_day_by_day_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 500))
    values = rng.poisson(40, n).astype(float)
    values[rng.random(n) < 0.1] = np.nan  # days without a value
    usable = rng.random(n) > 0.15  # holidays and campaign days
    weeks, minimum = int(rng.integers(1, 10)), int(rng.integers(0, 6))
    base = _baselines(values, usable, weeks, minimum)
    np.testing.assert_array_equal(base, _loop_baselines(values, usable, weeks, minimum))
    residual = np.log1p(values) - np.log1p(base)
    np.testing.assert_array_equal(
        _spreads(residual, usable, 7 * weeks), _loop_spreads(residual, usable, 7 * weeks)
    )
