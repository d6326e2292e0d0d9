"""``[sources.<table>]`` and ``[alerts]`` are validated: a bad key or value is an error that
names the key (DESIGN §3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from cli.running import run
from memberlens.config import parse_config
from memberlens.errors import ConfigError


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"sources": {"orders": {"pth": "x.csv"}}}, "sources.orders.pth = 'x.csv': unknown key"),
        ({"sources": {"orderz": {"path": "x.csv"}}}, "unknown table 'orderz'"),
        ({"sources": {"orders": {}}}, "give exactly one of path"),
        ({"sources": {"orders": {"path": "a.csv", "url": "sqlite:///a.db"}}}, "exactly one"),
        ({"sources": {"orders": {"path": "a.csv", "watermark": "at"}}}, "watermark: only with url"),
        ({"sources": {"orders": {"url": "sqlite:///a.db", "query": "SELECT 1"}}}, "watermark"),
        ({"sources": {"orders": {"url": "a.db", "query": "q", "watermark": "w"}}}, "SQLAlchemy"),
        ({"sources": {"orders": {"path": "a.csv", "encoding": "big5"}}}, "sources.orders.encoding"),
        ({"sources": {"orders": {"path": "a.csv", "mapping": {"oid": "单号"}}}}, "mapping 'oid'"),
        ({"alerts": {"webhook_url": "ftp://x"}}, "alerts.webhook_url = 'ftp://x'"),
        ({"alerts": {"smtp_hots": "mail"}}, "alerts.smtp_hots = 'mail': unknown key"),
        ({"alerts": {"smtp_host": "mail", "smtp_port": 0}}, "alerts.smtp_port = 0"),
        ({"alerts": {"smtp_host": "mail", "smtp_to": ["a@b.c"]}}, "smtp_from"),
        ({"alerts": {"smtp_host": "m", "smtp_from": "a@b.c"}}, "smtp_to is empty"),
        ({"alerts": {"smtp_host": "m", "smtp_from": "a@b.c", "smtp_to": ["x"]}}, "smtp_to: 'x'"),
        ({"alerts": {"smtp_user": "ops"}}, "smtp_user: set smtp_host"),
        ({"alerts": {"smtp_password_env": "not a name"}}, "alerts.smtp_password_env"),
        ({"alerts": {"smtp_starttls": "yes"}}, "alerts.smtp_starttls = 'yes'"),
        ({"alerts": {"send": "never"}}, "alerts.send = 'never'"),
    ],
)
def test_a_bad_setting_names_its_key(document: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match="problem") as caught:
        parse_config(document)
    assert named in str(caught.value)


def test_good_settings() -> None:
    config = parse_config(
        {
            "sources": {
                "orders": {
                    "path": "exports/*.csv",
                    "encoding": "gbk",
                    "mapping": {"order_id": "单号"},
                },
                "members": {
                    "url": "sqlite:///crm.db",
                    "query": "SELECT * FROM m",
                    "watermark": "u",
                },
            },
            "alerts": {
                "webhook_url": "https://hooks.example/x",
                "smtp_host": "mail.example",
                "smtp_user": "ops",
                "smtp_password_env": "SMTP_PASSWORD",
                "smtp_from": "crm@shop.example",
                "smtp_to": ["ops@shop.example"],
            },
        }
    )
    assert config.sources["orders"].encoding == "gbk"
    assert config.alerts.channels == ["webhook", "email"]
    assert config.alerts.smtp_port == 587 and config.alerts.smtp_starttls
    assert parse_config({}).alerts.channels == []


def test_an_unset_password_variable_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memberlens.daily.deliver import smtp_password

    monkeypatch.delenv("ML_NO_SUCH_PASSWORD", raising=False)
    settings = parse_config(
        {
            "alerts": {
                "smtp_host": "m",
                "smtp_user": "u",
                "smtp_password_env": "ML_NO_SUCH_PASSWORD",
                "smtp_from": "a@b.c",
                "smtp_to": ["x@y.z"],
            }
        }
    ).alerts
    with pytest.raises(ConfigError, match=r"alerts\.smtp_password_env = 'ML_NO_SUCH_PASSWORD'"):
        smtp_password(settings)
    monkeypatch.setenv("ML_NO_SUCH_PASSWORD", "pw")
    assert smtp_password(settings) == "pw"


def test_the_command_names_the_key_and_exits_2(tmp_path: Path) -> None:
    ws = ml.init(tmp_path / "shop")
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[sources.orders]\npath = "a.csv"\nencodng = "gbk"\n',
        encoding="utf-8",
    )
    result = run("-w", str(ws.root), "run-daily", "--dry-run")
    assert result.returncode == 2
    assert "sources.orders.encodng = 'gbk': unknown key" in result.stderr
