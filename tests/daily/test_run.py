"""run-daily end to end against loopback receivers (DESIGN §15, docs/daily.md)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from daily.receivers import Smtp, Webhook
from daily.sample import ORDERS_0311, statuses, step
from memberlens.daily import run_daily as daily

Run = Callable[..., tuple[int, dict[str, Any]]]


def test_a_day_loads_reports_and_delivers_once(
    daily_ws: ml.Workspace, run_daily: Run, hook: Webhook, mailbox: Smtp
) -> None:
    code, first = run_daily("--date", "2024-03-10")
    assert code == 0, first
    assert statuses(first) == {
        "load": "ok",
        "aggregates": "ok",
        "alerts": "ok",
        "report": "ok",
        "delivery": "ok",
    }
    loaded = {i["source"]: i["loaded"] for i in step(first, "load")["items"]}
    assert loaded == {"exports/members.csv": 3, "exports/orders_20240310.csv": 2}
    assert daily_ws.counts()["orders"] == 2
    with daily_ws.read() as con:  # the day's orders are in the aggregates the metrics read
        [(orders,)] = con.execute(
            "SELECT sum(value) FROM agg_daily WHERE dimension = '' AND day = DATE '2024-03-10' "
            "AND part = 'orders'"
        ).fetchall()
    assert orders == 2
    assert (daily_ws.root / "reports" / "report-2024-03-10.html").is_file()
    assert len(hook.posts) == 1 and len(mailbox.mails) == 1

    # the same date again: nothing new to load, nothing sent twice
    code, second = run_daily("--date", "2024-03-10")
    assert code == 0
    assert step(second, "load")["items"] == []
    assert [i["status"] for i in step(second, "delivery")["items"]] == ["already sent"] * 2
    assert len(hook.posts) == 1 and len(mailbox.mails) == 1
    assert daily_ws.counts()["orders"] == 2


def test_the_payload_and_the_mail(run_daily: Run, hook: Webhook, mailbox: Smtp) -> None:
    assert run_daily("--date", "2024-03-10")[0] == 0
    payload = hook.posts[0]
    assert set(payload) == {
        "kind", "version", "date", "workspace", "language", "subject", "text", "alerts",
        "kpis", "report",
    }  # fmt: skip
    assert payload["kind"] == "memberlens.daily" and payload["version"] == 1
    assert payload["date"] == "2024-03-10" and payload["workspace"] == "shop"
    # 150 of revenue against none on the four Sundays before: one alert, drilled down
    [alert] = payload["alerts"]
    assert (alert["metric"], alert["name"], alert["value"], alert["expected"]) == (
        "revenue",
        "Member revenue",
        150.0,
        0.0,
    )
    kpis = {k["metric"]: k["value"] for k in payload["kpis"]}
    assert kpis["orders"] == 2 and kpis["revenue"] == 150 and kpis["buyers"] == 2  # 100 + 50
    assert payload["report"] == {
        "html": "reports/report-2024-03-10.html",
        "xlsx": "reports/report-2024-03-10.xlsx",
    }
    mail = mailbox.mails[0]
    assert mail.login == ("ops", "s3cret")  # from the environment variable, not the file
    assert mail.sender == "crm@shop.example"
    assert mail.recipients == ["ops@shop.example", "lead@shop.example"]
    assert mail.message["Subject"] == "Member daily 2024-03-10: 1 alert(s)" == payload["subject"]
    body = mail.message.get_payload(decode=True).decode()
    assert body.replace("\r\n", "\n").strip() == payload["text"].strip()
    assert "· Member revenue: 150 (expected 0)" in body
    assert "reports/report-2024-03-10.html" in body


def test_a_new_file_the_next_day_loads_only_it(
    daily_ws: ml.Workspace, run_daily: Run, hook: Webhook
) -> None:
    assert run_daily("--date", "2024-03-10")[0] == 0
    (daily_ws.root / "exports" / "orders_20240311.csv").write_text(ORDERS_0311, encoding="utf-8")
    code, document = run_daily("--date", "2024-03-11")
    assert code == 0
    items = step(document, "load")["items"]
    assert [(i["source"], i["reason"], i["loaded"]) for i in items] == [
        ("exports/orders_20240311.csv", "new", 1)
    ]
    assert daily_ws.counts()["orders"] == 3
    assert [p["date"] for p in hook.posts] == ["2024-03-10", "2024-03-11"]


def test_a_changed_file_is_loaded_again(daily_ws: ml.Workspace, run_daily: Run) -> None:
    assert run_daily("--date", "2024-03-10")[0] == 0
    file = daily_ws.root / "exports" / "orders_20240310.csv"
    file.write_text(file.read_text(encoding="utf-8").replace(",50,", ",55,"), encoding="utf-8")
    code, document = run_daily("--date", "2024-03-10")
    assert code == 0
    [item] = step(document, "load")["items"]
    assert (item["source"], item["reason"], item["loaded"], item["replaced"]) == (
        "exports/orders_20240310.csv",
        "changed",
        2,
        2,  # the same keys: the newer rows replace the old ones
    )
    amounts = dict(daily_ws.table("orders").select("order_id", "amount").iter_rows())
    assert {k: float(v) for k, v in amounts.items()} == {"O1": 100.0, "O2": 55.0}


def test_a_failed_delivery_exits_1_and_the_next_run_sends_it(
    daily_ws: ml.Workspace, run_daily: Run, hook: Webhook, mailbox: Smtp
) -> None:
    hook.statuses = [500]
    code, first = run_daily("--date", "2024-03-10")
    assert code == 1
    delivery = step(first, "delivery")
    assert delivery["status"] == "failed"
    assert "webhook" in delivery["detail"] and "500" in delivery["detail"]
    assert "secret-token" not in delivery["detail"]  # the URL's path may hold a token
    by_channel = {i["channel"]: i["status"] for i in delivery["items"]}
    assert by_channel == {"webhook": "failed", "email": "sent"}
    counts = daily_ws.counts()

    code, second = run_daily("--date", "2024-03-10")
    assert code == 0
    assert step(second, "load")["items"] == []  # the load had succeeded: nothing again
    assert daily_ws.counts() == counts
    by_channel = {i["channel"]: i["status"] for i in step(second, "delivery")["items"]}
    assert by_channel == {"webhook": "sent", "email": "already sent"}
    assert hook.attempts == 2 and len(hook.posts) == 1 and len(mailbox.mails) == 1


def test_a_failed_load_leaves_the_warehouse_as_before(
    daily_ws: ml.Workspace, run_daily: Run, hook: Webhook
) -> None:
    assert run_daily("--date", "2024-03-10")[0] == 0
    before = daily_ws.table("orders").sort("order_id")
    bad = daily_ws.root / "exports" / "orders_20240311.csv"
    bad.write_text("order_id,member_id,ordered_at\nO3,M3,2024-03-11 09:00\n", encoding="utf-8")
    code, document = run_daily("--date", "2024-03-11")
    assert code == 1
    assert statuses(document) == {
        "load": "failed",
        "aggregates": "skipped",
        "alerts": "skipped",
        "report": "skipped",
        "delivery": "skipped",
    }
    assert "amount" in step(document, "load")["detail"]  # the missing required column
    assert daily_ws.table("orders").sort("order_id").equals(before)
    assert len(hook.posts) == 1

    bad.write_text(ORDERS_0311, encoding="utf-8")  # the export is fixed: the run retries
    code, document = run_daily("--date", "2024-03-11")
    assert code == 0
    assert [i["source"] for i in step(document, "load")["items"]] == ["exports/orders_20240311.csv"]
    assert daily_ws.counts()["orders"] == 3 and len(hook.posts) == 2


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the workspace but the cache of compiled SQL (``.cache/``: what a query
    compiles to, not state; any read may add to it)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] != ".cache"
    }


def test_a_dry_run_changes_nothing(
    daily_ws: ml.Workspace, run_daily: Run, hook: Webhook, mailbox: Smtp
) -> None:
    before = _snapshot(daily_ws.root)
    code, document = run_daily("--date", "2024-03-10", "--dry-run")
    assert code == 0 and document["dry_run"] is True, document
    assert _snapshot(daily_ws.root) == before  # no state, no log, no report, same warehouse
    planned = [(i["source"], i["reason"]) for i in step(document, "load")["items"]]
    assert planned == [("exports/members.csv", "new"), ("exports/orders_20240310.csv", "new")]
    assert statuses(document)["load"] == "planned"
    sends = {i["channel"]: i["status"] for i in step(document, "delivery")["items"]}
    assert sends == {"webhook": "would send", "email": "would send"}
    assert "report-2024-03-10.html" in step(document, "report")["detail"]
    assert hook.attempts == 0 and mailbox.mails == []

    assert run_daily("--date", "2024-03-10")[0] == 0
    code, document = run_daily("--date", "2024-03-10", "--dry-run")
    assert step(document, "load")["items"] == []
    sends = {i["channel"]: i["status"] for i in step(document, "delivery")["items"]}
    assert sends == {"webhook": "already sent", "email": "already sent"}


def test_new_alerts_for_a_date_are_sent_again(
    daily_ws: ml.Workspace, hook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from memberlens.alerts.detect import Alert

    assert daily(daily_ws, "2024-03-10").ok
    spike = Alert(date(2024, 3, 10), "orders", 2.0, 1.0, 4.5, False)
    monkeypatch.setattr(
        "memberlens.workspace.analyses.Analyses.alerts", lambda self, start, end: [spike]
    )
    result = daily(daily_ws, "2024-03-10")  # the alerts changed (a late file, say)
    assert result.ok and result.alerts == [spike]
    assert len(hook.posts) == 2
    [alert] = hook.posts[1]["alerts"]
    assert (alert["metric"], alert["value"], alert["expected"], alert["name"]) == (
        "orders",
        2.0,
        1.0,
        "Orders",
    )
    assert daily(daily_ws, "2024-03-10").ok
    assert len(hook.posts) == 2  # the same alerts: not again


def test_gbk_exports_with_chinese_headers_load_from_a_glob(
    daily_ws: ml.Workspace, run_daily: Run
) -> None:
    exports = daily_ws.root / "exports"
    for file in exports.iterdir():
        file.unlink()
    members = "会员ID,注册时间,渠道\nM1,2024-01-05,门店\nM2,2024-02-10,小程序\n"
    orders = "订单号,会员ID,下单时间,实付金额,订单状态\nO1,M1,2024-03-10 10:00,100,已支付\n"
    orders += "O2,M2,2024-03-10 11:00,30,已退款\n"
    (exports / "members_2024.csv").write_bytes(members.encode("gbk"))
    (exports / "orders_2024-03-10.csv").write_bytes(orders.encode("gbk"))
    code, document = run_daily("--date", "2024-03-10")
    assert code == 0, document
    loaded = {i["source"]: (i["loaded"], i["quarantined"]) for i in step(document, "load")["items"]}
    assert loaded == {
        "exports/members_2024.csv": (2, 0),
        "exports/orders_2024-03-10.csv": (2, 0),
    }
    members_table = daily_ws.table("members").sort("member_id")
    assert members_table["channel"].to_list() == ["store", "mini_program"]  # 门店, 小程序
    assert daily_ws.table("orders").sort("order_id")["status"].to_list() == ["paid", "refunded"]


def test_the_python_api_reports_each_step(daily_ws: ml.Workspace) -> None:
    heard: list[tuple[str, str]] = []
    result = daily(daily_ws, "2024-03-10", listener=lambda s: heard.append((s.step, s.status)))
    assert result.ok and result.date.isoformat() == "2024-03-10"
    assert [s.step for s in result.steps] == ["load", "aggregates", "alerts", "report", "delivery"]
    assert heard[:2] == [("load", "running"), ("load", "ok")]
    assert len(heard) == 10


def test_a_bad_date_names_the_parameter(daily_ws: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="date 2024-02-30") as caught:
        daily(daily_ws, "2024-02-30")
    assert caught.value.parameter == "date"


def test_the_command_shows_each_step(daily_ws: ml.Workspace, hook: Webhook) -> None:
    from cli.running import invoke

    result = invoke("-w", str(daily_ws.root), "run-daily", "--date", "2024-03-10")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("✓ load: 2 source(s), 5 row(s) loaded")
    assert "    orders ← exports/orders_20240310.csv (new): loaded 2, quarantined 0" in lines
    assert any(line.startswith("✓ aggregates: aggregates refreshed") for line in lines)
    assert any(line.startswith("✓ delivery: webhook sent, email sent") for line in lines)
    assert lines[-1] == "run-daily 2024-03-10: done"

    hook.statuses = [503]
    daily_ws.root.joinpath("exports", "orders_20240311.csv").write_text(
        ORDERS_0311, encoding="utf-8"
    )
    result = invoke("-w", str(daily_ws.root), "run-daily", "--date", "2024-03-11")
    assert result.exit_code == 1
    assert any(
        line.startswith("✗ delivery: webhook: webhook http://127.0.0.1")
        for line in result.stdout.splitlines()
    )
    assert result.stdout.splitlines()[-1] == "run-daily 2024-03-11: a step failed"


def test_the_dry_run_names_the_missing_sections_as_text(shop: ml.Workspace) -> None:
    from cli.running import invoke

    done = invoke("-w", str(shop.root), "run-daily", "--date", "2024-03-10", "--dry-run")
    assert done.exit_code == 0, done.stdout
    assert "no [sources.<table>] in memberlens.toml" in done.stdout  # not eaten as markup
    assert "no [alerts] webhook_url or smtp_host" in done.stdout
