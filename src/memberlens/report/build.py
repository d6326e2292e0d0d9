"""Collect everything the monthly report shows, through the Python API (no metric is computed
here), and write it as HTML (charts embedded, opens offline) and as an Excel workbook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from memberlens.dates.periods import Grain, Period
from memberlens.errors import InputError
from memberlens.metrics.catalog import HEADLINE
from memberlens.segments.rfm import SEGMENTS

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.analyses.compare import Comparison
    from memberlens.metrics.goals import GoalReport
    from memberlens.models.clv import ClvResult
    from memberlens.workspace import Workspace

MONTHLY = ("orders", "revenue", "active_members", "repurchase_rate")
POINTS = ("points_issued", "points_redeemed", "points_expired", "points_liability")
CHANNEL = ("buyers", "orders", "revenue", "aov", "repurchase_rate")
MEMBER_SPLIT = ("members_total", "buyers", "revenue", "aov", "repurchase_rate")


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
    tiers: pl.DataFrame  # MEMBER_SPLIT by tier, rows in ladder order, column "label"
    segments: pl.DataFrame  # MEMBER_SPLIT by RFM segment, rows in segment order
    comparison: Comparison | None
    cohorts: pl.DataFrame
    alerts: list[Alert]
    clv: ClvResult | None = None  # with models: fitted to six months before, checked on them
    clv_note: str | None = None  # why the model check is missing, when it is


def collect(ws: Workspace, period: str | None = None, models: bool = False) -> ReportData:
    """Everything the report shows (see :func:`_collect`); values computed once."""
    with ws.cached():
        return _collect(ws, period, models)


def _collect(ws: Workspace, period: str | None, models: bool) -> ReportData:
    """Everything the report shows for ``period`` (default: the latest full month); with
    ``models`` also the CLV model's check: fitted on orders up to six months before the
    period's end and compared with the purchases of those six months."""
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
    clv, clv_note = _clv_check(ws, p.last) if models else (None, None)
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
        tiers=_labelled(
            ws.metrics(list(MEMBER_SPLIT), str(p), by="tier"),
            "tier",
            {level.id: level.name for level in ws.config.tiers.levels},
        ),
        segments=_labelled(
            ws.metrics(list(MEMBER_SPLIT), str(p), by="rfm_segment"),
            "rfm_segment",
            {s.id: (s.zh if ws.config.workspace.language == "zh" else s.en) for s in SEGMENTS},
        ),
        comparison=comparison,
        cohorts=ws.cohorts(cohort_start.isoformat(), end),
        alerts=ws.alerts(p.first.isoformat(), end) if p.grain is not Grain.YEAR else [],
        clv=clv,
        clv_note=clv_note,
    )


def _clv_check(ws: Workspace, last: date) -> tuple[ClvResult | None, str | None]:
    """CLV fitted up to six months before ``last`` and validated on the six months after."""
    calibration_end = _months_before(last, 6)
    try:
        result = ws.clv(calibration_end.isoformat(), holdout_end=last.isoformat())
    except InputError as error:  # too little data for the model: say so in the report
        return None, str(error)
    return result, None


def _months_before(day: date, months: int) -> date:
    """The last day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    first_after = date(index // 12, index % 12 + 1, 1) + timedelta(days=32)
    return first_after.replace(day=1) - timedelta(days=1)


def _labelled(frame: pl.DataFrame, column: str, names: dict[str, str]) -> pl.DataFrame:
    """A split's rows in the order of ``names`` with a display ``label`` (others last)."""
    order = {key: i for i, key in enumerate(names)}
    return (
        frame.with_columns(
            label=pl.col(column).replace_strict(names, default=pl.col(column)),
            rank=pl.col(column).replace_strict(order, default=len(order), return_dtype=pl.Int64),
        )
        .sort("rank", column)
        .drop("rank")
    )


def write_report(
    ws: Workspace, period: str | None = None, folder: Path | None = None, models: bool = False
) -> tuple[Path, Path]:
    """Write ``report-<period>.html`` and ``.xlsx`` into ``folder`` (default: DIR/reports);
    ``models`` adds the CLV model's check."""
    from memberlens.report.html import render_html

    data = collect(ws, period, models)
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
        ("Tiers", data.tiers),
        ("RFM segments", data.segments),
        ("Cohorts", data.cohorts),
        ("Daily", data.daily),
    ]
    for g in data.goals:
        sheets.append((f"Goal {g.goal.id}"[:31], g.indicators))
    if data.comparison is not None:
        sheets.append(("Points users", data.comparison.table))
    sheets.append(("Alerts", _alerts_frame(data.alerts)))
    if data.clv is not None and data.clv.validation is not None:
        sheets.append(("CLV by frequency", data.clv.validation.by_frequency))
        sheets.append(("CLV calibration", data.clv.validation.calibration))
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
