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
from memberlens.engine.session import Session
from memberlens.engine.warehouse import WAREHOUSE_FILE, connect
from memberlens.errors import InputError, WorkspaceError
from memberlens.progress import Progress

if TYPE_CHECKING:
    import polars as pl

    from memberlens.alerts.detect import Alert
    from memberlens.analyses.compare import Comparison
    from memberlens.analyses.drivers import Drivers
    from memberlens.analyses.trends import Trend
    from memberlens.dates.periods import Period
    from memberlens.ingest.load import IngestResult
    from memberlens.ingest.quarantine import QuarantineReport
    from memberlens.metrics.goals import GoalReport
    from memberlens.models.churn import ChurnResult
    from memberlens.models.clv import ClvResult
    from memberlens.models.profile import MemberProfile
    from memberlens.models.survival import Survival
    from memberlens.points.breakage import Breakage
    from memberlens.points.reactivation import Reactivation
    from memberlens.segments.history import TierHistory
    from memberlens.segments.targets import TargetRule
    from memberlens.segments.value import ValueReport
    from memberlens.segments.whatif import WhatIf

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

    @contextmanager
    def cached(self) -> Iterator[None]:
        """Inside the block, a metric's value for a period is computed once and reused by
        every call (the report reads many metrics several times); the data must not change
        meanwhile."""
        outer = self._memo
        self._memo = {} if outer is None else outer
        try:
            yield
        finally:
            self._memo = outer

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
        connection to the DuckDB warehouse, or Spark with ``[engine] backend = "pyspark"``."""
        import ibis

        if self.config.engine.backend == "pyspark":
            from memberlens.engine import spark

            backend = spark.backend(self.config, self.root)
            backend.memberlens_root = self.root  # files named in the config are relative to it
            backend.memberlens_memo = self._memo
            yield backend
            return
        with self.read() as con:
            backend = ibis.duckdb.from_connection(con)
            backend.memberlens_root = self.root
            backend.memberlens_memo = self._memo
            yield backend

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A :class:`~memberlens.engine.session.Session` over :meth:`engine`'s backend: the
        tables, this workspace's config and folder, and the memo of a :meth:`cached` block."""
        with self.engine() as backend:
            yield Session(backend, self.config, self.root, self._memo)

    def export_parquet(
        self, folder: str | Path, tables: Sequence[str] | None = None
    ) -> dict[str, Path]:
        """Write canonical tables (all by default) to ``folder/<table>.parquet``, for Spark or
        others; a relative folder is taken from the workspace."""
        from memberlens.engine.warehouse import quote
        from memberlens.schema import LOAD_ORDER, table_spec

        names = list(LOAD_ORDER if tables is None else tables)
        for name in names:
            table_spec(name)  # an unknown table is an error naming the tables
        target = self.root / folder
        target.mkdir(parents=True, exist_ok=True)
        written = {}
        with self.read() as con:
            for name in names:
                path = target / f"{name}.parquet"
                escaped = str(path).replace("'", "''")
                con.execute(f"COPY {quote(name)} TO '{escaped}' (FORMAT parquet)")
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
        ``start`` to ``end`` (dates). ``by`` splits member metrics by a dimension.

        >>> ws.metrics(["repurchase_rate", "aov"], period="2025-03", by="channel")  # doctest: +SKIP
        """
        from memberlens.dates.periods import parse_grain, parse_period, series
        from memberlens.metrics.evaluate import values

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

    def rfm(self, as_of: str, *, quintiles: bool = False) -> pl.DataFrame:
        """RFM scores and segments as of the end of ``as_of`` (DESIGN §7).

        ``quintiles`` adds the 1–5 scores and the English segment map (r_score, f_score,
        m_score, rfm_score, score_segment, score_segment_name).
        """
        from memberlens.segments.rfm import rfm

        language = self.config.workspace.language
        with self.engine() as backend:
            return rfm(backend, self.config, _date(as_of), language, quintiles)  # type: ignore[no-any-return]

    def write_rfm(self, as_of: str, path: str | Path, *, quintiles: bool = False) -> int:
        """Write :meth:`rfm`'s rows to a .csv, .parquet or .xlsx file (by the engine where it
        can); returns the number of rows."""
        from memberlens.engine.output import write
        from memberlens.segments.rfm import rfm_expression

        language = self.config.workspace.language
        with self.engine() as backend:
            expression = rfm_expression(backend, self.config, _date(as_of), language, quintiles)
            return write(backend, expression, Path(path))

    def rfm_summary(self, as_of: str) -> pl.DataFrame:
        """Per RFM segment (threshold scheme, then quintile map): members, revenue, shares and
        mean recency, frequency and monetary."""
        from memberlens.segments.rfm import summary

        with self.engine() as backend:
            return summary(backend, self.config, _date(as_of), self.config.workspace.language)  # type: ignore[no-any-return]

    def rfm_migration(self, start: str, end: str, scheme: str = "threshold") -> pl.DataFrame:
        """Members by RFM segment as of ``start`` × as of ``end`` (long form, with row shares);
        ``scheme`` is ``threshold`` (the eight segments) or ``quintile`` (the score map)."""
        from memberlens.segments.rfm import migration
        from memberlens.segments.rfm import scheme as parse_scheme

        chosen = parse_scheme(scheme)
        try:
            first = date.fromisoformat(start)
        except ValueError:
            raise InputError(f"--from {start}: write the date as 2025-03-31.") from None
        language = self.config.workspace.language
        with self.engine() as backend:
            return migration(backend, self.config, first, _date(end), language, chosen)  # type: ignore[no-any-return]

    def tiers(self, as_of: str) -> pl.DataFrame:
        """Every member's tier as of the end of ``as_of`` (DESIGN §7)."""
        from memberlens.segments.tiers import tiers

        with self.engine() as backend:
            return tiers(backend, self.config, _date(as_of))  # type: ignore[no-any-return]

    def tiers_near(self, as_of: str, progress: float = 0.8) -> pl.DataFrame:
        """Members who have reached ``progress`` of every threshold of their next tier,
        with the gaps, as of the end of ``as_of``."""
        from memberlens.segments.tiers import near_next

        with self.engine() as backend:
            return near_next(backend, self.config, _date(as_of), progress)  # type: ignore[no-any-return]

    def tier_history(self, start: str, end: str) -> TierHistory:
        """The tiers members hold from ``start`` to ``end`` under the ``[tiers]`` rules."""
        from memberlens.segments.history import tier_history

        first, last = _dates(start, end)
        with self.engine() as backend:
            return tier_history(backend, self.config, first, last)

    def what_if(self, candidate: str | Path, start: str, end: str) -> WhatIf:
        """Replay history under the candidate ``[tiers]``/``[points]`` rules of a TOML file
        beside the current rules; figures for ``start``..``end``."""
        from memberlens.segments.whatif import candidate_config, what_if

        rules = candidate_config(self.root / CONFIG_FILE, Path(candidate))
        first, last = _dates(start, end)
        with self.engine() as backend:
            return what_if(backend, self.config, rules, first, last)

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

    def value(self, as_of: str) -> ValueReport:
        """Value tiers, the value × loyalty matrix and the Pareto view as of ``as_of``."""
        from memberlens.segments.value import value

        with self.engine() as backend:
            return value(backend, self.config, _date(as_of), self.config.workspace.language)

    def value_members(self, as_of: str) -> pl.DataFrame:
        """Per scored member: spend, orders, value tier, active months, loyal, value group."""
        from memberlens.segments.value import values_frame

        with self.engine() as backend:
            return values_frame(backend, self.config, _date(as_of))

    def targets(
        self, as_of: str, rule: TargetRule | None = None, *, full_phone: bool = False
    ) -> pl.DataFrame:
        """The members matching ``rule`` as of ``as_of``, phones masked unless ``full_phone``.

        >>> from memberlens.segments.targets import TargetRule
        >>> ws.targets("2025-06-30", TargetRule(segments=("important_winback",)))  # doctest: +SKIP
        """
        from memberlens.segments.targets import TargetRule, target_list

        with self.engine() as backend:
            return target_list(
                backend,
                self.config,
                _date(as_of),
                rule or TargetRule(),
                full_phone,
                self.config.workspace.language,
            )

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
        """BG/NBD + Gamma-Gamma fitted on orders up to ``calibration_end`` (DESIGN §8).

        ``save`` writes the per-member CLV to the warehouse (the member profile reads it).

        >>> ws.clv("2025-06-30", holdout_end="2025-12-31").params  # doctest: +SKIP
        """
        from memberlens.models.clv import clv, save_scores

        end = _date(calibration_end, "--calibration-end")
        holdout = None if holdout_end is None else _date(holdout_end, "--holdout-end")
        with self.engine() as backend:
            result = clv(
                backend,
                end,
                time_unit=time_unit,
                holdout_end=holdout,
                horizon_months=horizon_months,
                discount_rate=discount_rate,
            )
        if save:
            save_scores(self.warehouse_path, result)
        return result

    def churn(
        self,
        as_of: str | None = None,
        *,
        window_days: int = 90,
        k: float = 3.0,
        save: bool = True,
    ) -> ChurnResult:
        """Churn-risk model (time-based split), its report, and per-member scores as of
        ``as_of`` (default: the latest order date), saved to the warehouse unless ``save``
        is False.

        >>> ws.churn().auc  # doctest: +SKIP
        """
        from memberlens.models.churn import churn, save_scores

        day = None if as_of is None else _date(as_of)
        with self.engine() as backend:
            result = churn(backend, self.config, day, window_days=window_days, k=k)
        if save:
            save_scores(self.warehouse_path, result)
        return result

    def survival(self, as_of: str | None = None, *, k: float = 3.0) -> Survival:
        """Kaplan-Meier curves of time to lapse by tier as of ``as_of`` (default: latest)."""
        from memberlens.models.churn import latest_order_date
        from memberlens.models.survival import kaplan_meier

        with self.engine() as backend:
            day = latest_order_date(backend) if as_of is None else _date(as_of)
            return kaplan_meier(backend, self.config, day, k)

    def member(self, member_id: str) -> MemberProfile:
        """One member's tier, segment, points balance, CLV, P(alive) and churn risk.

        >>> ws.member("M00000042").churn_level  # doctest: +SKIP
        """
        from memberlens.models.profile import profile

        with self.engine() as backend:
            return profile(backend, self.config, member_id, self.config.workspace.language)

    def points_vintages(self, as_of: str, *, detail: bool = False) -> pl.DataFrame:
        """Points vintages as of ``as_of`` (FIFO): per issue month, or every batch with ``detail``.

        >>> ws.points_vintages("2025-06-30")  # doctest: +SKIP
        """
        from memberlens.points.fifo import check_as_of
        from memberlens.points.vintages import vintages

        day = _date(as_of)
        with self.engine() as backend:
            check_as_of(backend, day)
            return vintages(backend, day, detail)  # type: ignore[no-any-return]

    def points_curves(self, as_of: str) -> pl.DataFrame:
        """Vintage curves: cumulative redeemed / expired shares by months since issue."""
        from memberlens.points.fifo import check_as_of
        from memberlens.points.vintages import curves

        day = _date(as_of)
        with self.engine() as backend:
            check_as_of(backend, day)
            return curves(backend, day)  # type: ignore[no-any-return]

    def points_expiry(self, as_of: str, months: int = 12) -> pl.DataFrame:
        """Open points by expiry month for the ``months`` months after ``as_of``."""
        from memberlens.points.expiry import projected_expiry
        from memberlens.points.fifo import check_as_of

        day = _date(as_of)
        with self.engine() as backend:
            check_as_of(backend, day)
            return projected_expiry(backend, self.config, day, months)  # type: ignore[no-any-return]

    def points_breakage(self, as_of: str, *, maturity_months: int | None = None) -> Breakage:
        """Forward breakage of the open points and the liability adjusted for it (IFRS 15)."""
        from memberlens.points.breakage import breakage
        from memberlens.points.fifo import check_as_of

        day = _date(as_of)
        with self.engine() as backend:
            check_as_of(backend, day)
            return breakage(backend, self.config, day, maturity_months)

    def points_reactivation(
        self, as_of: str, *, bands: Sequence[int] | None = None
    ) -> Reactivation:
        """Members inactive for ``[churn] inactive_days`` who still hold points, by band."""
        from memberlens.points.fifo import check_as_of
        from memberlens.points.reactivation import BANDS, reactivation

        day = _date(as_of)
        with self.engine() as backend:
            check_as_of(backend, day)
            return reactivation(backend, self.config, day, BANDS if bands is None else bands)


def _date(text: str, option: str = "--as-of") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text}: write the date as 2025-03-31.") from None


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
