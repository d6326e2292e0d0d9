"""The DuckDB warehouse file: connections, canonical tables and schema migrations.

A DuckDB file admits one writing process, and while it writes no other process can open it
at all (DESIGN §11). So the warehouse is opened per operation and closed at once: loads hold
the write connection only while loading, everything else opens read-only and briefly, and a
reader that finds the file locked retries for a few seconds before giving a clear message.

Keys of DESIGN §4 are enforced by the loader (duplicates within a file are quarantined,
a later row with the same key replaces the earlier one) rather than by DuckDB PRIMARY KEY
indexes, which would hold an in-memory index of every key: 100 M order ids cost gigabytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from memberlens.errors import WarehouseBusyError, WorkspaceError
from memberlens.schema import TABLES, TableSpec

WAREHOUSE_FILE = "warehouse.duckdb"
SCHEMA_VERSION = 1

LOADS_TABLE = "_loads"
QUARANTINE_TABLE = "_quarantine"
META_TABLE = "_meta"


def quote(name: str) -> str:
    """Quote an identifier for DuckDB (``group`` and ``at`` are keywords)."""
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(spec: TableSpec, name: str | None = None) -> str:
    columns = ", ".join(f"{quote(c.name)} {c.sql_type}" for c in spec.columns)
    return f"CREATE TABLE IF NOT EXISTS {quote(name or spec.name)} ({columns})"


def _migrate_to_1(con: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES.values():
        con.execute(create_table_sql(spec))
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {LOADS_TABLE} (
            load_id BIGINT, table_name VARCHAR, source VARCHAR, source_bytes BIGINT,
            started_at TIMESTAMP, finished_at TIMESTAMP, rows_read BIGINT, loaded BIGINT,
            quarantined BIGINT, replaced BIGINT, ignored_columns VARCHAR[])"""
    )
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
            load_id BIGINT, table_name VARCHAR, source VARCHAR, "row" BIGINT,
            "column" VARCHAR, reason VARCHAR, value VARCHAR, details VARCHAR, record VARCHAR)"""
    )


#: migrations[v] brings a warehouse from version v - 1 to v. Append, never edit.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {1: _migrate_to_1}


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Any:
    """The single value of a one-row, one-column query (None when it returns no row)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [META_TABLE]
    )
    if not exists:
        return 0
    value = scalar(con, f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'")
    return int(value) if value is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the warehouse to :data:`SCHEMA_VERSION` in one transaction; return the old version."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise WorkspaceError(
            f"The warehouse has schema version {current}, newer than this memberlens "
            f"understands ({SCHEMA_VERSION}). Upgrade memberlens to open it."
        )
    if current == SCHEMA_VERSION:
        return current
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR, value VARCHAR)")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[version](con)
        con.execute(f"DELETE FROM {META_TABLE} WHERE key = 'schema_version'")
        con.execute(f"INSERT INTO {META_TABLE} VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return current


def _is_lock_error(error: duckdb.Error) -> bool:
    text = str(error)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def _open(path: Path, read_only: bool, config: dict[str, str | int]) -> duckdb.DuckDBPyConnection:
    settings: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False
    }
    settings.update(config)
    return duckdb.connect(str(path), read_only=read_only, config=settings)


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = True,
    wait_seconds: float = 10.0,
    settings: dict[str, str | int] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse briefly; retry while another process is loading.

    Read-only connections check that the schema is current; write connections migrate it.
    """
    if read_only and not path.exists():
        raise WorkspaceError(
            f"No warehouse at {path}. Create a workspace with 'memberlens init {path.parent}'."
        )
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = _open(path, read_only, settings or {})
            break
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"The warehouse {path} is held by another process (a load is running). "
                    "Try again when it finishes."
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        if read_only:
            version = schema_version(con)
            if version != SCHEMA_VERSION:
                raise WorkspaceError(
                    f"The warehouse {path} has schema version {version}; this memberlens uses "
                    f"{SCHEMA_VERSION}. Run 'memberlens -w {path.parent} migrate' to upgrade it."
                )
        else:
            migrate(con)
        yield con
    finally:
        con.close()
