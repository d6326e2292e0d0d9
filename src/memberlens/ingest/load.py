"""Load one source into one canonical table: atomic, idempotent, nothing lost.

The whole load is one DuckDB transaction. Batches stream from the source; each is parsed
and checked in SQL (:mod:`memberlens.ingest.validate`); good rows go to an ``_incoming``
table, bad ones to ``_quarantine`` with their row number and reasons. Once the file is read,
within-file duplicate keys and references to unknown members/orders/campaigns are moved to
quarantine too, then ``_incoming`` replaces the rows with the same key in the target and is
dropped. An error or interrupt at any point rolls everything back.

Re-loading a file replaces that file's earlier quarantine entries, so loading the same file
twice leaves the warehouse as one load did (the load log gains a line).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from memberlens.config import Config
from memberlens.ingest.headers import HeaderMap, resolve_header
from memberlens.ingest.sources import ROW, Source, open_source
from memberlens.ingest.validate import batch_select
from memberlens.progress import Progress, Silent
from memberlens.schema import TABLES, TableSpec, table_spec
from memberlens.warehouse import LOADS_TABLE, QUARANTINE_TABLE, connect, quote, scalar

INCOMING = "_incoming"


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
) -> IngestResult:
    """Load ``location`` into canonical ``table`` of the warehouse at ``warehouse``."""
    spec = table_spec(table)
    source = open_source(
        str(location), encoding=encoding, sheet=sheet, table=sql_table, query=query
    )
    explicit = {**config.mapping.get(table, {}), **(mapping or {})}
    header = resolve_header(spec, source.columns, explicit, source.location)
    settings: dict[str, str | int] = {"preserve_insertion_order": "false"}
    if config.engine.memory_limit:
        settings["memory_limit"] = config.engine.memory_limit
    if config.engine.threads:
        settings["threads"] = config.engine.threads
    with connect(warehouse, read_only=False, wait_seconds=0, settings=settings) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            loader = _Loader(con, spec, source, header, config.workspace.timezone)
            result = loader.run(progress or Silent())
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return result


class _Loader:
    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        spec: TableSpec,
        source: Source,
        header: HeaderMap,
        timezone: str,
    ) -> None:
        self.con = con
        self.source = source
        self.header = header
        self.timezone = timezone
        # a generated key column (order line) absent from the file is numbered by the loader
        self.numbered = [c for c in spec.generated if c not in header.columns]
        columns = tuple(
            dataclasses.replace(c, required=False) if c.name in self.numbered else c
            for c in spec.columns
        )
        self.spec = dataclasses.replace(spec, columns=columns)
        self.table = quote(spec.name)
        self.load_id = 0

    # -- steps -------------------------------------------------------------------------------
    def run(self, progress: Progress) -> IngestResult:
        started = datetime.now()
        clock = time.perf_counter()
        self.load_id = self._next_load_id()
        self.con.execute(
            f"DELETE FROM {QUARANTINE_TABLE} WHERE table_name = ? AND source = ?",
            [self.spec.name, self.source.location],
        )
        names = ", ".join(f"{quote(c.name)} {c.sql_type}" for c in self.spec.columns)
        self.con.execute(f"CREATE TABLE {INCOMING} ({ROW} BIGINT, {names})")
        progress.start(
            f"{self.spec.name} ← {Path(self.source.location).name}",
            self.source.total,
            self.source.unit,
        )
        read = 0
        for batch, done in self.source.batches():
            read += batch.num_rows
            self._check_batch(batch)
            progress.update(done)
        progress.finish()
        read += len(self.source.malformed)
        self._quarantine_malformed()
        self._number_lines()
        self._quarantine_duplicates()
        for reference in self.spec.references:
            if reference.table != self.spec.name:
                self._quarantine_orphans(
                    reference.column, reference.table, reference.target, reference.reason
                )
        replaced = self._upsert()
        loaded = self._count(INCOMING)
        self.con.execute(f"DROP TABLE {INCOMING}")
        reasons: dict[str, int] = dict(
            self.con.execute(
                f"SELECT reason, count(*) FROM {QUARANTINE_TABLE} WHERE load_id = ? "
                "GROUP BY reason ORDER BY 2 DESC, 1",
                [self.load_id],
            ).fetchall()
        )
        quarantined = sum(reasons.values())
        seconds = time.perf_counter() - clock
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
            seconds=seconds,
            reasons=reasons,
            ignored_columns=self.header.ignored,
            notes=self.header.notes,
            detail=self.source.detail,
        )

    def _next_load_id(self) -> int:
        return int(scalar(self.con, f"SELECT coalesce(max(load_id), 0) + 1 FROM {LOADS_TABLE}"))

    def _count(self, table: str) -> int:
        return int(scalar(self.con, f"SELECT count(*) FROM {table}"))

    def _canonical(self, batch: pa.Table) -> pa.Table:
        """Keep the mapped columns under their canonical names, plus ``_row``."""
        columns = self.header.columns
        arrays = [batch.column(source) for source in columns.values()] + [batch.column(ROW)]
        return pa.Table.from_arrays(arrays, names=[*columns, ROW])

    def _check_batch(self, batch: pa.Table) -> None:
        raw = self._canonical(batch)
        types = {name: raw.schema.field(name).type for name in self.header.columns}
        self.con.register("_batch", raw)
        try:
            select = batch_select(self.spec, types, self.timezone, "_batch")
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE _checked AS {select}")
        finally:
            # after a failed statement the transaction is aborted and unregister fails too;
            # the first error is the one worth reporting
            with contextlib.suppress(duckdb.Error):
                self.con.unregister("_batch")
        names = ", ".join(quote(c) for c in self.spec.names)
        self.con.execute(
            f"INSERT INTO {INCOMING} SELECT {ROW}, {names} FROM _checked WHERE _problems IS NULL"
        )
        self.con.execute(
            f"""INSERT INTO {QUARANTINE_TABLE}
            SELECT ?, ?, ?, {ROW}, _problems[1]."column", _problems[1].reason,
                   _problems[1].value,
                   array_to_string(list_transform(_problems,
                       lambda p: p."column" || ': ' || p.reason
                       || coalesce(' ''' || p.value || '''', '')), '; '),
                   _record
            FROM _checked WHERE _problems IS NOT NULL""",
            [self.load_id, self.spec.name, self.source.location],
        )
        self.con.execute("DROP TABLE _checked")

    def _quarantine_malformed(self) -> None:
        rows = [
            (
                self.load_id,
                self.spec.name,
                self.source.location,
                m.row,
                None,
                "malformed_row",
                m.text,
                m.reason,
                None,
            )
            for m in self.source.malformed
        ]
        if rows:
            self.con.executemany(
                f"INSERT INTO {QUARANTINE_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )

    def _number_lines(self) -> None:
        for column in self.numbered:
            group = ", ".join(quote(k) for k in self.spec.key if k != column)
            self.con.execute(
                f"""UPDATE {INCOMING} SET {quote(column)} = n.line FROM (
                    SELECT {ROW} AS r, row_number() OVER (PARTITION BY {group} ORDER BY {ROW})
                    AS line FROM {INCOMING}) n WHERE {ROW} = n.r"""
            )

    def _move_to_quarantine(self, rows_sql: str, column: str, reason: str) -> None:
        """Quarantine the incoming rows selected by ``rows_sql`` (_row, value, details)."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _rejected AS {rows_sql}")
        record = "{" + ", ".join(f"'{c}': i.{quote(c)}" for c in self.spec.names) + "}"
        self.con.execute(
            f"""INSERT INTO {QUARANTINE_TABLE}
            SELECT ?, ?, ?, i.{ROW}, ?, ?, r.value, r.details, to_json({record})
            FROM {INCOMING} i JOIN _rejected r ON i.{ROW} = r.{ROW}""",
            [self.load_id, self.spec.name, self.source.location, column, reason],
        )
        self.con.execute(f"DELETE FROM {INCOMING} WHERE {ROW} IN (SELECT {ROW} FROM _rejected)")
        self.con.execute("DROP TABLE _rejected")

    def _quarantine_duplicates(self) -> None:
        keys = ", ".join(quote(k) for k in self.spec.key)
        key_text = " || ' / ' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in self.spec.key)
        # group on a 64-bit hash first: far cheaper than grouping 100 M key strings
        self._move_to_quarantine(
            f"""WITH candidates AS (
                    SELECT hash({keys}) AS h FROM {INCOMING} GROUP BY 1 HAVING count(*) > 1),
                rows AS (SELECT * FROM {INCOMING} WHERE hash({keys}) IN (SELECT h FROM candidates)),
                ranked AS (SELECT {ROW}, {key_text} AS value,
                                  min({ROW}) OVER (PARTITION BY {keys}) AS first_row FROM rows)
                SELECT {ROW}, value, 'same key as row ' || first_row AS details
                FROM ranked WHERE {ROW} > first_row""",
            "+".join(self.spec.key),
            "duplicate_key",
        )

    def _quarantine_orphans(self, column: str, table: str, target: str, reason: str) -> None:
        col = quote(column)
        hint = f"not in {table}; load {table} first"
        self._move_to_quarantine(
            f"""SELECT i.{ROW}, i.{col} AS value, '{hint}' AS details
                FROM {INCOMING} i ANTI JOIN {quote(table)} t ON i.{col} = t.{quote(target)}
                WHERE i.{col} IS NOT NULL""",
            column,
            reason,
        )

    def _upsert(self) -> int:
        """Replace rows with the same key, then append; return how many were replaced."""
        replaced = 0
        if self._count(self.table):
            match = " AND ".join(f"t.{quote(k)} = i.{quote(k)}" for k in self.spec.key)
            replaced = int(
                scalar(
                    self.con,
                    f"SELECT count(*) FROM {self.table} t SEMI JOIN {INCOMING} i ON {match}",
                )
            )
            if replaced:
                self.con.execute(
                    f"DELETE FROM {self.table} t WHERE EXISTS "
                    f"(SELECT 1 FROM {INCOMING} i WHERE {match})"
                )
        names = ", ".join(quote(c) for c in self.spec.names)
        self.con.execute(f"INSERT INTO {self.table} SELECT {names} FROM {INCOMING}")
        return replaced


__all__ = ["TABLES", "IngestResult", "ingest"]
