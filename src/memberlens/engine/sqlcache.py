"""Compiled SQL kept between calls, keyed by the whole structure of the expression.

Ibis compiles an expression to SQL in pure Python: a tenth of a second or more for a query
of the metric layer, where DuckDB then answers in milliseconds. An everyday command runs
the same queries as the last time it ran (same metrics, same period, same tables), so the
SQL of each is kept in a file named by the expression's fingerprint and read back instead
of compiled again.

The fingerprint is a digest of every node of the expression: its class and each argument,
recursively — columns, literals with their types, data types, schemas and table names. Two
expressions with the same fingerprint are equal as Ibis compares them, so they compile to the
same SQL. An argument the digest does not know (an in-memory table's data, say) makes the
expression uncacheable: it is compiled as before. The folder is named by the versions of Ibis
and sqlglot, the two libraries that decide the SQL, so an upgrade starts an empty one.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import enum
import functools
import hashlib
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from ibis.backends import BaseBackend
from ibis.common.collections import FrozenDict

#: Files kept per folder before the oldest are removed (a query's SQL is a few kilobytes).
LIMIT = 4000

_PLAIN: tuple[type, ...] = (str, int, float, bool, bytes, type(None), decimal.Decimal, uuid.UUID)
_PLAIN += (enum.Enum, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)


class _Unknown(Exception):
    """An argument the fingerprint cannot describe faithfully."""


def fingerprint(node: Any) -> str | None:
    """The digest of ``node`` (an Ibis operation) and everything under it, or None when a
    part of it cannot be described (then the expression is not cached)."""
    try:
        return _digest(node, {})
    except (_Unknown, RecursionError):  # a tree deeper than the interpreter's stack: compiled
        return None


def _digest(value: Any, seen: dict[int, tuple[Any, str]]) -> str:
    # Operations, data types and schemas are immutable and held by the tree while it is
    # read, so their id names them; the memo keeps each alive, so an id found in it is that
    # very object (ids are unique among live objects).
    found = seen.get(id(value))
    if found is not None:
        return found[1]
    kind = type(value)
    if kind is str or isinstance(value, _PLAIN):
        return f"{kind.__qualname__}:{value!r}"
    if kind is tuple or kind is list:
        return "(" + ",".join([_digest(v, seen) for v in value]) + ")"
    if hasattr(kind, "__argnames__") and hasattr(value, "__args__"):
        if not _importable(kind):  # a class made at run time (a UDF): its name says too little
            raise _Unknown(kind.__qualname__)
        parts = [f"{kind.__module__}.{kind.__qualname__}"]
        parts.extend(
            [
                f"{name}={_digest(arg, seen)}"
                for name, arg in zip(value.__argnames__, value.__args__, strict=True)
            ]
        )
        text = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
        seen[id(value)] = (value, text)
        return text
    if isinstance(value, frozenset):  # unordered: equal sets, equal digests
        return "set(" + ",".join(sorted(_digest(v, seen) for v in value)) + ")"
    if isinstance(value, FrozenDict | dict):
        items = [f"{_digest(k, seen)}:{_digest(v, seen)}" for k, v in value.items()]
        return "{" + ",".join(items) + "}"
    if isinstance(value, tuple):
        return "(" + ",".join([_digest(v, seen) for v in value]) + ")"
    if isinstance(value, BaseBackend):
        return f"backend:{value.name}"
    raise _Unknown(kind.__qualname__)


def _importable(cls: type) -> bool:
    """Whether ``cls`` is what its module and name lead to. A UDF's class is made at run time
    with a name from a counter (``f_0``) and keeps the SQL it stands for in class
    attributes, not arguments, so two UDFs of two processes can share a name: never cached."""
    known = _CLASSES.get(id(cls))
    if known is None:
        found: Any = sys.modules.get(cls.__module__)
        for part in cls.__qualname__.split("."):
            found = getattr(found, part, None)
        known = _CLASSES[id(cls)] = (cls, found is cls)  # the class kept: its id stays its own
    return known[1]


_CLASSES: dict[int, tuple[type, bool]] = {}


def folder(root: Path) -> Path:
    """The cache folder of a workspace for the installed Ibis and sqlglot."""
    return root / ".cache" / _versions()


@functools.cache
def _versions() -> str:
    import ibis
    import sqlglot

    return f"sql-ibis{ibis.__version__}-sqlglot{getattr(sqlglot, '__version__', 'unknown')}"


def read(place: Path, key: str) -> str | None:
    """The SQL kept under ``key``, or None (also for a file that is empty or not text)."""
    path = place / f"{key}.sql"
    try:
        sql = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    with contextlib.suppress(OSError):  # used now: the last to be pruned
        os.utime(path)
    return sql if sql.strip() else None


def write(place: Path, key: str, sql: str) -> None:
    """Keep ``sql`` under ``key`` (atomically: a reader sees the whole file or none). A folder
    that cannot be written (a read-only workspace) keeps nothing; the SQL is compiled again
    next time."""
    # one temporary file per process and thread: the service's threads may write one key at once
    temporary = place / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        place.mkdir(parents=True, exist_ok=True)
        temporary.write_text(sql, encoding="utf-8")
        temporary.replace(place / f"{key}.sql")
        _prune(place)
    except OSError:
        with contextlib.suppress(OSError):  # a full disk: no half-written file stays behind
            temporary.unlink(missing_ok=True)


def _prune(place: Path) -> None:
    """Keep at most :data:`LIMIT` files, the least recently used removed first, and remove
    the temporary files of writers that were killed (an hour old)."""
    entries = list(os.scandir(place))
    stale = time.time() - 3600
    for entry in entries:
        if entry.name.endswith(".tmp") and entry.stat().st_mtime < stale:
            Path(entry.path).unlink(missing_ok=True)
    kept = [e for e in entries if e.name.endswith(".sql")]
    if len(kept) <= LIMIT:
        return
    kept.sort(key=lambda e: e.stat().st_mtime)
    for entry in kept[: len(kept) - LIMIT // 2]:
        Path(entry.path).unlink(missing_ok=True)
