"""A database source: the rows of a SQLAlchemy query past its watermark column."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import memberlens as ml
from daily.conftest import stub_report
from daily.sample import MEMBERS
from memberlens.daily import run_daily


def _orders_db(path: Path, rows: list[tuple[str, str, str, float, str]]) -> None:
    with sqlite3.connect(path) as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS shop_orders (oid TEXT, mid TEXT, ordered TEXT, "
            "paid REAL, updated_at TEXT)"
        )
        con.executemany("INSERT INTO shop_orders VALUES (?, ?, ?, ?, ?)", rows)


@pytest.fixture
def db_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ml.Workspace:
    monkeypatch.setattr("memberlens.daily.run.write_day_report", stub_report)
    ws = ml.init(tmp_path / "shop", language="en")
    (ws.root / "members.csv").write_text(MEMBERS, encoding="utf-8")
    database = tmp_path / "crm.db"
    _orders_db(
        database,
        [
            ("O1", "M1", "2024-03-10 10:00", 100, "2024-03-10 23:00:00"),
            ("O2", "M2", "2024-03-10 12:00", 50, "2024-03-10 23:30:00"),
        ],
    )
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[sources.members]
path = "members.csv"

[sources.orders]
url = "sqlite:///{database}"
query = "SELECT oid, mid, ordered, paid, updated_at FROM shop_orders"
watermark = "updated_at"
mapping = {{order_id = "oid", member_id = "mid", ordered_at = "ordered", amount = "paid"}}
""",
        encoding="utf-8",
    )
    return ml.open(ws.root)


def test_only_rows_past_the_watermark_load(db_ws: ml.Workspace, tmp_path: Path) -> None:
    plan = run_daily(db_ws, "2024-03-10", dry_run=True).step("load").items
    assert [(i["table"], i.get("rows")) for i in plan] == [("members", None), ("orders", 2)]
    assert "updated_at" in plan[1]["query"] and "crm.db" in plan[1]["source"]

    first = run_daily(db_ws, "2024-03-10")
    assert first.ok, first.to_dict()
    assert db_ws.counts()["orders"] == 2
    state = json.loads((db_ws.root / "daily" / "sources.json").read_text(encoding="utf-8"))
    assert state["watermarks"]["orders"]["value"] == "2024-03-10 23:30:00"

    assert run_daily(db_ws, "2024-03-10").step("load").items == []  # nothing past it

    _orders_db(
        tmp_path / "crm.db",
        [
            ("O3", "M3", "2024-03-11 09:00", 80, "2024-03-11 22:00:00"),
            ("O2", "M2", "2024-03-10 12:00", 45, "2024-03-11 22:10:00"),  # a corrected row
        ],
    )
    [item] = run_daily(db_ws, "2024-03-11").step("load").items
    assert (item["rows"], item["loaded"], item["replaced"]) == (2, 2, 1)
    amounts = dict(db_ws.table("orders").select("order_id", "amount").iter_rows())
    assert {k: float(v) for k, v in amounts.items()} == {"O1": 100.0, "O2": 45.0, "O3": 80.0}
