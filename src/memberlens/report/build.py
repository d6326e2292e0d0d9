"""Collect everything the monthly report shows, through the Python API (no metric is computed
here), and write it as HTML (charts embedded, opens offline) and as an Excel workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from memberlens.errors import InputError
from memberlens.metrics.catalog import HEADLINE
from memberlens.metrics.periods import Grain, Period

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.analyses.compare import Comparison
    from memberlens.metrics.goals import GoalReport
    from memberlens.workspace import Workspace

MONTHLY = ("orders", "revenue", "active_members", "repurchase_rate")
POINTS = ("points_issued", "points_redeemed", "points_expired", "points_liability")
CHANNEL = ("buyers", "orders", "revenue", "aov", "repurchase_rate")


@dataclass
class ReportData:
    period: Period
    language: str
    data_range: tuple[date, date]
    kpis: pl.DataFrame
    monthly: pl.DataFrame
    daily: pl.DataFrame
    points: pl.DataFrame
    goals: list[GoalReport]
    channels: pl.DataFrame
    comparison: Comparison | None
    cohorts: pl.DataFrame
    alerts: list[Alert]


def collect(ws: Workspace, period: str | None = None) -> ReportData:
    """Everything the report shows for ``period`` (default: the latest full month)."""
    from memberlens.alerts.daily import daily_parts
    from memberlens.metrics.evaluate import data_range

    with ws.engine() as backend:
        span = data_range(backend)
        p = ws.resolve_period(backend, period)
        if span is None:
            raise InputError("The workspace has no orders yet; load some before a report.")
        months_back = (p.first.replace(day=1) - timedelta(days=365)).replace(day=1)
        daily = daily_parts(backend, months_back, p.last).select("day", "orders", "revenue")
    start, end = months_back.isoformat(), p.last.isoformat()
    kpis = ws.summary(list(HEADLINE), str(p))
    monthly = ws.metrics(list(MONTHLY), start=start, end=end, grain="month")
    points = ws.metrics(list(POINTS), start=start, end=end, grain="month")
    comparison = None
    try:
        comparison = ws.compare("points_user", str(p))
    except InputError:
        comparison = None  # one of the groups has no buyers this period
    cohort_start = (p.first.replace(day=1) - timedelta(days=330)).replace(day=1)
    return ReportData(
        period=p,
        language=ws.config.workspace.language,
        data_range=span,
        kpis=kpis,
        monthly=monthly,
        daily=daily,
        points=points,
        goals=ws.goals([], str(p)),
        channels=ws.metrics(list(CHANNEL), str(p), by="channel"),
        comparison=comparison,
        cohorts=ws.cohorts(cohort_start.isoformat(), end),
        alerts=ws.alerts(p.first.isoformat(), end) if p.grain is not Grain.YEAR else [],
    )


def write_report(
    ws: Workspace, period: str | None = None, folder: Path | None = None
) -> tuple[Path, Path]:
    """Write ``report-<period>.html`` and ``.xlsx`` into ``folder`` (default: DIR/reports)."""
    from memberlens.report.html import render_html

    data = collect(ws, period)
    target = folder or ws.root / "reports"
    target.mkdir(parents=True, exist_ok=True)
    stem = f"report-{data.period}".replace("..", "_")
    html_path, xlsx_path = target / f"{stem}.html", target / f"{stem}.xlsx"
    html_path.write_text(render_html(data, generated=datetime.now()), encoding="utf-8")
    write_workbook(data, xlsx_path)
    return html_path, xlsx_path


def write_workbook(data: ReportData, path: Path) -> None:
    """The report's tables, one sheet each."""
    import xlsxwriter

    sheets: list[tuple[str, pl.DataFrame]] = [
        ("KPIs", data.kpis),
        ("Monthly", data.monthly),
        ("Points", data.points),
        ("Channels", data.channels),
        ("Cohorts", data.cohorts),
        ("Daily", data.daily),
    ]
    for g in data.goals:
        sheets.append((f"Goal {g.goal.id}"[:31], g.indicators))
    if data.comparison is not None:
        sheets.append(("Points users", data.comparison.table))
    sheets.append(("Alerts", _alerts_frame(data.alerts)))
    with xlsxwriter.Workbook(path) as book:
        for name, frame in sheets:
            # NaN and infinity are not numbers a spreadsheet cell can hold: leave them empty
            clean = frame.with_columns(
                pl.when(pl.col(pl.Float64).is_finite()).then(pl.col(pl.Float64))
            )
            clean.write_excel(workbook=book, worksheet=name, autofit=True)


def _alerts_frame(alerts: list[Alert]) -> pl.DataFrame:
    rows: list[dict[str, Any]] = [
        {
            "day": a.day,
            "metric": a.metric,
            "value": a.value,
            "expected": a.expected,
            "change": a.change,
            "score": a.score,
            "holiday_or_campaign": a.event_day,
            "contributors": "; ".join(f"{c.dimension}={c.group}" for c in a.contributors[:3]),
        }
        for a in alerts
    ]
    schema = {
        "day": pl.Date,
        "metric": pl.String,
        "value": pl.Float64,
        "expected": pl.Float64,
        "change": pl.Float64,
        "score": pl.Float64,
        "holiday_or_campaign": pl.Boolean,
        "contributors": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
