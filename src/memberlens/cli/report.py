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
) -> None:
    """Write the report: one self-contained HTML file (charts embedded) and an Excel workbook."""
    from memberlens.report.build import write_report

    ws = open_workspace()
    bar = BarProgress(transient=True)  # drawn on terminals only
    bar.start("Building the report", None, unit="steps")
    try:
        html, xlsx = write_report(ws, period, output, models=models)
    finally:
        bar.finish()
    console.print(f"Report: {html}")
    console.print(f"Tables: {xlsx}")
