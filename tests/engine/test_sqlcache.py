"""The cache of compiled SQL: a fingerprint names exactly one structure, a cached query's SQL
is the SQL Ibis compiles for it, and a folder that cannot be written only costs time."""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

import memberlens as ml
from memberlens.engine import sqlcache
from memberlens.engine.session import Session
from memberlens.metrics.catalog import METRICS
from memberlens.voc import service  # noqa: F401 - registers the service metrics

IDS = [m.id for m in METRICS]

ORDERS = ibis.table(
    {"member_id": "string", "ordered_at": "timestamp", "amount": "decimal(18, 2)"},
    name="orders",
)


def query(
    table: Any = ORDERS,
    since: Any = date(2025, 3, 1),
    minimum: Any = 10,
    column: str = "amount",
    name: str = "total",
) -> Any:
    """A grouped query with a date, a number, a column and an output name to vary."""
    kept = table.filter(table.ordered_at >= since, table[column] > minimum)
    return kept.group_by("member_id").agg(**{name: kept[column].sum()}).op()


def test_equal_structures_share_a_fingerprint_and_every_difference_changes_it() -> None:
    assert sqlcache.fingerprint(query()) == sqlcache.fingerprint(query())
    other_types = ibis.table(
        {"member_id": "string", "ordered_at": "timestamp", "amount": "float64"}, name="orders"
    )
    not_null = ibis.table(
        {"member_id": "!string", "ordered_at": "timestamp", "amount": "decimal(18, 2)"},
        name="orders",
    )
    variants = [
        query(),
        query(since=date(2025, 3, 2)),
        query(since=datetime(2025, 3, 1)),
        query(minimum=11),
        query(minimum=10.0),
        query(minimum=Decimal("10")),
        query(minimum=Decimal("10.5")),
        query(name="revenue"),
        query(table=other_types),
        query(table=not_null),
        query(table=ORDERS.view()),
        query(table=ibis.table(ORDERS.schema(), name="refunds")),
    ]
    prints = [sqlcache.fingerprint(v) for v in variants]
    assert None not in prints
    assert len(set(prints)) == len(variants)
    # Ibis keeps a decimal literal normalised: 10 and 10.00 are one node, one SQL
    assert sqlcache.fingerprint(query(minimum=Decimal("10.00"))) == prints[5]


def test_an_in_list_is_a_set_whatever_its_order_and_in_memory_data_is_not_cached() -> None:
    a = ORDERS.filter(ORDERS.member_id.isin(["M1", "M2"])).op()
    b = ORDERS.filter(ORDERS.member_id.isin(["M1", "M3"])).op()
    assert sqlcache.fingerprint(a) != sqlcache.fingerprint(b)
    rows = ibis.memtable(pa.table({"member_id": ["M1"]}))
    assert sqlcache.fingerprint(ORDERS.join(rows, "member_id").op()) is None


def _recording(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count cache hits and misses, and check every hit's SQL against a fresh compile."""
    seen = {"hits": 0, "misses": 0, "uncached": 0}
    read = sqlcache.read
    compile_sql = Session._sql

    def checked(self: Session, table: Any) -> str:
        sql = compile_sql(self, table)
        key = sqlcache.fingerprint(table.op())
        if key is None:
            seen["uncached"] += 1
        elif read(sqlcache.folder(self.root), key) == sql:  # type: ignore[arg-type]
            fresh = str(self.backend.compile(table))
            assert sql == fresh, "a cached query's SQL is not the SQL Ibis compiles for it"
            seen["hits"] += 1
        return sql

    monkeypatch.setattr(Session, "_sql", checked)
    return seen


def _commands(ws: ml.Workspace) -> list[Any]:
    """What an analyst runs every day: the summary, a split, alerts, campaigns (floats to 9
    significant digits: DuckDB's parallel sums may differ in the last bits between runs)."""
    return _rounded(
        [
            ws.summary(IDS, "2025-03").to_dicts(),
            ws.metrics(["repurchase_rate", "aov"], "2025-Q1", by="points_user").to_dicts(),
            ws.analyses.alerts("2025-01-01", "2025-06-30"),
            ws.experiments.campaigns(by="tier"),
        ]
    )


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return _rounded(dataclasses.asdict(value))
    return value


def test_a_second_run_reads_every_query_from_the_cache_with_the_same_results(
    demo_ws: ml.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_ws.root, root, ignore=shutil.ignore_patterns(".cache"))
    ws = ml.open(root)
    first = _commands(ws)
    files = list(sqlcache.folder(root).glob("*.sql"))
    assert len(files) > 20
    seen = _recording(monkeypatch)
    assert _commands(ws) == first
    assert seen["hits"] >= len(files) // 2
    assert seen["uncached"] <= seen["hits"] // 10  # nearly every query has a fingerprint


def test_a_folder_that_cannot_be_written_only_costs_the_compile(
    demo_ws: ml.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    shutil.copytree(demo_ws.root, root, ignore=shutil.ignore_patterns(".cache"))
    (root / ".cache").write_text("not a folder", encoding="utf-8")  # mkdir fails under it
    ws = ml.open(root)
    expected = _rounded(ml.open(demo_ws.root).summary(IDS, "2025-03").to_dicts())
    assert _rounded(ws.summary(IDS, "2025-03").to_dicts()) == expected
    assert (root / ".cache").read_text(encoding="utf-8") == "not a folder"


def test_a_full_disk_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Path, *args: Any, **kwargs: Any) -> int:
        Path.open(self, "w").close()  # the file exists, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    sqlcache.write(tmp_path, "k", "SELECT 1")
    assert list(tmp_path.iterdir()) == []
    assert sqlcache.read(tmp_path, "k") is None


def test_the_folder_keeps_at_most_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlcache, "LIMIT", 10)
    for i in range(11):
        sqlcache.write(tmp_path, f"k{i}", f"SELECT {i}")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) <= 10
    assert "k10.sql" in left  # the newest stays


def test_threads_writing_one_key_at_once_leave_a_whole_file(tmp_path: Path) -> None:
    sql = "SELECT " + ", ".join(f"{i} AS c{i}" for i in range(5000))  # long enough to interleave
    seen: list[str | None] = []

    def work() -> None:
        for _ in range(20):
            sqlcache.write(tmp_path, "k", sql)
            seen.append(sqlcache.read(tmp_path, "k"))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(seen) == {sql}
    assert [p.name for p in tmp_path.iterdir()] == ["k.sql"]


def test_an_empty_or_unreadable_file_is_compiled_again(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("", encoding="utf-8")
    (tmp_path / "b.sql").write_bytes(b"\xff\xfe SELECT")
    assert sqlcache.read(tmp_path, "a") is None
    assert sqlcache.read(tmp_path, "b") is None


def test_a_udf_or_a_tree_deeper_than_the_stack_is_compiled_not_cached() -> None:
    # a UDF's class is made at run time, named by a counter that restarts in every process,
    # and holds its SQL function outside its arguments: two processes' UDFs could share a key
    @ibis.udf.scalar.builtin(name="upper")
    def shout(x: str) -> str: ...  # type: ignore[empty-body]

    people = ibis.table({"s": "string"}, name="people")
    assert sqlcache.fingerprint(people.select(y=shout(people.s)).op()) is None
    deep = people
    for i in range(700):  # Ibis compiles it; the digest would pass the recursion limit
        deep = deep.mutate(**{f"c{i % 3}": deep.s}).filter(deep.s != str(i))
    assert sqlcache.fingerprint(deep.op()) is None


def test_a_killed_writers_temporary_file_is_removed_and_reading_keeps_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    left = tmp_path / ".k.123.456.tmp"
    left.write_text("SELECT", encoding="utf-8")
    os.utime(left, (0, 0))  # an hour and more ago
    fresh = tmp_path / ".j.123.457.tmp"
    fresh.write_text("SELECT", encoding="utf-8")  # a writer at work now
    sqlcache.write(tmp_path, "k", "SELECT 1")
    assert not left.exists() and fresh.exists()
    fresh.unlink()

    monkeypatch.setattr(sqlcache, "LIMIT", 4)
    for i in range(3):  # with k: four files, none pruned
        sqlcache.write(tmp_path, f"q{i}", f"SELECT {i}")
        os.utime(tmp_path / f"q{i}.sql", (i + 1, i + 1))
    os.utime(tmp_path / "k.sql", (10, 10))
    assert sqlcache.read(tmp_path, "q0") == "SELECT 0"  # the oldest, read now: the newest
    sqlcache.write(tmp_path, "q3", "SELECT 3")  # five: the three least recently used go
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q0.sql", "q3.sql"]
