"""``run-daily``: load → aggregates → alerts → report → delivery for one day (DESIGN §15).

Each step runs only when the steps before it succeeded; the first failure is reported,
the later steps are skipped and the run is not ok (the command exits 1). What succeeded is
remembered (files loaded, deliveries sent), so the next run for the date retries only what
is left. Nothing here prints: a ``listener`` hears each step begin and end.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from memberlens.daily import deliver, sources
from memberlens.daily.state import DeliveryLog, SourceState, exclusive
from memberlens.progress import Progress, Silent

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.workspace import Workspace

Status = Literal["running", "ok", "failed", "skipped", "planned"]
STEPS = ("load", "aggregates", "alerts", "report", "delivery")
#: the day's figures the delivery shows (daily metrics of the catalog)
KPIS = ("orders", "revenue", "buyers", "new_members", "aov", "points_issued", "points_redeemed")


@dataclass
class StepResult:
    """One step: ``ok``, ``failed`` (``detail`` says why), ``skipped`` (an earlier step
    failed, or nothing to do there), or ``planned`` (a dry run: ``items`` say what)."""

    step: str
    status: Status
    detail: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "status": self.status,
            "detail": self.detail,
            "items": self.items,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class DailyResult:
    """What a daily run did, step by step; ``ok`` when no step failed."""

    date: date
    dry_run: bool
    steps: list[StepResult] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" for s in self.steps)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.step == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "dry_run": self.dry_run,
            "ok": self.ok,
            "steps": [s.to_dict() for s in self.steps],
        }


Listener = Callable[[StepResult], None]


def default_date(ws: Workspace) -> date:
    """Yesterday in the business timezone: a morning run reports the day that just ended."""
    return datetime.now(ZoneInfo(ws.config.workspace.timezone)).date() - timedelta(days=1)


def parse_date(value: str | date | None, ws: Workspace) -> date:
    if value is None:
        return default_date(ws)
    if isinstance(value, date):
        return value
    from memberlens.workspace.parse import day

    return day(value, parameter="date")


def run_daily(
    ws: Workspace,
    date: str | date | None = None,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    listener: Listener | None = None,
) -> DailyResult:
    """Run the day's steps for ``date`` (default: yesterday in the business timezone).

    ``dry_run`` changes nothing: it lists the files and queries that would load and the
    deliveries that would be sent (alerts evaluated on the warehouse as it is)."""
    day = parse_date(date, ws)
    runner = _Run(ws, day, dry_run, progress or Silent(), listener or (lambda step: None))
    if dry_run:
        return runner.run()
    with exclusive(ws.root):
        return runner.run()


class _Run:
    def __init__(
        self, ws: Workspace, day: date, dry_run: bool, progress: Progress, listener: Listener
    ) -> None:
        self.ws, self.day, self.dry_run = ws, day, dry_run
        self.progress, self.listener = progress, listener
        self.result = DailyResult(day, dry_run)
        self.loads: list[dict[str, Any]] = []
        self.report: dict[str, str] = {}

    def run(self) -> DailyResult:
        steps: dict[str, Callable[[StepResult], None]] = {
            "load": self.load,
            "aggregates": self.aggregates,
            "alerts": self.alerts,
            "report": self.write_report,
            "delivery": self.delivery,
        }
        for name in STEPS:
            step = StepResult(name, "running")
            self.result.steps.append(step)
            if not self.result.ok:
                step.status, step.detail = "skipped", "an earlier step failed"
                self.listener(step)
                continue
            self.listener(step)
            clock = time.perf_counter()
            try:
                steps[name](step)
            except Exception as error:  # reported as the step's failure, never lost
                step.status = "failed"
                step.detail = _reason(error)
            if step.status == "running":
                step.status = "planned" if self.dry_run else "ok"
            step.seconds = time.perf_counter() - clock
            self.listener(step)
        return self.result

    # -- the steps -------------------------------------------------------------------------

    def load(self, step: StepResult) -> None:
        if not self.ws.config.sources:
            step.status, step.detail = "skipped", "no [sources.<table>] in memberlens.toml"
            return
        state = SourceState.read(self.ws.root)
        todo = sources.pending(self.ws.config, self.ws.root, state)
        if self.dry_run:
            step.items = [p.describe() for p in todo]
            step.detail = f"{len(todo)} source(s) would load" if todo else "nothing new"
            return
        for item in todo:
            entry = item.describe()
            step.items.append(entry)
            result = self._ingest(item)
            entry.update(
                loaded=result.loaded, replaced=result.replaced, quarantined=result.quarantined
            )
            if isinstance(item, sources.PendingFile):
                fingerprint = {**item.fingerprint(), "load_id": result.load_id}
                state.remember_file(item.table, item.name, fingerprint)
            else:
                state.remember_watermark(item.table, item.upper, result.rows_read)
            self.loads.append(entry)
        rows = sum(e["loaded"] for e in self.loads)
        step.detail = f"{len(todo)} source(s), {rows} row(s) loaded" if todo else "nothing new"

    def _ingest(self, item: sources.Pending) -> Any:
        source = self.ws.config.sources[item.table]
        if isinstance(item, sources.PendingFile):
            return self.ws.ingest(
                item.table,
                item.path,
                mapping=source.mapping,
                encoding=source.encoding or "auto",
                sheet=source.sheet if source.sheet is not None else 0,
                decimal=source.decimal,
                progress=self.progress,
            )
        return self.ws.ingest(
            item.table,
            item.url,
            mapping=source.mapping,
            query=item.sql,
            decimal=source.decimal,
            progress=self.progress,
        )

    def aggregates(self, step: StepResult) -> None:
        step.status, step.detail = refresh_aggregates(self.ws, self.day, self.loads, self.dry_run)

    def alerts(self, step: StepResult) -> None:
        from memberlens.facts.coverage import has_orders

        text = self.day.isoformat()
        with self.ws.session() as session:
            empty = not has_orders(session)
        if empty:  # nothing to compare the day with (a dry run before the first load)
            step.detail = "no paid member orders in the warehouse yet: no alerts"
            return
        self.result.alerts = self.ws.analyses.alerts(text, text)
        step.items = [a.to_dict() for a in self.result.alerts]
        step.detail = f"{len(self.result.alerts)} alert(s) on {text}"
        if self.dry_run and self.loads == [] and self.result.step("load").items:
            step.detail += " (on the warehouse as it is, before the new sources)"

    def write_report(self, step: StepResult) -> None:
        folder = self.ws.root / "reports"
        if self.dry_run:
            step.detail = f"would write {folder}/report-{self.day.isoformat()}.html and .xlsx"
            return
        # the alerts step (it ran: steps run only after their predecessors succeeded) found
        # the day's alerts; the report shows them, not detects them again
        html, xlsx = write_day_report(self.ws, self.day, self.result.alerts)
        self.report = {"html": _relative(html, self.ws.root), "xlsx": _relative(xlsx, self.ws.root)}
        step.items = [self.report]
        step.detail = f"wrote {self.report['html']} and {self.report['xlsx']}"

    def delivery(self, step: StepResult) -> None:
        settings = self.ws.config.alerts
        if not settings.channels:
            step.status, step.detail = "skipped", "no [alerts] webhook_url or smtp_host"
            return
        if settings.send == "alerts" and not self.result.alerts:
            step.status, step.detail = "skipped", "no alerts (and [alerts] send = 'alerts')"
            return
        message = self._message()
        log = DeliveryLog.read(self.ws.root)
        failures = []
        for channel in settings.channels:
            key = message.key(channel)
            item: dict[str, Any] = {"channel": channel, "alerts": len(message.alerts)}
            step.items.append(item)
            if log.sent(key):
                item["status"] = "already sent"
                continue
            if self.dry_run:
                item["status"] = "would send"
                continue
            try:
                deliver.send(channel, message, settings)
            except Exception as error:
                item["status"], item["error"] = "failed", _reason(error)
                failures.append(f"{channel}: {item['error']}")
                continue
            log.record(
                key,
                {
                    "date": self.day.isoformat(),
                    "channel": channel,
                    "alerts": len(message.alerts),
                    "digest": message.digest,
                },
            )
            item["status"] = "sent"
        if failures:
            step.status, step.detail = "failed", "; ".join(failures)
            return
        counts = [f"{i['channel']} {i['status']}" for i in step.items]
        step.detail = ", ".join(counts)

    def _message(self) -> deliver.Message:
        language = self.ws.config.workspace.language
        return deliver.Message(
            day=self.day,
            workspace=self.ws.root.resolve().name,
            language=language,
            alerts=deliver.alert_rows(self.result.alerts, language),
            kpis=self._kpis(language),
            report=self.report,
        )

    def _kpis(self, language: str) -> list[dict[str, Any]]:
        from memberlens.metrics.catalog import metric

        with warnings.catch_warnings():  # a day without data: the values are null, say so
            warnings.simplefilter("ignore")
            frame = self.ws.metrics(list(KPIS), period=self.day.isoformat())
        return [
            {
                "metric": row["metric"],
                "name": metric(row["metric"]).name(language),
                "value": row["value"],
            }
            for row in frame.to_dicts()
        ]


# -- the adapter points to other areas ---------------------------------------------------


def refresh_aggregates(
    ws: Workspace, day: date, loads: list[dict[str, Any]], dry_run: bool
) -> tuple[Status, str]:
    """Refresh the daily aggregates (DESIGN §15): the refresh itself finds the days the
    loads added or changed (docs/aggregates.md), and the run's own day is redone in any case.
    A dry run only says so."""
    del loads  # the refresh compares the warehouse with what it aggregated, load by load
    if dry_run:
        return "ok", f"would refresh the daily aggregates (new and changed days, and {day})"
    done = ws.refresh_aggregates([day.isoformat()])
    what = "rebuilt" if done.rebuilt else f"{len(done.days)} day(s), {len(done.months)} month(s)"
    return "ok", f"aggregates refreshed: {what} in {done.seconds:.1f} s"


def write_day_report(
    ws: Workspace, day: date, alerts: list[Alert] | None = None
) -> tuple[Path, Path]:
    """The day's report (HTML and Excel in DIR/reports), by the report's own builder
    (``alerts``: the day's, when already detected)."""
    from memberlens.report.build import write_report

    return write_report(ws, day.isoformat(), alerts=alerts)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _reason(error: BaseException) -> str:
    from memberlens.errors import MemberlensError

    text = str(error).strip() or type(error).__name__
    return text if isinstance(error, MemberlensError) else f"{type(error).__name__}: {text}"
