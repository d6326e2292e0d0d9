"""Delivering the day's alerts: a JSON POST to ``[alerts] webhook_url`` and an e-mail through
``[alerts] smtp_*`` (DESIGN §15, the payload in docs/daily.md).

A delivery is keyed by the date, the channel and the SHA-256 of the alerts sent: the same
alerts for the same date go to a channel once; alerts that changed (a late file moved a
value) go again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from memberlens.errors import ConfigError, DeliveryError
from memberlens.labels import Label

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.config import AlertSettings

KIND = "memberlens.daily"
PAYLOAD_VERSION = 1

SUBJECT = Label("会员日报 {date}：{count} 条预警", "Member daily {date}: {count} alert(s)")
NO_ALERTS = Label("今日无预警。", "No alerts today.")
ALERT_LINE = Label(
    "· {metric}：{value}（预期 {expected}{change}）",
    "· {metric}: {value} (expected {expected}{change})",
)
CHANGE = Label("，{change}", ", {change}")
KPI_LINE = Label("{name}：{value}", "{name}: {value}")
REPORT_LINE = Label("报告：{path}", "Report: {path}")


@dataclass(frozen=True)
class Message:
    """What one day's delivery says, the same for every channel."""

    day: date
    workspace: str
    language: str
    alerts: list[dict[str, Any]]
    kpis: list[dict[str, Any]]
    report: dict[str, str]

    @property
    def digest(self) -> str:
        """The SHA-256 of the alerts: with the date and the channel, a delivery's key."""
        content = json.dumps(self.alerts, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    def key(self, channel: str) -> str:
        return f"{self.day.isoformat()}/{channel}/{self.digest}"

    @property
    def subject(self) -> str:
        return SUBJECT(self.language).format(date=self.day.isoformat(), count=len(self.alerts))

    @property
    def text(self) -> str:
        """The message as plain text (the e-mail's body; ``text`` of the webhook)."""
        lines = [self.subject, ""]
        for a in self.alerts:
            change = "" if a["change"] is None else f"{a['change']:+.1%}"
            change = CHANGE(self.language).format(change=change) if change else ""
            lines.append(
                ALERT_LINE(self.language).format(
                    metric=a["name"],
                    value=f"{a['value']:g}",
                    expected=f"{a['expected']:g}",
                    change=change,
                )
            )
        if not self.alerts:
            lines.append(NO_ALERTS(self.language))
        if self.kpis:
            lines.append("")
            for k in self.kpis:
                value = "-" if k["value"] is None else f"{k['value']:,.2f}".rstrip("0").rstrip(".")
                lines.append(KPI_LINE(self.language).format(name=k["name"], value=value))
        if self.report:
            lines += ["", REPORT_LINE(self.language).format(path=self.report.get("html", ""))]
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON document (docs/daily.md)."""
        return {
            "kind": KIND,
            "version": PAYLOAD_VERSION,
            "date": self.day.isoformat(),
            "workspace": self.workspace,
            "language": self.language,
            "subject": self.subject,
            "text": self.text,
            "alerts": self.alerts,
            "kpis": self.kpis,
            "report": self.report,
        }


def alert_rows(alerts: list[Alert], language: str) -> list[dict[str, Any]]:
    """The alerts as ``alerts --format json`` rows, with the metric's name."""
    from memberlens.metrics.catalog import metric

    return [{**a.to_dict(), "name": metric(a.metric).name(language)} for a in alerts]


def send(channel: str, message: Message, settings: AlertSettings) -> None:
    """Deliver ``message`` on ``channel``; raise :class:`DeliveryError` saying what failed."""
    if channel == "webhook":
        post_webhook(message, settings)
    elif channel == "email":
        send_email(message, settings)
    else:  # pragma: no cover - AlertSettings.channels names only these
        raise ValueError(channel)


def post_webhook(message: Message, settings: AlertSettings) -> None:
    import httpx

    url = settings.webhook_url or ""
    try:
        response = httpx.post(url, json=message.payload(), timeout=settings.webhook_timeout_seconds)
    except httpx.HTTPError as error:
        raise DeliveryError(f"webhook {_site(url)}: {type(error).__name__}: {error}") from None
    if not response.is_success:
        raise DeliveryError(
            f"webhook {_site(url)} answered {response.status_code} "
            f"{response.reason_phrase}: {response.text[:200]}"
        )


def _site(url: str) -> str:
    """The webhook's scheme and host (its path often holds a secret token)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def smtp_password(settings: AlertSettings) -> str | None:
    """The password from ``smtp_password_env``'s variable (or the file's ``smtp_password``)."""
    if settings.smtp_password_env is None:
        return settings.smtp_password
    value = os.environ.get(settings.smtp_password_env)
    if not value:
        raise ConfigError(
            f"alerts.smtp_password_env = {settings.smtp_password_env!r}: the environment "
            f"variable {settings.smtp_password_env} is not set; export it before run-daily "
            "(for cron or systemd see docs/daily.md)."
        )
    return value


def send_email(message: Message, settings: AlertSettings) -> None:
    import smtplib
    import ssl

    password = smtp_password(settings)
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = settings.smtp_from or ""
    mail["To"] = ", ".join(settings.smtp_to)
    mail.set_content(message.text)
    host = settings.smtp_host or ""
    try:
        with smtplib.SMTP(host, settings.smtp_port, timeout=settings.smtp_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user is not None and password is not None:
                smtp.login(settings.smtp_user, password)
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(
            f"e-mail through {host}:{settings.smtp_port}: {type(error).__name__}: {error}"
        ) from None
