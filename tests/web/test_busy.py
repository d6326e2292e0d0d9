"""During a load: cached answers keep coming; without one, 503 with Retry-After."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

import memberlens as ml
from memberlens.web import queries
from web.conftest import PERIOD

HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], config={"autoinstall_known_extensions": False})
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_cached_answers_during_a_load_else_503(
    app: Any, viewer: TestClient, web_ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/api/v1/metrics?ids=revenue&period={PERIOD}&by=channel"
    before = viewer.get(url)
    assert before.status_code == 200
    monkeypatch.setattr(queries, "RETRY_SECONDS", 0.3)
    q = app.state.service.queries
    monkeypatch.setattr(q, "_stat", None)  # as if the file had changed: look at the lock
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(web_ws.warehouse_path), "20"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        started = time.monotonic()
        during = viewer.get(url)
        assert during.status_code == 200 and during.json() == before.json()
        # never asked before: the cache cannot answer
        other = viewer.get("/api/v1/metrics?ids=orders&period=2025-05&by=city")
        assert other.status_code == 503
        assert other.headers["retry-after"] == "5"
        assert "load" in other.json()["detail"]
        assert time.monotonic() - started < 8  # brief retries, not the reader's 10 s wait
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert viewer.get("/api/v1/metrics?ids=orders&period=2025-05&by=city").status_code == 200
