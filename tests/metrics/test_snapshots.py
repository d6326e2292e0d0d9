"""The SQL every metric compiles to, per engine, is kept under review as snapshot files."""

from pathlib import Path

import pytest

from memberlens.metrics.compute import DEFINITIONS
from memberlens.metrics.snapshots import DIALECTS, compile_sql, snapshot_path

ROOT = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_compiled_sql_matches_the_snapshots(dialect: str) -> None:
    changed = [
        metric
        for metric in DEFINITIONS
        if compile_sql(metric, dialect)
        != snapshot_path(ROOT, dialect, metric).read_text(encoding="utf-8")
    ]
    assert not changed, (
        f"SQL changed for {changed}: review it, then run 'make docs' to rewrite the snapshots"
    )


def test_a_changed_definition_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from memberlens.metrics import compute

    monkeypatch.setitem(compute.DEFINITIONS, "orders", compute.DEFINITIONS["buyers"])
    assert compile_sql("orders", "duckdb") != snapshot_path(ROOT, "duckdb", "orders").read_text(
        encoding="utf-8"
    )
