"""What ``[sources.<table>]`` has that the warehouse does not: new or changed files, and the
rows of a database query past its watermark (DESIGN §15, docs/daily.md).

A file is known by its name (the path relative to the workspace), size and the SHA-256 of
its content; a file whose size and modification time are those recorded is not read again
(the hash is computed only for a file that is new or was touched). A file under a known
name whose size or content changed is loaded again: the ingest replaces the rows with the
same keys and the file's earlier quarantine rows (DESIGN §5); rows that vanished from the
file stay in the warehouse.

A database source runs ``SELECT * FROM (query) WHERE watermark > last AND watermark <=
upper``: ``upper`` is read first (the largest value now), so rows written while the load
runs are left for the next run rather than skipped.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from memberlens.config import Config, SourceSettings
from memberlens.daily.state import SourceState
from memberlens.errors import SourceError
from memberlens.schema import LOAD_ORDER

_CHUNK = 1 << 20


@dataclass(frozen=True)
class PendingFile:
    """A source file to load: new, or changed since it was loaded."""

    table: str
    path: Path
    name: str  # as remembered: relative to the workspace when inside it
    size: int
    mtime_ns: int
    sha256: str
    reason: Literal["new", "changed"]

    def describe(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "source": self.name,
            "reason": self.reason,
            "size": self.size,
        }

    def fingerprint(self) -> dict[str, Any]:
        return {"size": self.size, "mtime_ns": self.mtime_ns, "sha256": self.sha256}


@dataclass(frozen=True)
class PendingQuery:
    """The rows of a database source past its watermark."""

    table: str
    url: str
    location: str  # the URL with its password hidden
    sql: str  # the query with the watermark window
    watermark: str
    since: Any  # the last value loaded (None: never loaded)
    upper: Any  # the largest value now
    rows: int

    def describe(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "source": self.location,
            "reason": "new rows",
            "watermark": self.watermark,
            "since": self.since,
            "upper": self.upper,
            "rows": self.rows,
            "query": self.sql,
        }


Pending = PendingFile | PendingQuery


def pending(config: Config, root: Path, state: SourceState) -> list[Pending]:
    """Everything to load, tables in the load order (members before their orders), each
    table's files by name."""
    found: list[Pending] = []
    for table in sorted(config.sources, key=LOAD_ORDER.index):
        source = config.sources[table]
        if source.path is not None:
            found.extend(_files(table, source.path, root, state))
        else:
            query = _query(table, source, state)
            if query is not None:
                found.append(query)
    return found


def _files(table: str, pattern: str, root: Path, state: SourceState) -> list[PendingFile]:
    base = root.resolve()
    absolute = Path(pattern) if Path(pattern).is_absolute() else base / pattern
    # glob.glob, not Path.glob: the pattern may be absolute
    matches = sorted(Path(p) for p in glob.glob(str(absolute), recursive=True))  # noqa: PTH207
    files = []
    for path in matches:
        if not path.is_file() or path.name.endswith(".partial"):
            continue
        name = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        stat = path.stat()
        known = state.known(table, name)
        if known is not None and (known.get("size"), known.get("mtime_ns")) == (
            stat.st_size,
            stat.st_mtime_ns,
        ):
            continue  # untouched since it was loaded: not read again
        digest = _sha256(path)
        if (
            known is not None
            and known.get("size") == stat.st_size
            and known.get("sha256") == digest
        ):
            continue  # touched (copied again, say) but the same content
        reason: Literal["new", "changed"] = "new" if known is None else "changed"
        files.append(PendingFile(table, path, name, stat.st_size, stat.st_mtime_ns, digest, reason))
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _query(table: str, source: SourceSettings, state: SourceState) -> PendingQuery | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    url, query, column = source.url or "", source.query or "", source.watermark or ""
    try:
        location = make_url(url).render_as_string(hide_password=True)
        engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as error:
        raise SourceError(f"[sources.{table}] url: cannot use {url!r}: {error}") from None
    since = state.watermarks.get(table, {}).get("value")
    try:
        with engine.connect() as con:
            quoted = con.dialect.identifier_preparer.quote(column)
            after = f"_src.{quoted} > {literal(since)}" if since is not None else "1 = 1"
            probe = f"SELECT count(*), max(_src.{quoted}) FROM ({query}) AS _src WHERE {after}"
            rows, upper = con.execute(text(probe)).one()
    except SQLAlchemyError as error:
        raise SourceError(
            f"[sources.{table}] {location}: the query with watermark {column!r} failed: "
            f"{str(getattr(error, 'orig', None) or error).strip().splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    if not rows or upper is None:
        return None
    upper = plain(upper)
    window = f"{after} AND _src.{quoted} <= {literal(upper)}"
    sql = f"SELECT * FROM ({query}) AS _src WHERE {window}"
    return PendingQuery(table, url, location, sql, column, since, upper, int(rows))


def plain(value: Any) -> Any:
    """A watermark value as JSON keeps it: numbers as numbers, everything else as text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if "datetime" in type(value).__name__ else value.isoformat()
    return str(value)


def literal(value: Any) -> str:
    """A watermark value as a SQL literal: a number as written, text quoted."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
