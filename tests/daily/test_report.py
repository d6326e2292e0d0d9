"""The day's report is the report's own builder (no stub here)."""

from __future__ import annotations

from pathlib import Path

import pytest

import memberlens as ml
from daily.sample import MEMBERS, ORDERS_0310
from memberlens.daily import run_daily


@pytest.mark.slow
def test_the_day_s_report_is_written_in_the_workspace(tmp_path: Path) -> None:
    ws = ml.init(tmp_path / "shop", language="en")
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[sources.members]\npath = "in/members.csv"\n[sources.orders]\npath = "in/o*.csv"\n',
        encoding="utf-8",
    )
    (ws.root / "in").mkdir()
    (ws.root / "in" / "members.csv").write_text(MEMBERS, encoding="utf-8")
    (ws.root / "in" / "orders.csv").write_text(ORDERS_0310, encoding="utf-8")
    result = run_daily(ml.open(ws.root), "2024-03-10")
    assert result.ok, result.to_dict()
    html = ws.root / "reports" / "report-2024-03-10.html"
    assert html.stat().st_size > 10_000
    assert (ws.root / "reports" / "report-2024-03-10.xlsx").is_file()
    assert result.step("report").items == [
        {"html": "reports/report-2024-03-10.html", "xlsx": "reports/report-2024-03-10.xlsx"}
    ]
    assert result.step("delivery").status == "skipped"  # no [alerts] channel configured
