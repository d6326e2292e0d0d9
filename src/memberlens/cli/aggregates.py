"""``memberlens aggregates refresh``: bring the daily aggregates up to date."""

from __future__ import annotations

from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace

aggregates_app = typer.Typer(
    help="Daily aggregates the metrics read instead of the raw orders (日汇总).",
    no_args_is_help=True,
)
app.add_typer(aggregates_app, name="aggregates")


@aggregates_app.command()
def refresh(
    day: Annotated[
        list[str] | None,
        typer.Option("--day", help="Also re-aggregate this day (2025-03-31); repeatable."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Append new days and re-aggregate the days later loads changed (one transaction)."""
    from memberlens.cli import stopping
    from memberlens.cli.render import BarProgress, emit

    ws = open_workspace()
    stopping("the refresh of the daily aggregates")
    result = ws.refresh_aggregates(day or None, progress=BarProgress())
    stopping(None)
    emit([result.to_dict()], fmt, title="Daily aggregates")
