"""The day's report is the report's own builder (no stub here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from daily.sample import MEMBERS, ORDERS_0310
from memberlens.daily import run_daily


def _shop(tmp_path: Path) -> ml.Workspace:
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
    return ml.open(ws.root)


@pytest.mark.slow
def test_the_day_s_report_is_written_in_the_workspace(tmp_path: Path) -> None:
    ws = _shop(tmp_path)
    result = run_daily(ws, "2024-03-10")
    assert result.ok, result.to_dict()
    html = ws.root / "reports" / "report-2024-03-10.html"
    assert html.stat().st_size > 10_000
    assert (ws.root / "reports" / "report-2024-03-10.xlsx").is_file()
    assert result.step("report").items == [
        {"html": "reports/report-2024-03-10.html", "xlsx": "reports/report-2024-03-10.xlsx"}
    ]
    assert result.step("delivery").status == "skipped"  # no [alerts] channel configured


@pytest.mark.slow
def test_the_report_shows_the_alerts_step_found_without_detecting_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import memberlens.alerts.detect as detecting
    from memberlens.report import data

    calls: list[Any] = []
    real = detecting.detect

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1:3])
        return real(*args, **kwargs)

    monkeypatch.setattr(detecting, "detect", counted)
    shown: list[Any] = []
    collect = data._collect
    monkeypatch.setattr(data, "_collect", lambda *a: shown.append(a[-1]) or collect(*a))
    result = run_daily(_shop(tmp_path), "2024-03-10")
    assert result.ok, result.to_dict()
    assert len(calls) == 1  # the alerts step's; the report shows them
    assert shown == [result.alerts]
