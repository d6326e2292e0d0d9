"""``run-daily``: the day's load, aggregates, alerts, report and delivery (docs/daily.md)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, errors

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

    from memberlens.daily.run import DailyResult, StepResult

MARKS = {
    "ok": "[green]✓[/]",
    "failed": "[red]✗[/]",
    "skipped": "[dim]–[/]",
    "planned": "[cyan]·[/]",
}


class _Steps:
    """Step-by-step progress: a spinner while a step runs (terminals only), one line when
    it ends."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.status: Status | None = None

    def __call__(self, step: StepResult) -> None:
        if step.status == "running":
            # the load draws its own bars; one live display at a time
            if self.out.is_terminal and step.step != "load":
                self.status = self.out.status(f"{step.step} …")
                self.status.start()
            return
        if self.status is not None:
            self.status.stop()
            self.status = None
        seconds = f" [dim]{step.seconds:.1f} s[/]" if step.seconds >= 0.05 else ""
        from rich.markup import escape  # details name [sources] and [alerts]: text, not markup

        self.out.print(f"{MARKS[step.status]} [bold]{step.step}[/]: {escape(step.detail)}{seconds}")
        for item in step.items if step.step in ("load", "delivery") else []:
            self.out.print(f"    {_item(item)}", markup=False, highlight=False)


def _item(item: dict[str, object]) -> str:
    if "channel" in item:
        error = f": {item['error']}" if "error" in item else ""
        return f"{item['channel']}: {item['status']} ({item['alerts']} alert(s)){error}"
    counts = ""
    if "loaded" in item:
        counts = f": loaded {item['loaded']}, quarantined {item['quarantined']}"
    elif "rows" in item:
        counts = f": {item['rows']} row(s) past {item['watermark']} = {item['since']}"
    return f"{item['table']} ← {item['source']} ({item['reason']}){counts}"


@app.command("run-daily")
def run_daily(
    date: Annotated[
        str | None,
        typer.Option(help="The day (default: yesterday in the workspace's timezone)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Say what would load and be sent; change nothing."),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """The morning run: load new files, refresh aggregates, alerts, the day's report, delivery.

    Each step in turn: load the new source files, refresh the daily aggregates, evaluate the
    day's alerts, write the day's report and deliver the alerts (webhook, e-mail). Exit 1
    when a step failed; the next run retries it."""
    from memberlens.cli import stopping
    from memberlens.cli.render import BarProgress
    from memberlens.daily.run import run_daily

    ws = open_workspace()
    out = errors if fmt is not Format.table else console
    stopping("the daily run")
    result: DailyResult = run_daily(
        ws, date, dry_run=dry_run, progress=BarProgress(transient=True), listener=_Steps(out)
    )
    stopping(None)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, default=str) + "\n")
    elif fmt is Format.csv:
        from memberlens.cli.render import emit

        emit([{k: v for k, v in s.to_dict().items() if k != "items"} for s in result.steps], fmt)
    else:
        verdict = "[green]done[/]" if result.ok else "[red]a step failed[/]"
        what = "dry run" if dry_run else "run-daily"
        console.print(f"{what} {result.date.isoformat()}: {verdict}")
    if not result.ok:
        raise typer.Exit(1)
