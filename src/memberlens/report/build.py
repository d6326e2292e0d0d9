"""Write the report: one self-contained HTML file (charts embedded, opens offline) and an
Excel workbook, from the :class:`~memberlens.report.data.ReportData` of a period."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from memberlens.report.data import ReportData, collect
from memberlens.report.html import render_html

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.workspace import Workspace


def write_report(
    ws: Workspace, period: str | None = None, folder: Path | None = None, models: bool = False
) -> tuple[Path, Path]:
    """Write ``report-<period>.html`` and ``.xlsx`` into ``folder`` (default: DIR/reports);
    ``models`` adds the CLV model's check."""
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
    if data.experiments:
        sheets.append(("Experiments", _experiments_frame(data.experiments)))
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


def _experiments_frame(readouts: list[dict[str, Any]]) -> pl.DataFrame:
    """Every (experiment, metric, variant) of the read-outs, intervals as low/high columns."""
    rows = []
    for e in readouts:
        for r in e["results"]:
            row = {"experiment_id": e["experiment_id"]}
            for key, value in r.items():
                if isinstance(value, list | tuple):
                    first, second = ("control", "variant") if key == "risk" else ("low", "high")
                    row[f"{key}_{first}"], row[f"{key}_{second}"] = value
                else:
                    row[key] = value
            rows.append(row)
    return pl.DataFrame(rows, infer_schema_length=None)
