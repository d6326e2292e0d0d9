"""Sessions, throttling, CSRF, the audit log and security headers (DESIGN §14)."""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

SECRET_VAR = "MEMBERLENS_SECRET"
SESSION_COOKIE = "memberlens_session"
SESSION_SECONDS = 12 * 3600
AUDIT_FILE = "audit.log"
MAX_FAILURES = 5  # failed logins a minute per user name or address; the next is 429
WINDOW_SECONDS = 60.0


class Sessions:
    """Signed session cookies: ``{"u": user, "c": csrf token}``, valid for 12 hours.

    The key is ``MEMBERLENS_SECRET``; on loopback without it, a random key per process
    (sessions end when the server restarts).
    """

    def __init__(self, secret: str | None = None) -> None:
        key = secret or os.environ.get(SECRET_VAR) or secrets.token_hex(32)
        self._signer = URLSafeTimedSerializer(key, salt="memberlens-session")

    def issue(self, username: str) -> tuple[str, str]:
        csrf = secrets.token_urlsafe(24)
        return self._signer.dumps({"u": username, "c": csrf}), csrf

    def read(self, cookie: str | None) -> dict[str, str] | None:
        if not cookie or len(cookie) > 4096:
            return None
        try:
            data = self._signer.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return data


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


class Throttle:
    """Failed logins per key (user name, address) in a sliding minute."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.limit, self.window = limit, window
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, *keys: str) -> float | None:
        """Seconds to wait when any key has ``limit`` failures in the window, else None."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window - (now - times[0])
                for key in keys
                if len(times := self._recent(key, now)) >= self.limit
            ]
        return max(waits) if waits else None

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class Audit:
    """JSON lines (time, user, action, target, address) appended to ``audit.log``."""

    def __init__(self, root: Path) -> None:
        self.path = root / AUDIT_FILE
        self._lock = threading.Lock()

    def record(self, user: str | None, action: str, target: str, address: str | None) -> None:
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "user": user,
                "action": action,
                "target": target[:300],
                "address": address,
            },
            ensure_ascii=False,
        )
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def lines(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(x) for x in self.path.read_text(encoding="utf-8").splitlines() if x]


#: Everything the dashboard loads comes from the app itself; no inline scripts. Plotly sets
#: inline styles on the elements it draws, hence style-src 'unsafe-inline'.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
