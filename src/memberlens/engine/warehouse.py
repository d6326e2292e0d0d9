"""The DuckDB warehouse file: connections, canonical tables and schema migrations.

A DuckDB file admits one writing process, and while it writes no other process can open it
at all (DESIGN §11). So the warehouse is opened per operation and closed at once: loads hold
the write connection only while loading, everything else opens read-only and briefly. A load
writes ``warehouse.duckdb.lock.json`` (what, process, start time) beside the file; a reader
that finds the file locked says whom it waits for and waits until the load ends (or
``[engine] lock_wait_seconds``), and a second writer is told who holds the warehouse.

Keys of DESIGN §4 are enforced by the loader (duplicates within a file are quarantined,
a later row with the same key replaces the earlier one) rather than by DuckDB PRIMARY KEY
indexes, which would hold an in-memory index of every key: 100 M order ids cost gigabytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memberlens.errors import WarehouseBusyError, WorkspaceError
from memberlens.schema import TABLES, TableSpec

if TYPE_CHECKING:
    import duckdb  # imported when a connection opens: `serve` starts without it

WAREHOUSE_FILE = "warehouse.duckdb"
SCHEMA_VERSION = 2

LOADS_TABLE = "_loads"
QUARANTINE_TABLE = "_quarantine"
META_TABLE = "_meta"
#: per load of a table with a time column: the days of the rows it added or replaced (and a
#: row with a null day, saying the load recorded them)
LOAD_DAYS_TABLE = "_load_days"


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


def _migrate_to_2(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LOAD_DAYS_TABLE} "
        "(load_id BIGINT, table_name VARCHAR, day DATE)"
    )


#: migrations[v] brings a warehouse from version v - 1 to v. Append, never edit.
MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    1: _migrate_to_1,
    2: _migrate_to_2,
}


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


#: The settings key (not DuckDB's) that carries ``[engine] lock_wait_seconds`` to connect().
LOCK_WAIT = "memberlens_lock_wait_seconds"

#: While a command waits for the warehouse it logs one line here ("waiting for the load of
#: orders (started 14:02:11, process 123) …"); core code never prints, the CLI shows it.
WAIT_LOGGER = "memberlens.wait"


def lock_info_path(path: Path) -> Path:
    """The small file beside the warehouse naming the process that writes it."""
    return path.with_name(path.name + ".lock.json")


@contextmanager
def holding(path: Path, what: str) -> Iterator[None]:
    """Record, while the block runs, that this process holds ``path`` for ``what``."""
    import json
    import os
    from datetime import datetime

    info = lock_info_path(path)
    record = {"what": what, "pid": os.getpid(), "started": datetime.now().isoformat()}
    with suppress(OSError):  # a read-only folder or a full disk: the load itself will say so
        info.write_text(json.dumps(record), encoding="utf-8")
    try:
        yield
    finally:
        with suppress(OSError):
            info.unlink()


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but belongs to someone else
        return True
    return True


def holder(path: Path, error: duckdb.Error | None = None) -> str:
    """Who holds the warehouse: "the load of orders (started 14:02:11, process 123)", or
    the process DuckDB names ("another process (process 123, /usr/bin/python3)"), e.g. a
    command reading it."""
    import json
    import re
    from datetime import datetime

    pid: int | None = None
    program = ""
    if error is not None:
        match = re.search(r"held in (.+?) \(PID (\d+)\)", str(error))
        if match:
            program, pid = match.group(1), int(match.group(2))
    try:
        record = json.loads(lock_info_path(path).read_text(encoding="utf-8"))
        started = datetime.fromisoformat(record["started"]).strftime("%H:%M:%S")
        if (pid is None or record["pid"] == pid) and _alive(int(record["pid"])):
            return f"{record['what']} (started {started}, process {record['pid']})"
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if pid is not None:
        return f"another process (process {pid}, {program})"
    return "another process"


def _open(path: Path, read_only: bool, config: dict[str, str | int]) -> duckdb.DuckDBPyConnection:
    settings: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False
    }
    settings.update(config)
    import duckdb

    con = duckdb.connect(str(path), read_only=read_only, config=settings)
    # DuckDB draws its progress bar on stdout for a query over 2 s, piped or not: at 10 M
    # members it would be written into `--format json` output (a per-connection setting)
    con.execute("SET enable_progress_bar_print = false")
    return con


@contextmanager
def connect(
    path: Path,
    *,
    read_only: bool = True,
    wait_seconds: float | None = None,
    settings: dict[str, str | int] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse briefly; wait while another process is loading.

    ``wait_seconds``: how long to wait for the holder (None: ``[engine] lock_wait_seconds``
    from ``settings``, else until it lets go; 0: do not wait). A writer never waits for
    another load, only (up to 10 s) for readers. While waiting it logs once, to
    :data:`WAIT_LOGGER`, who holds the warehouse.
    Read-only connections check that the schema is current; write connections migrate it.
    """
    import duckdb

    if read_only and not path.exists():
        raise WorkspaceError(
            f"No warehouse at {path}. Create a workspace with 'memberlens init {path.parent}'."
        )
    options = dict(settings or {})
    configured = options.pop(LOCK_WAIT, None)
    if wait_seconds is None:
        wait_seconds = float(configured) if configured is not None else float("inf")
    start = time.monotonic()
    delay = 0.05
    told = False
    while True:
        try:
            con = _open(path, read_only, options)
            break
        except duckdb.IOException as error:
            if not _is_lock_error(error):
                raise
            who = holder(path, error)
            limit = wait_seconds
            if not read_only:  # a writer waits for readers (brief), never for another load
                limit = 0.0 if who.startswith("the load") else min(wait_seconds, 10.0) or 10.0
            waited = time.monotonic() - start
            if waited >= limit:
                what = "a load" if read_only else "loading"
                raise WarehouseBusyError(
                    f"The warehouse {path} is held by {who}; {what} cannot open it now"
                    + (f" (waited {waited:.0f} s)" if waited >= 1 else "")
                    + ". Try again when it finishes."
                ) from None
            if not told:
                import logging

                logging.getLogger(WAIT_LOGGER).warning("waiting for %s …", who)
                told = True
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
