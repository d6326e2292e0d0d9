"""Rendering results for the terminal: tables, json, csv, and a rich progress bar."""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
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
        table, needed = _table(rows, columns, title)
        if needed > console.width and not console.is_terminal:
            Console(width=needed).print(table)  # a file or pipe: as wide as the table needs
        else:
            console.print(table)


def _table(rows: list[dict[str, Any]], columns: list[str], title: str | None) -> tuple[Table, int]:
    """A Rich table whose figures (and ids) are never broken across lines. On a terminal
    text folds (中文 has no spaces to wrap at) but keeps a few characters, and when even
    that does not fit every column folds; a file or pipe gets whole cells on lines as wide
    as they need (nothing folded, nothing cropped)."""
    table = Table(title=title, show_lines=False, header_style="bold")
    shown: list[dict[str, str | None]] = [
        {c: None if r[c] is None else _cell(r[c]) for c in columns} for r in rows
    ]
    widths = []
    for name in columns:
        values = [r[name] for r in rows if r[name] is not None]
        numeric = bool(values) and all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
        )
        cells = [c for c in (r[name] for r in shown) if c is not None]
        widest = max(map(cell_len, [*cells, name]))
        if numeric or (cells and all(_FIGURE.fullmatch(c) for c in cells)):
            table.add_column(name, justify="right" if numeric else "left", no_wrap=True)
            widths.append(widest)
        elif console.is_terminal:
            table.add_column(name, overflow="fold")
            widths.append(min(widest, TEXT_MIN_WIDTH))
        else:  # a file or pipe: no line is folded
            table.add_column(name, no_wrap=True)
            widths.append(widest)
    needed = sum(widths) + 3 * len(widths) + 1
    if needed <= console.width or not console.is_terminal:
        for column, width in zip(table.columns, widths, strict=True):
            column.min_width = width
    if needed > console.width and console.is_terminal:
        for column in table.columns:
            column.no_wrap, column.overflow = False, "fold"
    for row in shown:
        table.add_row(*["" if row[c] is None else row[c] for c in columns])
    return table, needed


#: A text column folds but is not squeezed below this many cells (four Chinese characters).
TEXT_MIN_WIDTH = 8
#: A formatted figure or id: 2,926,052 · 54.3% · -0.25 · ▲ 3.4% · +1.2 pp · <0.001 ·
#: 2025-03-31 · M00009819 · 138****5678.
_FIGURE = re.compile(r"[<>▲▼+\-−]? ?[A-Z]{0,3}[\d.,:*\-]+ ?(%|pp|‰)?")


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
