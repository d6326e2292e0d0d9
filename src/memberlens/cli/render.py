"""Rendering results for the terminal: tables, json, csv, and a rich progress bar."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from memberlens.cli.app import Format

if TYPE_CHECKING:
    from collections.abc import Mapping

    import polars as pl
    from rich.progress import Progress as RichBar
    from rich.progress import TaskID

    from memberlens.config import Config
    from memberlens.labels import Label

console = Console()
errors = Console(stderr=True)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def emit(frame: pl.DataFrame | list[dict[str, Any]], fmt: Format, title: str | None = None) -> None:
    """Print rows as a table, one JSON document (``{"rows": [...]}``) or CSV.

    Takes a Polars frame or plain rows (plain rows keep ``metrics list`` free of heavy imports).
    """
    rows = frame if isinstance(frame, list) else frame.to_dicts()
    columns = list(rows[0]) if rows else ([] if isinstance(frame, list) else frame.columns)
    if fmt is Format.json:
        plain = [{k: _plain(v) for k, v in row.items()} for row in rows]
        sys.stdout.write(json.dumps({"rows": plain}, ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _plain(v) for k, v in row.items()} for row in rows)
    else:
        table = Table(title=title, show_lines=False, header_style="bold")
        for name in columns:
            numeric = (
                bool(rows)
                and all(
                    isinstance(r[name], int | float | Decimal) and not isinstance(r[name], bool)
                    for r in rows
                    if r[name] is not None
                )
                and any(r[name] is not None for r in rows)
            )
            # fold, not "…": 中文 has no spaces to wrap at, and no cell is cut short
            table.add_column(name, justify="right" if numeric else "left", overflow="fold")
        for row in rows:
            table.add_row(*["" if row[c] is None else _cell(row[c]) for c in columns])
        console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(_plain(value))


class BarProgress:
    """A :class:`memberlens.progress.Progress` drawn with rich on stderr.

    ``transient`` bars disappear when their task ends (the caller prints a summary instead).
    """

    def __init__(self, transient: bool = False) -> None:
        self.transient = transient
        self._bar: RichBar | None = None
        self._task: TaskID | None = None

    def start(self, description: str, total: int | None, unit: str = "rows") -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        if not errors.is_terminal:  # no bars in logs and pipes
            return
        count = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            count,
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=errors,
            transient=self.transient,
        )
        self._bar.start()
        self._task = self._bar.add_task(description, total=total)

    def update(self, done: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done)

    def finish(self) -> None:
        if self._bar is not None and self._task is not None:
            total = self._bar.tasks[0].total
            if total is not None:
                self._bar.update(self._task, completed=total)
            self._bar.stop()
        self._bar = None


NoBomOption = Annotated[
    bool,
    typer.Option(
        "--no-bom",
        help="Write .csv without the UTF-8 byte order mark (kept by default so Excel reads 中文).",
    ),
]


def write_frame(frame: Any, path: Path, *, bom: bool = True) -> None:
    """Write a frame to .csv (with a UTF-8 BOM unless ``bom`` is False), .parquet or .xlsx
    (chosen by the suffix) and say so."""
    from memberlens.engine.output import write_frame as write

    console.print(f"Wrote {write(frame, path, bom=bom):,} rows to {path}")


def number_cell(value: float | None, unit: str) -> str:
    """A value in its unit for a Rich cell ("no data" dimmed when missing)."""
    from memberlens.formatting import number

    return number(value, unit, empty="[dim]no data[/]")


def change_cell(value: float | None, direction: str, unit: str) -> str:
    """A 环比/同比 change coloured by whether it is good for the metric's direction."""
    from memberlens.formatting import change, tone

    colour = {"good": "green", "bad": "red", "neutral": "dim"}[tone(value, direction)]
    return f"[{colour}]{change(value, unit)}[/]"


def vocabulary(config: Config) -> dict[str, Mapping[str, Label]]:
    """Column → (id → label) for the tables (:func:`memberlens.workspace.names.vocabulary`)."""
    from memberlens.workspace.names import vocabulary as words

    return words(config)


def readable(
    frame: pl.DataFrame | list[dict[str, Any]],
    language: str,
    words: Mapping[str, Mapping[str, Label]],
    columns: Mapping[str, Label] | None = None,
) -> list[dict[str, Any]]:
    """Rows for a readable table in ``language``: headers from :data:`labels.HEADERS` (and
    ``columns``, e.g. tier ids pivoted into columns), ids in the columns of ``words`` as their
    labels. JSON and CSV keep the ids (DESIGN §9); only the table is translated."""
    from memberlens.labels import header

    rows = frame if isinstance(frame, list) else frame.to_dicts()
    extra = columns or {}

    def head(name: str) -> str:
        return extra[name](language) if name in extra else header(name, language)

    def cell(name: str, value: Any) -> Any:
        found = words.get(name, {}).get(value) if isinstance(value, str) else None
        return value if found is None else found(language)

    return [{head(k): cell(k, v) for k, v in row.items()} for row in rows]
