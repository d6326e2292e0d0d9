"""The one adapter between the service and the analytics (DESIGN §14).

Every call into memberlens goes through a :class:`Queries`: it calls public
:class:`~memberlens.workspace.Workspace` methods, turns results into plain JSON rows, and
caches them per **data version** — the load log's last id and the config file's mtime.
The service computes nothing itself.

A DuckDB file admits no reader while it is written (DESIGN §11). The data version is read
with a read-only connection that does not wait, and only when the warehouse file changed
since the last look (one ``stat``), so cached answers cost no connection at all. When the
writer holds the file, a request is answered from the cache of the last version; without a
cached answer it waits :data:`RETRY_SECONDS` for the load to finish, then raises
:class:`ServiceBusy` (the API answers 503 with ``Retry-After``).

Loads started through the API run in this process; a gate keeps readers out while they
write (DuckDB refuses a writer beside this process's own readers).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from memberlens.errors import InputError, MemberlensError, WarehouseBusyError, unknown_choice

if TYPE_CHECKING:
    import polars as pl

    from memberlens.alerts.detect import Alert
    from memberlens.ingest.load import IngestResult
    from memberlens.workspace import Workspace

Rows = list[dict[str, Any]]
T = TypeVar("T")
RETRY_SECONDS = 2.0
CACHE_ENTRIES = 512


class ServiceBusy(MemberlensError, RuntimeError):
    """The warehouse is being written and there is no cached answer; retry shortly."""

    retry_after = 5


def plain(value: Any) -> Any:
    """A value JSON can carry: dates as ISO text, Decimal as float, NaN as None."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def rows(frame: pl.DataFrame) -> Rows:
    return [{k: plain(v) for k, v in r.items()} for r in frame.to_dicts()]


class Gate:
    """Many readers or one writer, inside this process; a waiting writer stops new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self.writing = False

    @contextmanager
    def read(self, timeout: float) -> Iterator[None]:
        with self._cond:
            if not self._cond.wait_for(lambda: not self.writing, timeout):
                raise WarehouseBusyError("A load is running.")
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self.writing)
            self.writing = True
            self._cond.wait_for(lambda: self._readers == 0)
        try:
            yield
        finally:
            with self._cond:
                self.writing = False
                self._cond.notify_all()


class Queries:
    """Cached, lock-aware calls into one workspace."""

    def __init__(self, root: Path) -> None:
        from memberlens.workspace import open as open_workspace

        self.ws: Workspace = open_workspace(root)
        self.root = self.ws.root
        self.gate = Gate()
        self._cache: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[tuple[Any, ...], threading.Lock] = {}
        self._stat: tuple[Any, ...] | None = None
        self._version: Any = None
        self.language = self.ws.config.workspace.language

    # -- data version and cache ---------------------------------------------------------------
    def _file_stat(self) -> tuple[Any, ...]:
        out: list[Any] = []
        for path in (
            self.ws.warehouse_path,
            self.ws.warehouse_path.with_name(self.ws.warehouse_path.name + ".wal"),
            self.root / "memberlens.toml",
        ):
            try:
                s = path.stat()
                out.append((s.st_mtime_ns, s.st_size))
            except FileNotFoundError:
                out.append(None)
        return tuple(out)

    def version(self) -> Any:
        """The data version (:meth:`Workspace.data_version` and the config file's mtime), or
        None while a writer holds the warehouse."""
        stat = self._file_stat()
        if stat == self._stat and self._version is not None:
            return self._version
        if self.gate.writing:
            return None
        try:
            with self.gate.read(0.0):
                current = (self.ws.data_version(), stat[2])
        except WarehouseBusyError:
            return None
        if stat == self._file_stat():  # unchanged while we looked: keep it for the next look
            self._stat, self._version = stat, current
        return current

    def _stale(self, key: tuple[Any, ...]) -> tuple[bool, Any]:
        with self._lock:
            if key in self._cache:
                return True, self._cache[key][1]
        return False, None

    def run(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()``'s answer for ``key`` at the current data version, cached."""
        version = self.version()
        if version is None:
            found, stale = self._stale(key)
            if found:
                return cast(T, stale)
            deadline = time.monotonic() + RETRY_SECONDS
            while version is None and time.monotonic() < deadline:
                time.sleep(0.1)
                version = self.version()
            if version is None:
                raise ServiceBusy(
                    "A data load is running and this answer is not cached yet; retry in a "
                    "few seconds."
                )
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[0] == version:
                self._cache.move_to_end(key)
                return cast(T, hit[1])
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:  # one computation per key; the others wait for it
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None and hit[0] == version:
                    return cast(T, hit[1])
            try:
                with self.gate.read(RETRY_SECONDS):
                    value = compute()
            except WarehouseBusyError:
                found, stale = self._stale(key)
                if found:
                    return cast(T, stale)
                raise ServiceBusy("A data load is running; retry in a few seconds.") from None
            with self._lock:
                self._cache[key] = (version, value)
                self._cache.move_to_end(key)
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
                self._flights.pop(key, None)
            return value

    # -- the catalog (no warehouse) -------------------------------------------------------
    @staticmethod
    def catalog() -> Rows:
        """The rows of ``metrics list --format json``."""
        from memberlens.metrics.catalog import METRICS
        from memberlens.workspace import load_catalog

        load_catalog()
        return [m.to_dict() for m in METRICS]

    @staticmethod
    def dimensions() -> Rows:
        from memberlens.metrics.dimensions import DIMENSIONS
        from memberlens.workspace import load_dimensions

        load_dimensions()  # tier, rfm_segment and churn_risk register themselves on import

        return [
            {"id": d.id, "中文": d.zh, "name": d.en, "definition": d.definition}
            for d in DIMENSIONS.values()
        ]

    @staticmethod
    def check_ids(ids: list[str], parameter: str = "ids") -> list[str]:
        from memberlens.metrics.catalog import CATALOG

        for metric_id in ids:
            if metric_id not in CATALOG:
                raise unknown_choice(
                    "metric", metric_id[:80], CATALOG, "See GET /api/v1/catalog.", parameter
                )
        return ids

    @staticmethod
    def check_dimension(by: str, parameter: str = "by") -> str:
        from memberlens.metrics.dimensions import DIMENSIONS

        if by not in DIMENSIONS:
            raise unknown_choice("dimension", by[:80], DIMENSIONS, parameter=parameter)
        return by

    @staticmethod
    def check_period(period: str, parameter: str = "period") -> str:
        from memberlens.dates.periods import parse_period

        try:
            return str(parse_period(period))
        except InputError as error:
            raise InputError(str(error), parameter=parameter, value=period[:80]) from None

    # -- metrics ------------------------------------------------------------------------------
    def lang(self, language: str | None) -> str:
        """``language`` checked (zh or en), the workspace's when None."""
        return self.ws.language_config(language).workspace.language

    def metrics(
        self,
        ids: list[str],
        period: str | None,
        by: str | None,
        compare: bool,
        language: str | None = None,
    ) -> Rows:
        """As ``metrics IDS --period P [--by DIM] [--compare] --format json``; names in
        ``language`` (default: the workspace's)."""
        if by is None and (compare or period is None):
            lang = self.lang(language)
            return self.run(
                ("summary", tuple(ids), period, lang),
                lambda: rows(self.ws.summary(ids, period, language=lang)),
            )
        return self.run(
            ("metrics", tuple(ids), period, by),
            lambda: rows(self.ws.metrics(ids, period, by=by)),
        )

    def series(self, ids: list[str], start: str, end: str, grain: str) -> Rows:
        return self.run(
            ("series", tuple(ids), start, end, grain),
            lambda: rows(self.ws.metrics(ids, start=start, end=end, grain=grain)),
        )

    def data_range(self) -> tuple[str, str] | None:
        """First and last day with a paid member order (ISO), None for an empty warehouse."""
        from memberlens.facts.coverage import data_range

        def compute() -> tuple[str, str] | None:
            with self.ws.session() as s:
                span = data_range(s)
            return None if span is None else (span[0].isoformat(), span[1].isoformat())

        value: tuple[str, str] | None = self.run(("data_range",), compute)
        return value

    # -- members ------------------------------------------------------------------------------
    def rfm(self, as_of: str, summary: bool, language: str | None = None) -> Rows:
        lang = self.lang(language)
        if summary:
            return self.run(
                ("rfm_summary", as_of, lang),
                lambda: rows(self.ws.segments.rfm_summary(as_of, language=lang)),
            )
        return self.run(
            ("rfm", as_of, lang), lambda: rows(self.ws.segments.rfm(as_of, language=lang))
        )

    def tiers(self, as_of: str, summary: bool, language: str | None = None) -> Rows:
        if not summary:
            return self.run(("tiers", as_of), lambda: rows(self.ws.tiers(as_of)))
        lang = self.lang(language)
        return self.run(
            ("tiers_summary", as_of, lang),
            lambda: rows(self.ws.tier_summary(as_of, language=lang)),
        )

    def tier_migration(self, start: str, end: str, language: str | None = None) -> Rows:
        """Members by tier held on ``start`` × on ``end`` (from, from_name, to, to_name,
        members)."""
        lang = self.lang(language)
        return self.run(
            ("tier_migration", start, end, lang),
            lambda: rows(self.ws.program.tier_migration(start, end, language=lang)),
        )

    def value(self, as_of: str, language: str | None = None) -> dict[str, Any]:
        """The value × loyalty matrix and the value tiers as of ``as_of``."""
        lang = self.lang(language)

        def compute() -> dict[str, Any]:
            report = self.ws.segments.value(as_of, language=lang)
            return {
                "scored": report.scored,
                "revenue": plain(report.revenue),
                "matrix": rows(report.matrix),
                "tiers": rows(report.tiers),
            }

        value: dict[str, Any] = self.run(("value", as_of, lang), compute)
        return value

    def scores(self, kind: str) -> dict[str, Any] | None:
        """The histogram of the saved CLV or churn scores (None: not saved yet)."""
        value: dict[str, Any] | None = self.run(
            ("scores", kind), lambda: plain(self.ws.models.score_distribution(kind))
        )
        return value

    def lookup(self, text: str, whole_phone: bool) -> dict[str, Any]:
        """Members by id, masked phone or (``whole_phone``) whole phone; phones whole."""
        value: dict[str, Any] = self.run(
            ("lookup", text, whole_phone),
            lambda: plain(self.ws.models.lookup(text, whole_phone=whole_phone)),
        )
        return value

    def tier_names(self, language: str | None = None) -> dict[str, str]:
        """Tier id → the level's name in ``language`` (the config's ``name`` / ``name_en``)."""
        lang = self.lang(language)
        return {level.id: level.label(lang) for level in self.ws.config.tiers.levels}

    def tier_ids(self) -> list[str]:
        return [level.id for level in self.ws.config.tiers.levels]

    def member(self, member_id: str, language: str | None = None) -> dict[str, Any]:
        """The profile of ``members/{id}`` with the member's phone (whole: mask below admin)."""
        lang = self.lang(language)

        def compute() -> dict[str, Any]:
            document = plain(self.ws.models.member(member_id, language=lang).to_dict())
            with self.ws.session() as s:
                m = s.table("members")
                found = s.rows(m.filter(m.member_id == member_id).select("phone").limit(1))
            document["phone"] = found[0]["phone"] if found else None
            return document  # type: ignore[no-any-return]

        value: dict[str, Any] = self.run(("member", member_id, lang), compute)
        return value

    def members_of(self, by: str, group: str, as_of: str, language: str | None = None) -> Rows:
        """The members of one tier or RFM segment as of ``as_of`` (phones masked)."""
        from memberlens.segments.targets import TargetRule

        if by == "tier":
            rule = TargetRule(tiers=(group,))
        elif by == "rfm_segment":
            rule = TargetRule(segments=(group,))
        else:
            raise unknown_choice("member-list dimension", by, ["tier", "rfm_segment"], "", "by")
        lang = self.lang(language)
        return self.run(
            ("members_of", by, group, as_of, lang),
            lambda: rows(self.ws.segments.targets(as_of, rule, language=lang)),
        )

    def cohorts(self, start: str, end: str) -> Rows:
        return self.run(("cohorts", start, end), lambda: rows(self.ws.analyses.cohorts(start, end)))

    # -- points ------------------------------------------------------------------------------
    def breakage(self, as_of: str) -> dict[str, Any]:
        def compute() -> dict[str, Any]:
            result = self.ws.points.breakage(as_of)
            return {"summary": plain(result.summary()), "rows": rows(result.by_age)}

        value: dict[str, Any] = self.run(("breakage", as_of), compute)
        return value

    def vintages(self, as_of: str) -> Rows:
        return self.run(("vintages", as_of), lambda: rows(self.ws.points.vintages(as_of)))

    # -- alerts --------------------------------------------------------------------------------
    def alert_list(self, start: str, end: str) -> list[Alert]:
        """The alerts between ``start`` and ``end`` with their drill-downs."""
        return self.run(("alerts", start, end), lambda: self.ws.analyses.alerts(start, end, True))

    def alerts(self, start: str, end: str) -> Rows:
        """As ``alerts --from --to --format json``."""
        return [a.to_dict() for a in self.alert_list(start, end)]

    # -- experiments and campaigns (DESIGN §12) -------------------------------------------------
    def experiment_ids(self) -> list[str]:
        """The experiment ids with assignments (empty when none are loaded)."""
        return self.run(("experiment_ids",), self.ws.experiments.ids)

    def experiment(
        self,
        experiment_id: str,
        metrics: list[str] | None,
        window_days: int,
        cuped: bool,
        sequential: bool,
        control: str,
        alpha: float,
    ) -> dict[str, Any]:
        """As ``experiment analyze ID --format json``."""

        def compute() -> dict[str, Any]:
            result = self.ws.experiments.analyze(
                experiment_id,
                metrics=metrics,
                window_days=window_days,
                cuped=cuped,
                sequential=sequential,
                control=control,
                alpha=alpha,
            )
            return plain(result.to_dict())  # type: ignore[no-any-return]

        key = ("experiment", experiment_id, tuple(metrics or ()), window_days, cuped,
               sequential, control, alpha)  # fmt: skip
        value: dict[str, Any] = self.run(key, compute)
        return value

    def campaigns(
        self, campaign_ids: list[str] | None, by: str | None, window_days: int, alpha: float
    ) -> Rows:
        """As ``campaign analyze [IDS] [--by tier] --format json``."""

        def compute() -> Rows:
            found = self.ws.experiments.campaigns(
                campaign_ids, by=by, window_days=window_days, alpha=alpha
            )
            return plain(found)  # type: ignore[no-any-return]

        return self.run(("campaigns", tuple(campaign_ids or ()), by, window_days, alpha), compute)

    def causal_points(self, as_of: str) -> dict[str, Any]:
        """As ``causal points --as-of D --format json``."""

        def compute() -> dict[str, Any]:
            return plain(self.ws.experiments.causal_points(as_of).to_dict())  # type: ignore[no-any-return]

        value: dict[str, Any] = self.run(("causal_points", as_of), compute)
        return value

    # -- voice of the customer (DESIGN §13) -------------------------------------------------------
    def voc_topics(self, table: str, start: str, end: str, k: int) -> dict[str, Any]:
        """``rows`` as ``voc topics --format json`` and the ``emerging`` topic-weeks
        (as ``voc topics --emerging``); examples are masked by the analysis."""
        from memberlens.voc.topics import emerging

        def compute() -> dict[str, Any]:
            found = self.ws.voc.topics(table, start, end, k=k)
            weeks = [
                {"topic": e.topic, "label": e.label, "week": str(e.week_start), "n": e.n,
                 "previous": e.previous, "lift": e.lift}
                for e in emerging(found)
            ]  # fmt: skip
            return {"rows": plain(found), "emerging": plain(weeks)}

        value: dict[str, Any] = self.run(("voc_topics", table, start, end, k), compute)
        return value

    def voc_nps(self, period: str, by: str | None) -> Rows:
        """As ``voc nps --period P [--by DIM] --format json``."""
        return self.run(
            ("voc_nps", period, by),
            lambda: plain(self.ws.voc.nps(period, by)),
        )

    # -- files ----------------------------------------------------------------------------------
    def report(self, period: str, kind: str) -> Path:
        """The report file (html, xlsx or pdf) for ``period``, written once per data
        version; the PDF is printed from the HTML by Chromium when first asked for."""
        from memberlens.report.build import write_report

        def compute() -> tuple[str, str]:
            html, xlsx = write_report(self.ws, period, self.root / "reports")
            return str(html), str(xlsx)

        html, xlsx = self.run(("report", period), compute)
        if kind == "pdf":
            return Path(self.run(("report_pdf", period), lambda: str(self._pdf(Path(html)))))
        return Path(html if kind == "html" else xlsx)

    @staticmethod
    def _pdf(html: Path) -> Path:
        from memberlens.report.pdf import write_pdf

        return write_pdf(html, html.with_suffix(".pdf"))

    def ingest(self, table: str, path: Path) -> IngestResult:
        """Load a file into ``table``; readers of this process wait or use the cache."""
        with self.gate.write():
            return self.ws.ingest(table, path)


def holidays(first: str, last: str) -> Rows:
    """The calendar's biggest holidays and events between two ISO dates, for marking charts."""
    from memberlens.dates.calendar import marks

    return [
        {"name": o.id, "day": o.day.isoformat()}
        for o in marks(date.fromisoformat(first), date.fromisoformat(last))
    ]


def month_start(day: str, months_back: int) -> str:
    d = date.fromisoformat(day)
    index = d.year * 12 + d.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1).isoformat()


def month_end(period: str) -> str:
    """The last day of a ``YYYY-MM`` (or any) period."""
    from memberlens.dates.periods import parse_period

    return parse_period(period).last.isoformat()


def day_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()
