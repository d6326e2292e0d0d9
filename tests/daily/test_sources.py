"""Which files are new: by name, size and content hash (modification time as a shortcut)."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import memberlens as ml
from memberlens.config import parse_config
from memberlens.daily.run import parse_date
from memberlens.daily.sources import PendingFile, pending
from memberlens.daily.state import SourceState


def _names(root: Path, state: SourceState) -> list[tuple[str, str]]:
    config = parse_config({"sources": {"orders": {"path": "in/**/*.csv"}}})
    found = pending(config, root, state)
    assert all(isinstance(p, PendingFile) for p in found)
    return [(p.name, p.reason) for p in found if isinstance(p, PendingFile)]


def _remember(root: Path, state: SourceState) -> None:
    config = parse_config({"sources": {"orders": {"path": "in/**/*.csv"}}})
    for p in pending(config, root, state):
        assert isinstance(p, PendingFile)
        state.remember_file(p.table, p.name, p.fingerprint())


def test_new_touched_and_changed_files(tmp_path: Path) -> None:
    (tmp_path / "in" / "2024").mkdir(parents=True)
    (tmp_path / "in" / "a.csv").write_text("order_id\nO1\n", encoding="utf-8")
    (tmp_path / "in" / "2024" / "b.csv").write_text("order_id\nO2\n", encoding="utf-8")
    (tmp_path / "in" / "c.csv.partial").write_text("still being written", encoding="utf-8")
    state = SourceState.read(tmp_path)
    assert _names(tmp_path, state) == [("in/2024/b.csv", "new"), ("in/a.csv", "new")]
    _remember(tmp_path, state)
    assert _names(tmp_path, SourceState.read(tmp_path)) == []

    a = tmp_path / "in" / "a.csv"
    later = a.stat().st_mtime_ns + 10**9
    os.utime(a, ns=(later, later))  # touched, the same bytes: not new
    assert _names(tmp_path, SourceState.read(tmp_path)) == []
    a.write_text("order_id\nO9\n", encoding="utf-8")  # the same size, other content
    os.utime(a, ns=(later + 10**9, later + 10**9))
    assert _names(tmp_path, SourceState.read(tmp_path)) == [("in/a.csv", "changed")]


def test_the_default_date_is_yesterday_in_the_business_timezone(tmp_path: Path) -> None:
    ws = ml.init(tmp_path / "shop")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert parse_date(None, ws) in (today - timedelta(days=1), today)  # midnight between calls
    assert parse_date("2024-03-10", ws) == date(2024, 3, 10)
