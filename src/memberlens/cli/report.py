"""The report command: HTML and Excel for a period."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import app, open_workspace
from memberlens.cli.render import BarProgress, console


@app.command()
def report(
    period: Annotated[str | None, typer.Option(help="Period (default: latest full month).")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Folder for the files (default: DIR/reports).")
    ] = None,
    models: Annotated[
        bool,
        typer.Option(
            "--models", help="Add the CLV model's check (fit and holdout; ~1 min at 10 M members)."
        ),
    ] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to PDF (A4, needs Chromium).")
    ] = False,
    png: Annotated[
        bool,
        typer.Option("--png", help="Also save the KPI overview as one PNG (for WeChat/DingTalk)."),
    ] = False,
) -> None:
    """Write the report: one self-contained HTML file (charts embedded) and an Excel workbook."""
    from memberlens.report.build import write_report

    ws = open_workspace()
    bar = BarProgress(transient=True)  # drawn on terminals only
    html, xlsx = write_report(ws, period, output, models=models, progress=bar)
    console.print(f"Report: {html}")
    console.print(f"Tables: {xlsx}")
    if pdf or png:
        from memberlens.report import pdf as printer

        if pdf:
            console.print(f"PDF: {printer.write_pdf(html, html.with_suffix('.pdf'))}")
        if png:
            shot = html.with_name(f"{html.stem}-kpis.png")
            console.print(f"KPI image: {printer.write_png(html, shot)}")
