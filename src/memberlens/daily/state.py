"""What ``run-daily`` remembers in the workspace, as JSON beside ``memberlens.toml``.

* ``daily/sources.json`` — every source file loaded (by its name, size and SHA-256 of its
  content) and, per database source, the largest watermark value loaded so far;
* ``daily/deliveries.jsonl`` — one line per successful delivery, keyed by date, channel and
  the digest of the alerts sent.

Both are written after the warehouse has committed: a run killed in between loads the same
file again next time, which the ingest's idempotency makes harmless (docs/daily.md). Files
are replaced atomically (written beside, then renamed), so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from memberlens.errors import WorkspaceError

FOLDER = "daily"
SOURCES_FILE = "sources.json"
DELIVERIES_FILE = "deliveries.jsonl"
LOCK_FILE = "run.lock"
VERSION = 1


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class SourceState:
    """The loaded files (table → name → fingerprint) and watermarks (table → value)."""

    path: Path
    files: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    watermarks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> SourceState:
        path = root / FOLDER / SOURCES_FILE
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise WorkspaceError(
                f"{path} is not readable JSON ({error}). It records the source files "
                "already loaded; restore it from a backup, or delete it to load every "
                "source file again (loads are idempotent)."
            ) from None
        return cls(path, data.get("files", {}), data.get("watermarks", {}))

    def known(self, table: str, name: str) -> dict[str, Any] | None:
        return self.files.get(table, {}).get(name)

    def remember_file(self, table: str, name: str, fingerprint: dict[str, Any]) -> None:
        self.files.setdefault(table, {})[name] = {**fingerprint, "loaded_at": _now()}
        self.write()

    def remember_watermark(self, table: str, value: Any, rows: int) -> None:
        self.watermarks[table] = {"value": value, "rows": rows, "loaded_at": _now()}
        self.write()

    def write(self) -> None:
        document = {"version": VERSION, "files": self.files, "watermarks": self.watermarks}
        write_atomically(self.path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@dataclass
class DeliveryLog:
    """Successful deliveries, one JSON object per line; only successes are written, so a
    failed delivery is tried again by the next run."""

    path: Path
    keys: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, root: Path) -> DeliveryLog:
        path = root / FOLDER / DELIVERIES_FILE
        keys = set()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(ValueError):  # a torn last line: that send is retried
                    keys.add(json.loads(line)["key"])
        return cls(path, keys)

    def sent(self, key: str) -> bool:
        return key in self.keys

    def record(self, key: str, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"key": key, **entry, "sent_at": _now()}, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.keys.add(key)


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


@contextlib.contextmanager
def exclusive(root: Path) -> Iterator[None]:
    """One daily run at a time per workspace (an advisory lock on ``daily/run.lock``)."""
    import fcntl

    path = root / FOLDER / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkspaceError(
                f"Another run-daily is running on {root} (it holds {path}); wait for it to "
                "finish, then run again."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
