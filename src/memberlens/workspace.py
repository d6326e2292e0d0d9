"""A workspace: a directory with ``memberlens.toml`` and the DuckDB warehouse (DESIGN §3)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import duckdb

from memberlens.config import CONFIG_FILE, Config, default_config_text, load_config
from memberlens.errors import InputError, WorkspaceError
from memberlens.progress import Progress
from memberlens.warehouse import WAREHOUSE_FILE, connect

if TYPE_CHECKING:
    import polars as pl

    from memberlens.alerts.detect import Alert
    from memberlens.analyses.compare import Comparison
    from memberlens.analyses.drivers import Drivers
    from memberlens.analyses.trends import Trend
    from memberlens.ingest.load import IngestResult
    from memberlens.ingest.quarantine import QuarantineReport
    from memberlens.metrics.goals import GoalReport
    from memberlens.metrics.periods import Period

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
        """An Ibis backend over a brief read-only connection (DESIGN §2)."""
        import ibis

        with self.read() as con:
            yield ibis.duckdb.from_connection(con)

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
        ``start`` to ``end`` (dates). ``by`` splits member metrics by a dimension.

        >>> ws.metrics(["repurchase_rate", "aov"], period="2025-03", by="channel")  # doctest: +SKIP
        """
        from memberlens.metrics.evaluate import values
        from memberlens.metrics.periods import parse_grain, parse_period, series

        if period is not None and (start or end):
            raise InputError("Give either a period or --from/--to, not both.")
        if period is not None:
            periods = [parse_period(period)]
        elif start and end:
            first, last = _dates(start, end)
            periods = series(first, last, parse_grain(grain))
        else:
            raise InputError("Give a period (e.g. --period 2025-03) or both --from and --to.")
        with self.engine() as backend:
            return values(backend, self.config, ids, periods, by)

    def explain(self, metric_id: str, period: str, by: str | None = None) -> str:
        """The SQL that computes ``metric_id`` for ``period``, without running it."""
        from memberlens.metrics.evaluate import explain, parse_period

        with self.engine() as backend:
            return explain(backend, self.config, metric_id, parse_period(period), by)

    def summary(self, ids: Sequence[str], period: str | None = None) -> pl.DataFrame:
        """Metrics with 环比, 同比, target and status for ``period`` (default: the latest full
        month of data)."""
        from memberlens.metrics.evaluate import summary

        with self.engine() as backend:
            return summary(backend, self.config, ids, self.resolve_period(backend, period))

    def goals(self, ids: Sequence[str] = (), period: str | None = None) -> list[GoalReport]:
        """The goal templates (all by default) read for ``period``."""
        from memberlens.metrics.goals import GOALS, report

        with self.engine() as backend:
            p = self.resolve_period(backend, period)
            return [report(backend, self.config, g, p) for g in (ids or list(GOALS))]

    def compare(
        self, by: str, period: str | None = None, groups: tuple[str, str] | None = None
    ) -> Comparison:
        """Two groups of a dimension on repurchase rate, AOV and repurchase cycle."""
        from memberlens.analyses.compare import compare

        with self.engine() as backend:
            return compare(backend, self.config, by, self.resolve_period(backend, period), groups)

    def cohorts(
        self, start: str, end: str, basis: str = "registration", measure: str = "members"
    ) -> pl.DataFrame:
        """Cohort matrix (long form) for monthly cohorts from ``start`` to ``end`` (dates)."""
        from memberlens.analyses.cohorts import cohort_matrix

        first, last = _dates(start, end)
        with self.engine() as backend:
            return cohort_matrix(backend, first, last, basis, measure)  # type: ignore[arg-type]

    def alerts(self, start: str, end: str, drill: bool = True) -> list[Alert]:
        """Anomalies in the daily series of the core metrics between two dates."""
        from memberlens.alerts.detect import detect

        first, last = _dates(start, end)
        with self.engine() as backend:
            return detect(backend, self.config, first, last, drill=drill)

    def trend(self, metric: str, start: str, end: str, grain: str = "day") -> Trend:
        """Seasonal decomposition (STL) of a daily or weekly series, with holiday peaks."""
        from memberlens.analyses.trends import decompose

        first, last = _dates(start, end)
        with self.engine() as backend:
            return decompose(backend, metric, first, last, grain)  # type: ignore[arg-type]

    def drivers(self, period: str | None = None) -> Drivers:
        """Behaviours of a period's buyers against their repurchase in the next period."""
        from memberlens.analyses.drivers import drivers

        with self.engine() as backend:
            return drivers(backend, self.config, self.resolve_period(backend, period))

    def rfm(self, as_of: str) -> pl.DataFrame:
        """RFM scores and segments as of the end of ``as_of`` (DESIGN §7)."""
        from memberlens.segments.rfm import rfm

        with self.engine() as backend:
            return rfm(backend, self.config, _date(as_of), self.config.workspace.language)  # type: ignore[no-any-return]

    def tiers(self, as_of: str) -> pl.DataFrame:
        """Every member's tier as of the end of ``as_of`` (DESIGN §7)."""
        from memberlens.segments.tiers import tiers

        with self.engine() as backend:
            return tiers(backend, self.config, _date(as_of))  # type: ignore[no-any-return]

    def resolve_period(self, backend: Any, period: str | None) -> Period:
        """``period`` parsed, or the latest full month of data when it is None."""
        from memberlens.metrics.evaluate import data_range, latest_full_month, parse_period

        if period is not None:
            return parse_period(period)
        span = data_range(backend)
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
    ) -> IngestResult:
        """Load a file or database table into canonical ``table`` (DESIGN §5)."""
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
        )

    def quarantine(self, table: str | None = None, samples: int = 3) -> QuarantineReport:
        """Quarantined rows: counts by reason with sample rows."""
        from memberlens.ingest.quarantine import quarantine_report

        with self.read() as con:
            return quarantine_report(con, table, samples, self.config.workspace.language)

    def table(self, name: str) -> pl.DataFrame:
        """A whole canonical table as a Polars frame (for small tables and tests)."""

        from memberlens.schema import table_spec
        from memberlens.warehouse import quote

        table_spec(name)
        with self.read() as con:
            frame: pl.DataFrame = con.sql(f"SELECT * FROM {quote(name)}").pl()
            return frame

    def counts(self) -> dict[str, int]:
        """Row count of every canonical table."""
        from memberlens.schema import LOAD_ORDER
        from memberlens.warehouse import quote, scalar

        with self.read() as con:
            return {
                name: int(scalar(con, f"SELECT count(*) FROM {quote(name)}")) for name in LOAD_ORDER
            }


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text}: write the date as 2025-03-31.") from None


def _dates(start: str, end: str) -> tuple[date, date]:
    """Parse --from/--to dates with a message that shows the expected form."""
    try:
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise InputError(f"--from {start} / --to {end}: write dates as 2025-03-01.") from None


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
