"""A workspace with ``[sources]`` over an exports folder and ``[alerts]`` pointed at the
loopback receivers of :mod:`daily.receivers`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from cli.running import invoke
from daily.receivers import Smtp, Webhook, smtp_server, webhook
from daily.sample import MEMBERS, ORDERS_0310

PASSWORD_ENV = "MEMBERLENS_TEST_SMTP_PASSWORD"


@pytest.fixture
def hook() -> Iterator[Webhook]:
    with webhook() as receiver:
        yield receiver


@pytest.fixture
def mailbox() -> Iterator[Smtp]:
    with smtp_server() as receiver:
        yield receiver


def stub_report(ws: ml.Workspace, day: date, alerts: object = None) -> tuple[Path, Path]:
    """The day's report files without the full report's 15 s (one test runs the real one)."""
    folder = ws.root / "reports"
    folder.mkdir(exist_ok=True)
    html, xlsx = folder / f"report-{day}.html", folder / f"report-{day}.xlsx"
    html.write_text("<html></html>", encoding="utf-8")
    xlsx.write_bytes(b"")
    return html, xlsx


@pytest.fixture
def daily_ws(
    tmp_path: Path,
    hook: Webhook,
    mailbox: Smtp,
    monkeypatch: pytest.MonkeyPatch,
) -> ml.Workspace:
    """A workspace whose members and orders come from ``exports/``, delivering to both
    receivers; the members file and the orders of 2024-03-10 are there."""
    monkeypatch.setattr("memberlens.daily.run.write_day_report", stub_report)
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    ws = ml.init(tmp_path / "shop", language="en")
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[sources.members]
path = "exports/members*.csv"

[sources.orders]
path = "exports/orders_*.csv"

[alerts]
webhook_url = "{hook.url}"
smtp_host = "127.0.0.1"
smtp_port = {mailbox.port}
smtp_starttls = false
smtp_user = "ops"
smtp_password_env = "{PASSWORD_ENV}"
smtp_from = "crm@shop.example"
smtp_to = ["ops@shop.example", "lead@shop.example"]
""",
        encoding="utf-8",
    )
    exports = ws.root / "exports"
    exports.mkdir()
    (exports / "members.csv").write_text(MEMBERS, encoding="utf-8")
    (exports / "orders_20240310.csv").write_text(ORDERS_0310, encoding="utf-8")
    return ml.open(ws.root)


@pytest.fixture
def run_daily(daily_ws: ml.Workspace) -> Callable[..., tuple[int, dict[str, Any]]]:
    """``memberlens -w DIR run-daily --format json ARGS``: exit code and the JSON result."""

    def _run(*args: str) -> tuple[int, dict[str, Any]]:
        result = invoke("-w", str(daily_ws.root), "run-daily", "--format", "json", *args)
        return result.exit_code, json.loads(result.stdout)

    return _run
