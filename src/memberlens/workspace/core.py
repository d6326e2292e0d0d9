"""A workspace: a directory with ``memberlens.toml`` and the DuckDB warehouse (DESIGN §3)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from memberlens.config import CONFIG_FILE, Config, default_config_text, load_config
from memberlens.engine.session import Session
from memberlens.engine.warehouse import WAREHOUSE_FILE, connect
from memberlens.errors import InputError, WorkspaceError, unknown_choice
from memberlens.progress import Progress
from memberlens.workspace.analyses import Analyses
from memberlens.workspace.experiments import Experiments
from memberlens.workspace.models import Models
from memberlens.workspace.parse import days as _dates
from memberlens.workspace.points import Points
from memberlens.workspace.program import Program
from memberlens.workspace.registry import load_dimensions, load_member_features, load_metrics
from memberlens.workspace.segments import Segments
from memberlens.workspace.voc import Voc

if TYPE_CHECKING:
    import duckdb
    import polars as pl

    from memberlens.dates.periods import Period
    from memberlens.ingest.load import IngestResult
    from memberlens.ingest.quarantine import QuarantineReport
    from memberlens.ingest.validate import Decimal
    from memberlens.metrics.refresh import Refreshed
    from memberlens.models.clv.model import ClvResult
    from memberlens.program.history import TierHistory

ENV_VAR = "MEMBERLENS_WORKSPACE"


class Workspace:
    """An opened workspace. Create with :func:`init`, open with :func:`open`.

    Examples
    --------
    >>> import memberlens as ml, tempfile
    >>> ws = ml.init(tempfile.mkdtemp() + "/shop")
    >>> ws.config.workspace.timezone
    'Asia/Shanghai'
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config: Config = load_config(root / CONFIG_FILE)
        self._memo: dict[tuple[str, str], Any] | None = None
        # inside cached(): the block's one connection and what its sessions learnt
        self._block: ExitStack | None = None
        self._backend: Any = None
        self._known: dict[Any, Any] = {}
        self.points = Points(self)
        self.segments = Segments(self)
        self.program = Program(self)
        self.models = Models(self)
        self.analyses = Analyses(self)
        self.experiments = Experiments(self)
        self.voc = Voc(self)

    @contextmanager
    def cached(self) -> Iterator[None]:
        """Inside the block, a metric's value for a period is computed once and reused by
        every call (the report reads many metrics several times), and every session reads
        through one connection, so what one call kept (a split's member labels) serves the
        next; the data must not change meanwhile, and nothing in the block writes."""
        if self._memo is not None:  # already inside a block
            yield
            return
        self._memo, self._block, self._known = {}, ExitStack(), {}
        try:
            yield
        finally:
            block, self._block, self._backend = self._block, None, None
            self._memo, self._known = None, {}
            block.close()

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    @property
    def warehouse_path(self) -> Path:
        return self.root / WAREHOUSE_FILE

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A brief read-only connection to the warehouse (``[engine]`` limits apply)."""
        settings = self.config.engine.duckdb_settings()
        with connect(self.warehouse_path, read_only=True, settings=settings) as con:
            yield con

    @contextmanager
    def engine(self) -> Iterator[Any]:
        """The Ibis backend every computation runs on (DESIGN §2): a brief read-only
        connection to the DuckDB warehouse, or Spark with ``[engine] backend = "pyspark"``;
        inside :meth:`cached` the block's one connection."""
        if self._block is None:
            with self._engine() as backend:
                yield backend
            return
        if self._backend is None:
            self._backend = self._block.enter_context(self._engine())
        yield self._backend

    @contextmanager
    def _engine(self) -> Iterator[Any]:
        import ibis

        if self.config.engine.backend == "pyspark":
            from memberlens.engine import spark

            yield spark.backend(self.config, self.root)
            return
        with self.read() as con:
            yield ibis.duckdb.from_connection(con)

    @contextmanager
    def session(self, language: str | None = None) -> Iterator[Session]:
        """A :class:`~memberlens.engine.session.Session` over :meth:`engine`'s backend: the
        tables, this workspace's config and folder, and the memo of a :meth:`cached` block.

        ``language`` (``zh`` or ``en``) names things a person reads in that language instead
        of the workspace's (``[workspace] language``); the numbers are the same."""
        # the registries areas above the metrics and models fill (on first use, not at open:
        # serve and the command line start without the analytics)
        load_metrics()
        load_member_features()
        load_dimensions()
        with self.engine() as backend:
            known = self._known if self._block is not None else {}
            yield Session(backend, self.language_config(language), self.root, self._memo, known)

    def language_config(self, language: str | None) -> Config:
        """This workspace's config, with ``[workspace] language`` set to ``language``."""
        from memberlens.labels import LANGUAGES

        if language is None or language == self.config.workspace.language:
            return self.config
        if language not in LANGUAGES:
            raise unknown_choice("language", language[:20], LANGUAGES, parameter="language")
        section = self.config.workspace.model_copy(update={"language": language})
        return self.config.model_copy(update={"workspace": section})

    def data_version(self) -> str:
        """A short text that changes whenever a load commits or a model result is saved.

        The load log's last id, and the row count and date of the saved CLV and churn scores
        (which ``clv --save`` and ``churn`` replace without a load). It opens a read-only
        connection that does not wait: while another process writes the warehouse it
        raises :class:`~memberlens.errors.WarehouseBusyError`. Caches keyed by it (the
        service's) stay valid until it changes.

        >>> ws.data_version()  # doctest: +SKIP
        'load 7; clv_scores 3000 2025-06-30; churn_scores -'
        """
        from memberlens.engine.warehouse import LOADS_TABLE, quote
        from memberlens.models.results import CHURN_TABLE, CLV_TABLE

        settings = self.config.engine.duckdb_settings()
        with connect(
            self.warehouse_path, read_only=True, wait_seconds=0.0, settings=settings
        ) as con:
            last = con.execute(f"SELECT coalesce(max(load_id), 0) FROM {LOADS_TABLE}")
            parts = [f"load {last.fetchall()[0][0]}"]
            for name, column in ((CLV_TABLE, "calibration_end"), (CHURN_TABLE, "as_of")):
                found = con.execute(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
                ).fetchall()[0][0]
                if not found:
                    parts.append(f"{name} -")
                    continue
                n, last = con.execute(
                    f"SELECT count(*), max({quote(column)}) FROM {quote(name)}"
                ).fetchall()[0]
                parts.append(f"{name} {n} {last}")
        return "; ".join(parts)

    def export_parquet(
        self, folder: str | Path, tables: Sequence[str] | None = None, *, full_phone: bool = False
    ) -> dict[str, Path]:
        """Write canonical tables (all by default) to ``folder/<table>.parquet``, for Spark or
        others; a relative folder is taken from the workspace. Personal columns (the members'
        phone) are masked as :func:`memberlens.pii.mask_phone` does unless ``full_phone``."""
        import ibis

        from memberlens.engine.warehouse import quote
        from memberlens.pii import mask_phone_expr
        from memberlens.schema import LOAD_ORDER, table_spec

        names = list(LOAD_ORDER if tables is None else tables)
        for name in names:
            table_spec(name)  # an unknown table is an error naming the tables
        target = self.root / folder
        target.mkdir(parents=True, exist_ok=True)
        written = {}
        with self.read() as con:
            backend = ibis.duckdb.from_connection(con)
            for name in names:
                path = target / f"{name}.parquet"
                escaped = str(path).replace("'", "''")
                personal = [c.name for c in table_spec(name).columns if c.pii]
                query = f"SELECT * FROM {quote(name)}"
                if personal and not full_phone:
                    t = backend.table(name)
                    masked = t.mutate(**{c: mask_phone_expr(t[c]) for c in personal})
                    query = str(ibis.to_sql(masked, dialect="duckdb"))
                con.execute(f"COPY ({query}) TO '{escaped}' (FORMAT parquet)")
                written[name] = path
        return written

    def metrics(
        self,
        ids: Sequence[str],
        period: str | None = None,
        *,
        by: str | None = None,
        start: str | None = None,
        end: str | None = None,
        grain: str = "month",
    ) -> pl.DataFrame:
        """Metric values: rows (metric, period, [by], value).

        One ``period`` (``2025-03``, ``2025-W10``, …), or a series of ``grain`` periods from
        ``start`` to ``end`` (dates). ``by`` splits member metrics by a dimension. When no
        period overlaps the data the values are null and a
        :class:`~memberlens.facts.coverage.NoDataWarning` names the data's range.

        >>> ws.metrics(["repurchase_rate", "aov"], period="2025-03", by="channel")  # doctest: +SKIP
        """
        from memberlens.dates.periods import parse_grain, parse_period, series
        from memberlens.facts.coverage import warn_no_data
        from memberlens.metrics.evaluate import values

        if period is not None and (start or end):
            raise InputError("Give either a period or a date range (start and end), not both.")
        if period is not None:
            periods = [parse_period(period)]
        elif start and end:
            first, last = _dates(start, end)
            periods = series(first, last, parse_grain(grain))
        else:
            raise InputError("Give a period (e.g. period 2025-03) or a date range (start and end).")
        with self.session() as session:
            frame = values(session, ids, periods, by)
            warn_no_data(session, periods)
            return frame

    def explain(self, metric_id: str, period: str, by: str | None = None) -> str:
        """The SQL that computes ``metric_id`` for ``period``, without running it."""
        from memberlens.metrics.evaluate import explain, parse_period

        with self.session() as session:
            return explain(session, metric_id, parse_period(period), by)

    def summary(
        self, ids: Sequence[str], period: str | None = None, *, language: str | None = None
    ) -> pl.DataFrame:
        """Metrics with 环比, 同比, target and status for ``period`` (default: the latest full
        month of data); metric names in ``language`` (default: the workspace's)."""
        from memberlens.metrics.evaluate import summary

        with self.session(language) as session:
            return summary(session, ids, self.resolve_period(session, period))

    def rfm(self, as_of: str, *, quintiles: bool = False) -> pl.DataFrame:
        """The same as ``ws.segments.rfm`` (:meth:`Segments.rfm`)."""
        return self.segments.rfm(as_of, quintiles=quintiles)

    def tiers(self, as_of: str) -> pl.DataFrame:
        """The same as ``ws.program.tiers`` (:meth:`Program.tiers`)."""
        return self.program.tiers(as_of)

    def tier_summary(self, as_of: str, *, language: str | None = None) -> pl.DataFrame:
        """The same as ``ws.program.tier_summary`` (:meth:`Program.tier_summary`)."""
        return self.program.tier_summary(as_of, language=language)

    def tier_history(self, start: str, end: str) -> TierHistory:
        """The same as ``ws.program.tier_history`` (:meth:`Program.tier_history`)."""
        return self.program.tier_history(start, end)

    def resolve_period(self, session: Session, period: str | None) -> Period:
        """``period`` parsed, or the latest full month of data when it is None."""
        from memberlens.dates.periods import latest_full_month, parse_period
        from memberlens.facts.coverage import data_range

        if period is not None:
            return parse_period(period)
        span = data_range(session)
        if span is None:
            raise WorkspaceError(
                f"The workspace {self.root} has no orders yet; load some with "
                f"'memberlens -w {self.root} ingest orders FILE'."
            )
        return latest_full_month(span[1])

    def migrate(self) -> None:
        """Bring an older warehouse to the current schema version."""
        with connect(self.warehouse_path, read_only=False):
            pass

    def ingest(
        self,
        table: str,
        source: str | Path,
        *,
        mapping: dict[str, str] | None = None,
        encoding: str = "auto",
        sheet: str | int = 0,
        sql_table: str | None = None,
        query: str | None = None,
        progress: Progress | None = None,
        decimal: Decimal | None = None,
    ) -> IngestResult:
        """Load a file or database table into canonical ``table`` (DESIGN §5); ``decimal``
        is the decimal separator of numbers written as text (default: ``[ingest] decimal``)."""
        from memberlens.ingest.load import ingest

        return ingest(
            self.warehouse_path,
            self.config,
            table,
            source,
            mapping=mapping,
            encoding=encoding,
            sheet=sheet,
            sql_table=sql_table,
            query=query,
            progress=progress,
            decimal=decimal,
        )

    def refresh_aggregates(
        self, days: Sequence[str] | None = None, progress: Progress | None = None
    ) -> Refreshed:
        """Bring the daily aggregates up to date (new days, days a later load changed, and
        ``days``); see :mod:`memberlens.metrics.refresh`."""
        import ibis

        from memberlens.engine.warehouse import holding
        from memberlens.metrics.refresh import refresh
        from memberlens.workspace.parse import day

        wanted = [day(d, "days") for d in days or ()]
        load_dimensions()
        settings = self.config.engine.duckdb_settings()
        with (
            connect(self.warehouse_path, read_only=False, wait_seconds=0, settings=settings) as con,
            holding(self.warehouse_path, "the refresh of the daily aggregates"),
        ):
            session = Session(ibis.duckdb.from_connection(con), self.config, self.root)
            return refresh(session, wanted, progress)

    def quarantine(self, table: str | None = None, samples: int = 3) -> QuarantineReport:
        """Quarantined rows: counts by reason with sample rows."""
        from memberlens.ingest.quarantine import quarantine_report

        with self.read() as con:
            return quarantine_report(con, table, samples, self.config.workspace.language)

    def table(self, name: str) -> pl.DataFrame:
        """A whole canonical table as a Polars frame (for small tables and tests)."""

        from memberlens.engine.warehouse import quote
        from memberlens.schema import table_spec

        table_spec(name)
        with self.read() as con:
            frame: pl.DataFrame = con.sql(f"SELECT * FROM {quote(name)}").pl()
            return frame

    def counts(self) -> dict[str, int]:
        """Row count of every canonical table."""
        from memberlens.engine.warehouse import quote, scalar
        from memberlens.schema import LOAD_ORDER

        with self.read() as con:
            return {
                name: int(scalar(con, f"SELECT count(*) FROM {quote(name)}")) for name in LOAD_ORDER
            }

    def clv(
        self,
        calibration_end: str,
        *,
        time_unit: str = "day",
        holdout_end: str | None = None,
        horizon_months: int = 12,
        discount_rate: float = 0.10,
        save: bool = False,
    ) -> ClvResult:
        """The same as ``ws.models.clv`` (:meth:`Models.clv`)."""
        return self.models.clv(
            calibration_end,
            time_unit=time_unit,
            holdout_end=holdout_end,
            horizon_months=horizon_months,
            discount_rate=discount_rate,
            save=save,
        )


def init(
    path: str | Path, *, language: Literal["zh", "en"] = "zh", exist_ok: bool = False
) -> Workspace:
    """Create a workspace directory with a default config and an empty warehouse."""
    root = Path(path)
    config_path = root / CONFIG_FILE
    if config_path.exists() and not exist_ok:
        raise WorkspaceError(
            f"{root} is already a memberlens workspace ({CONFIG_FILE} exists). "
            f"Open it with -w {root}, or choose a new directory."
        )
    root.mkdir(parents=True, exist_ok=True)
    if not config_path.exists():
        config_path.write_text(default_config_text(language), encoding="utf-8")
    load_config(config_path)
    with connect(root / WAREHOUSE_FILE, read_only=False):
        pass
    return Workspace(root)


def open(path: str | Path | None = None) -> Workspace:
    """Open an existing workspace (default: ``$MEMBERLENS_WORKSPACE``, else the cwd)."""
    root = Path(path) if path is not None else Path(os.environ.get(ENV_VAR) or ".")
    if not (root / CONFIG_FILE).exists():
        raise WorkspaceError(
            f"{root.resolve()} is not a memberlens workspace (no {CONFIG_FILE}). "
            f"Create one with 'memberlens init {root}' or pass -w DIR."
        )
    return Workspace(root)
