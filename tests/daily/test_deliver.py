"""The message, its key, the state files and the one-run lock, without the engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from memberlens.daily.deliver import Message
from memberlens.daily.state import DeliveryLog, exclusive
from memberlens.errors import WorkspaceError

ALERT = {
    "day": "2025-03-14",
    "metric": "orders",
    "name": "订单数",
    "value": 10.0,
    "expected": 8.0,
    "change": 0.25,
    "score": 3.1,
    "holiday_or_campaign": False,
    "contributors": "",
}


def _message(alerts: list[dict[str, Any]], language: str = "zh") -> Message:
    kpis = [{"metric": "revenue", "name": "会员消费额", "value": 1234.5}]
    return Message(date(2025, 3, 14), "shop", language, alerts, kpis, {"html": "r.html"})


def test_the_text_in_chinese() -> None:
    assert _message([ALERT]).text.splitlines() == [
        "会员日报 2025-03-14：1 条预警",
        "",
        "· 订单数：10（预期 8，+25.0%）",
        "",
        "会员消费额：1,234.5",
        "",
        "报告：r.html",
    ]
    assert _message([]).text.splitlines()[2] == "今日无预警。"


def test_the_key_follows_date_channel_and_alerts() -> None:
    one, same, other = _message([ALERT]), _message([dict(ALERT)]), _message([])
    assert one.key("webhook") == same.key("webhook")
    assert one.key("webhook") != one.key("email")
    assert one.key("webhook") != other.key("webhook")
    assert one.key("webhook").startswith("2025-03-14/webhook/")


def test_the_log_keeps_successes_and_survives_a_torn_line(tmp_path: Path) -> None:
    log = DeliveryLog.read(tmp_path)
    log.record("2025-03-14/webhook/abc", {"date": "2025-03-14"})
    with log.path.open("a", encoding="utf-8") as handle:
        handle.write('{"key": "2025-03-14/email/')  # a run killed while writing
    again = DeliveryLog.read(tmp_path)
    assert again.sent("2025-03-14/webhook/abc") and not again.sent("2025-03-14/email/")


def test_one_run_at_a_time(tmp_path: Path) -> None:
    held = pytest.raises(WorkspaceError, match="Another run-daily")
    with exclusive(tmp_path), held, exclusive(tmp_path):
        pass
    with exclusive(tmp_path):  # released
        pass
