"""Write the report: one self-contained HTML file (charts embedded, opens offline) and an
Excel workbook, from the :class:`~memberlens.report.data.ReportData` of a period."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from memberlens.progress import Progress, Silent
from memberlens.report.data import collect
from memberlens.report.excel import write_workbook
from memberlens.report.html import render_html

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.workspace import Workspace


def write_report(
    ws: Workspace,
    period: str | None = None,
    folder: Path | None = None,
    models: bool = False,
    progress: Progress | None = None,
    alerts: list[Alert] | None = None,
) -> tuple[Path, Path]:
    """Write ``report-<period>.html`` and ``.xlsx`` into ``folder`` (default: DIR/reports);
    ``models`` adds the CLV model's check; ``progress`` hears of each part and file;
    ``alerts``: the alerts of the period's days already detected (a daily run's), shown
    instead of being detected again."""
    from memberlens.report.data import STEPS

    bar = progress or Silent()
    bar.start("Building the report", STEPS + 2, unit="steps")
    try:
        data = collect(ws, period, models, bar, alerts)
        target = folder or ws.root / "reports"
        target.mkdir(parents=True, exist_ok=True)
        stem = f"report-{data.period}".replace("..", "_")
        html_path, xlsx_path = target / f"{stem}.html", target / f"{stem}.xlsx"
        html_path.write_text(render_html(data, generated=datetime.now()), encoding="utf-8")
        bar.update(STEPS + 1)
        write_workbook(data, xlsx_path)
        bar.update(STEPS + 2)
    finally:
        bar.finish()
    return html_path, xlsx_path
