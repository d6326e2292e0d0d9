"""Load one source into one canonical table: atomic, idempotent, nothing lost.

The load is set-based SQL over one *raw relation* of the source, inside one transaction:

1. The raw relation: a Parquet file is read by DuckDB in place (``read_parquet`` with
   ``file_row_number``), with no copy; other sources stream batch by batch into a staging
   table. Columns are renamed to canonical names; ``_row`` numbers the records.
2. ``_checked`` is a view that parses and checks every row (:mod:`.validate`).
3. ``_rejected`` collects, in order: rows with problems, later rows with a key already seen in
   the file, and rows referring to unknown members / orders / campaigns.
4. Rows with the same key as a good row are deleted from the target; the good rows are
   inserted (the only full write of the data); ``_rejected`` goes to the quarantine.

A failure, an interrupt or a killed process rolls everything back. Re-loading a file
replaces that file's earlier quarantine rows, so loading the same file twice leaves the
warehouse as one load did (the load log gains a line).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from memberlens.config import Config
from memberlens.engine.warehouse import (
    LOAD_DAYS_TABLE,
    LOADS_TABLE,
    QUARANTINE_TABLE,
    connect,
    holding,
    quote,
    scalar,
)
from memberlens.errors import SourceError, unknown_choice
from memberlens.ingest.headers import HeaderMap, resolve_header
from memberlens.ingest.sources import ROW, ParquetSource, Source, open_source
from memberlens.ingest.validate import Decimal, ValueRules, batch_select
from memberlens.progress import Progress, Silent
from memberlens.schema import TIME_COLUMNS, TableSpec, table_spec

STAGE = "_stage"
REJECTED = "_rejected"
CHECKED = "_checked"
FLAGS = "_flags"
#: every problem of a row, as "column: reason 'value'; …"
DETAILS = (
    "array_to_string(list_transform(_problems, lambda p: p.\"column\" || ': ' || p.reason "
    "|| coalesce(' ''' || p.value || '''', '')), '; ')"
)

#: Session settings for a load: no insertion order to keep (rows carry _row), and query
#: progress reported to the caller instead of printed.
LOAD_SETTINGS = (
    "SET preserve_insertion_order = false",
    "SET enable_progress_bar = true",
    "SET enable_progress_bar_print = false",
    "SET progress_bar_time = 0",
)


@dataclass
class IngestResult:
    """What a load did. ``loaded + quarantined == rows_read`` always holds."""

    table: str
    source: str
    load_id: int
    rows_read: int
    loaded: int
    replaced: int
    quarantined: int
    seconds: float
    reasons: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else float("nan")


def ingest(
    warehouse: Path,
    config: Config,
    table: str,
    location: str | Path,
    *,
    mapping: dict[str, str] | None = None,
    encoding: str = "auto",
    sheet: str | int = 0,
    sql_table: str | None = None,
    query: str | None = None,
    progress: Progress | None = None,
    decimal: Decimal | None = None,
) -> IngestResult:
    """Load ``location`` into canonical ``table`` of the warehouse at ``warehouse``.

    ``decimal`` is the decimal separator of numbers written as text (``"."``, ``","`` or
    ``"auto"``; default: ``[ingest] decimal``). A failure, Ctrl-C or SIGTERM rolls the load
    back; the space it used is given back to the file before the error goes on.
    """
    spec = table_spec(table)
    if decimal is not None and decimal not in ("auto", ".", ","):
        raise unknown_choice(
            "decimal separator", str(decimal), ("auto", ".", ","), parameter="decimal"
        )
    source = open_source(
        str(location), encoding=encoding, sheet=sheet, table=sql_table, query=query
    )
    explicit = {**config.mapping.get(table, {}), **(mapping or {})}
    header = resolve_header(spec, source.columns, explicit, source.location)
    rules = ValueRules(
        timezone=config.workspace.timezone,
        decimal=decimal or config.ingest.decimal,
        min_date=config.ingest.min_date,
        max_date=config.ingest.max_date,
    )
    settings = config.engine.duckdb_settings()
    clock = time.perf_counter()
    with (
        connect(warehouse, read_only=False, wait_seconds=0, settings=settings) as con,
        holding(warehouse, f"the load of {spec.name}"),
    ):
        for statement in LOAD_SETTINGS:
            con.execute(statement)
        con.execute("BEGIN TRANSACTION")
        loader = _Loader(con, spec, source, header, rules)
        try:
            result = loader.run(progress or Silent())
            con.execute("COMMIT")
        except BaseException:
            loader.stop()
            _roll_back(con)
            raise
    result.seconds = time.perf_counter() - clock  # the whole load, commit included
    return result


def _roll_back(con: duckdb.DuckDBPyConnection) -> None:
    """Undo a failed load and give its space back; never raise over the first error.

    After an I/O error (a full disk) DuckDB may have ended the transaction itself
    ("no transaction is active") or invalidated the connection: both are fine, the
    uncommitted rows are gone either way and closing the connection finishes the job.
    """
    for statement in ("ROLLBACK", "CHECKPOINT"):
        while True:
            try:
                con.execute(statement)
                break
            except KeyboardInterrupt:  # a second Ctrl-C: finish cleaning up first
                continue
            except duckdb.Error:
                break


class _Loader:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: TableSpec,
        source: Source,
        header: HeaderMap,
        rules: ValueRules,
    ) -> None:
        self.con = con
        self.spec = spec
        self.source = source
        self.header = header
        self.rules = rules
        self.timezone = rules.timezone
        # set when the worker thread's statement has returned (see stop)
        self.worker: threading.Event | None = None
        self.table = quote(spec.name)
        self.load_id = 0
        self.progress: Progress = Silent()

    def run(self, progress: Progress) -> IngestResult:
        self.progress = progress
        started = datetime.now()
        self.load_id = int(
            scalar(self.con, f"SELECT coalesce(max(load_id), 0) + 1 FROM {LOADS_TABLE}")
        )
        self.con.execute(
            f"DELETE FROM {QUARANTINE_TABLE} WHERE table_name = ? AND source = ?",
            [self.spec.name, self.source.location],
        )
        relation, types, read = self._raw_relation()
        self.con.execute(
            f"CREATE TEMP VIEW {CHECKED} AS "
            f"{batch_select(self.spec, types, self.timezone, relation, self.rules)}"
        )
        self.con.execute(
            f'CREATE TEMP TABLE {REJECTED} ({ROW} BIGINT, "column" VARCHAR, reason VARCHAR, '
            "value VARCHAR, details VARCHAR, record VARCHAR)"
        )
        self._reject_problems()
        self._reject_duplicates()
        for reference in self.spec.references:
            if reference.table != self.spec.name:
                self._reject_orphans(
                    reference.column, reference.table, reference.target, reference.reason
                )
        replaced, loaded = self._upsert()
        self.con.execute(
            f"""INSERT INTO {QUARANTINE_TABLE}
                SELECT ?, ?, ?, {ROW}, "column", reason, value, details, record FROM {REJECTED}""",
            [self.load_id, self.spec.name, self.source.location],
        )
        reasons: dict[str, int] = dict(
            self.con.execute(
                f"SELECT reason, count(*) FROM {REJECTED} GROUP BY reason ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        for name in (
            f"VIEW {CHECKED}",
            f"TABLE {REJECTED}",
            f"TABLE {FLAGS}",
            f"TABLE IF EXISTS {STAGE}",
        ):
            self.con.execute(f"DROP {name}")
        quarantined = sum(reasons.values())
        self.con.execute(
            f"INSERT INTO {LOADS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.load_id,
                self.spec.name,
                self.source.location,
                self.source.total,
                started,
                datetime.now(),
                read,
                loaded,
                quarantined,
                replaced,
                self.header.ignored,
            ],
        )
        return IngestResult(
            table=self.spec.name,
            source=self.source.location,
            load_id=self.load_id,
            rows_read=read,
            loaded=loaded,
            replaced=replaced,
            quarantined=quarantined,
            seconds=0.0,  # set by ingest() once the load has committed
            reasons=reasons,
            ignored_columns=self.header.ignored,
            notes=self.header.notes,
            detail=self.source.detail,
        )

    # -- the raw relation ----------------------------------------------------------------------
    def _raw_relation(self) -> tuple[str, dict[str, pa.DataType], int]:
        """SQL of the raw rows under canonical names with ``_row``, their types, rows read."""
        if isinstance(self.source, ParquetSource):
            return self._parquet_relation(self.source)
        return self._staged_relation()

    def _parquet_relation(self, source: ParquetSource) -> tuple[str, dict[str, pa.DataType], int]:
        import pyarrow.parquet as pq

        schema = pq.read_schema(source.path)
        for name, src in self.header.columns.items():
            dtype = schema.field(src).type
            if pa.types.is_nested(dtype):
                raise SourceError(
                    f"{source.location}: column '{src}' (for {self.spec.name}.{name}) is "
                    f"nested ({dtype}); memberlens reads flat columns only. Flatten it, or "
                    "store it as JSON text."
                )
        path = str(source.path).replace("'", "''")
        columns = [f"{quote(src)} AS {quote(name)}" for name, src in self.header.columns.items()]
        relation = (
            f"(SELECT {', '.join(columns)}, file_row_number + 1 AS {ROW} "
            f"FROM read_parquet('{path}', file_row_number = true))"
        )
        types = {name: schema.field(src).type for name, src in self.header.columns.items()}
        return self._numbered(relation, types), types, int(source.total or 0)

    def _staged_relation(self) -> tuple[str, dict[str, pa.DataType], int]:
        """Stream the source into a staging table, batch by batch, with a progress bar."""
        names = list(self.header.columns)
        self.progress.start(self._label("reading"), self.source.total, self.source.unit)
        read = 0
        types: dict[str, pa.DataType] = {}
        for batch, done in self.source.batches():
            arrays = [batch.column(src) for src in self.header.columns.values()]
            raw = pa.Table.from_arrays([*arrays, batch.column(ROW)], names=[*names, ROW])
            types = {name: raw.schema.field(name).type for name in names}
            self.con.register("_batch", raw)
            try:
                if read == 0:
                    self.con.execute(f"CREATE TABLE {STAGE} AS SELECT * FROM _batch")
                else:
                    self.con.execute(f"INSERT INTO {STAGE} SELECT * FROM _batch")
            finally:
                # after a failed statement the transaction is aborted and unregister fails
                # too; the first error is the one worth reporting
                with contextlib.suppress(duckdb.Error):
                    self.con.unregister("_batch")
            read += raw.num_rows
            self.progress.update(done)
        self.progress.finish()
        if read == 0:
            types = dict.fromkeys(names, pa.string())
            columns = ", ".join(f"{quote(n)} VARCHAR" for n in names)
            self.con.execute(f"CREATE TABLE {STAGE} ({columns}, {ROW} BIGINT)")
        return self._numbered(STAGE, types), types, read + len(self.source.malformed)

    def _numbered(self, relation: str, types: dict[str, pa.DataType]) -> str:
        """Number a generated key column (the order line) the file does not have."""
        missing = [c for c in self.spec.generated if c not in self.header.columns]
        for column in missing:
            group = ", ".join(quote(k) for k in self.spec.key if k != column)
            relation = (
                f"(SELECT *, row_number() OVER (PARTITION BY {group} ORDER BY {ROW}) "
                f"AS {quote(column)} FROM {relation})"
            )
            types[column] = pa.int64()
        return relation

    # -- rejections ----------------------------------------------------------------------------
    # One pass over the raw data evaluates every check and keeps, per row, a compact "flag"
    # row: ok, a 64-bit hash of the key and the reference columns. Duplicates and orphans are
    # found on the flags; the raw data is read again only for the (rare) rejected rows and
    # for the final insert, which skips the checks by anti-joining the rejected rows.
    def _reject_problems(self) -> None:
        keys = ", ".join(quote(k) for k in self.spec.key)
        refs = "".join(f", {quote(r.column)}" for r in self.spec.references)
        self._execute(
            f"""CREATE TEMP TABLE {FLAGS} AS
            SELECT {ROW}, _problems IS NULL AS ok, hash({keys}) AS h{refs} FROM {CHECKED}""",
            "checking",
        )
        if scalar(self.con, f"SELECT count(*) FROM {FLAGS} WHERE NOT ok"):
            self._execute(
                f"""INSERT INTO {REJECTED}
                SELECT {ROW}, _problems[1]."column", _problems[1].reason, _problems[1].value,
                       {DETAILS}, _record
                FROM {CHECKED} WHERE {ROW} IN (SELECT {ROW} FROM {FLAGS} WHERE NOT ok)""",
                "collecting rejected rows",
            )
        rows = [
            (m.row, None, "malformed_row", m.text, m.reason, None) for m in self.source.malformed
        ]
        if rows:
            self.con.executemany(f"INSERT INTO {REJECTED} VALUES (?, ?, ?, ?, ?, ?)", rows)

    def _record(self) -> str:
        return "to_json({" + ", ".join(f"'{c}': {quote(c)}" for c in self.spec.names) + "})"

    def _reject_duplicates(self) -> None:
        keys = ", ".join(quote(k) for k in self.spec.key)
        key_text = " || ' / ' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in self.spec.key)
        names = ", ".join(quote(c) for c in self.spec.names)
        # rows whose key hash repeats; exact keys are compared only among them
        self.con.execute(
            f"""CREATE TEMP TABLE _suspects AS SELECT {ROW} FROM {FLAGS}
            WHERE ok AND h IN (SELECT h FROM {FLAGS} WHERE ok GROUP BY h HAVING count(*) > 1)"""
        )
        if scalar(self.con, "SELECT count(*) FROM _suspects"):
            self._execute(
                f"""INSERT INTO {REJECTED}
                WITH suspects AS (SELECT {ROW}, {names} FROM {CHECKED}
                                  WHERE {ROW} IN (SELECT {ROW} FROM _suspects)),
                ranked AS (SELECT *, min({ROW}) OVER (PARTITION BY {keys}) AS first_row
                           FROM suspects)
                SELECT {ROW}, '{"+".join(self.spec.key)}', 'duplicate_key', {key_text},
                       'same key as row ' || first_row, {self._record()}
                FROM ranked WHERE {ROW} > first_row""",
                "finding duplicate keys",
            )
        self.con.execute("DROP TABLE _suspects")

    def _reject_orphans(self, column: str, table: str, target: str, reason: str) -> None:
        col = quote(column)
        names = ", ".join(quote(c) for c in self.spec.names)
        self.con.execute(
            f"""CREATE TEMP TABLE _orphans AS SELECT f.{ROW} FROM {FLAGS} f
            ANTI JOIN {quote(table)} t ON f.{col} = t.{quote(target)}
            WHERE f.ok AND f.{col} IS NOT NULL
              AND f.{ROW} NOT IN (SELECT {ROW} FROM {REJECTED})"""
        )
        if scalar(self.con, "SELECT count(*) FROM _orphans"):
            self._execute(
                f"""INSERT INTO {REJECTED}
                SELECT {ROW}, '{column}', '{reason}', {col},
                       'not in {table}; load {table} first', {self._record()}
                FROM (SELECT {ROW}, {names} FROM {CHECKED}
                      WHERE {ROW} IN (SELECT {ROW} FROM _orphans))""",
                f"collecting unknown {column}s",
            )
        self.con.execute("DROP TABLE _orphans")

    # -- writing -------------------------------------------------------------------------------
    def _accepted(self, columns: str) -> str:
        """The typed rows that were not rejected (the checks are not evaluated again)."""
        return f"(SELECT {columns} FROM {CHECKED} c ANTI JOIN {REJECTED} r ON c.{ROW} = r.{ROW})"

    def _upsert(self) -> tuple[int, int]:
        """Replace rows with the same key, then insert; return (replaced, inserted)."""
        names = ", ".join(quote(c) for c in self.spec.names)
        time = TIME_COLUMNS.get(self.spec.name)
        day = f"CAST({quote(time)} AS DATE)" if time else None
        replaced = 0
        empty = not scalar(self.con, f"SELECT count(*) > 0 FROM {self.table}")
        if not empty:
            keys = ", ".join(quote(k) for k in self.spec.key)
            kept, typed = (f"{keys}, _day", f"{keys}, {day} AS _day") if day else (keys, keys)
            self.con.execute(
                f"CREATE TEMP TABLE _keys AS SELECT DISTINCT {kept} FROM {self._accepted(typed)}"
            )
            match = " AND ".join(f"t.{quote(k)} = k.{quote(k)}" for k in self.spec.key)
            replaced = int(
                scalar(
                    self.con, f"SELECT count(*) FROM {self.table} t SEMI JOIN _keys k ON {match}"
                )
            )
            if day:  # the days of the rows added, and the old days of the rows replaced
                self._record_days("SELECT _day FROM _keys")
                if replaced:
                    self._record_days(
                        f"SELECT {day} FROM {self.table} t SEMI JOIN _keys k ON {match}"
                    )
            if replaced:
                delete = (
                    f"DELETE FROM {self.table} t WHERE EXISTS (SELECT 1 FROM _keys k WHERE {match})"
                )
                self._execute(delete, "replacing")
            self.con.execute("DROP TABLE _keys")
        before = int(scalar(self.con, f"SELECT count(*) FROM {self.table}"))
        self._execute(
            f"INSERT INTO {self.table} SELECT {names} FROM {self._accepted(names)}", "loading"
        )
        inserted = int(scalar(self.con, f"SELECT count(*) FROM {self.table}")) - before
        if day and empty:  # every row is the load's
            self._record_days(f"SELECT {day} FROM {self.table}")
        if day:  # the days are recorded (none when nothing was loaded)
            self.con.execute(
                f"INSERT INTO {LOAD_DAYS_TABLE} VALUES (?, ?, NULL)", [self.load_id, self.spec.name]
            )
        return replaced, inserted

    def _record_days(self, days: str) -> None:
        """Record the distinct days of the query ``days`` (one DATE column) for this load."""
        self.con.execute(
            f"INSERT INTO {LOAD_DAYS_TABLE} SELECT DISTINCT ?, ?, d.day FROM ({days}) AS d(day) "
            "WHERE d.day IS NOT NULL",
            [self.load_id, self.spec.name],
        )

    # -- running statements --------------------------------------------------------------------
    def _label(self, step: str) -> str:
        return f"{self.spec.name} ← {Path(self.source.location).name}: {step}"

    def _execute(self, sql: str, step: str) -> None:
        """Run one statement, reporting DuckDB's own progress (percent) to the caller."""
        if isinstance(self.progress, Silent):
            self.con.execute(sql)
            return
        failure: list[BaseException] = []
        returned = threading.Event()

        def work() -> None:
            try:
                self.con.execute(sql)
            except BaseException as error:  # re-raised in the calling thread
                failure.append(error)
            finally:
                returned.set()

        self.progress.start(self._label(step), 100, "%")
        # Ctrl-C or SIGTERM is held while the thread starts and becomes the worker: a signal
        # between the two would leave stop() waiting for a statement that never runs
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            threading.Thread(target=work, daemon=True).start()
            self.worker = returned
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        try:
            while not returned.wait(0.1):
                percent = self.con.query_progress()
                if percent >= 0:
                    self.progress.update(int(percent))
        finally:
            self.progress.finish()
        self.worker = None
        if failure:
            raise failure[0]

    def stop(self) -> None:
        """Interrupt and wait for a statement still running in the worker thread.

        The connection must be idle before it can roll back ("connection is busy"), and a
        thread still inside DuckDB when the process exits aborts it.
        """
        # an Event, not Thread.is_alive(): a join interrupted by the signal can leave the
        # thread marked as stopped while its statement still runs (CPython 3.11)
        returned = self.worker
        while returned is not None and not returned.is_set():
            try:
                self.con.interrupt()
                returned.wait(0.1)
            except KeyboardInterrupt:
                continue
        self.worker = None


__all__ = ["IngestResult", "ingest"]
