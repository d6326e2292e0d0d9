"""A bounded load test on loopback: N clients × M requests, zero errors, p50/p95 reported;
and the same while a load of the members table runs in another process."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from web.conftest import AS_OF, PERIOD

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from service_load import load

pytestmark = pytest.mark.slow

URLS = [
    f"/api/v1/metrics?ids=revenue,buyers&period={PERIOD}&compare=true",
    f"/api/v1/metrics?ids=buyers,revenue&period={PERIOD}&by=tier",
    f"/api/v1/tiers?as_of={AS_OF}&summary=true",
    f"/api/v1/rfm?as_of={AS_OF}&summary=true",
    "/api/v1/catalog",
]


@pytest.fixture(scope="module")
def token(app: Any) -> str:
    return str(app.state.service.users.new_token("ann", "load-test"))


def test_cached_queries_under_load(
    live: str, token: str, capsys: pytest.CaptureFixture[str]
) -> None:
    warm = load(live, token, URLS, clients=1, requests=len(URLS))  # fills the cache
    assert warm.errors == 0
    result = load(live, token, URLS, clients=4, requests=25)
    with capsys.disabled():
        print(f"\n4 clients x 25 requests: p50 {result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms")
    assert result.requests == 100 and result.errors == 0
    assert result.p95_ms < 2000


def test_answers_while_another_process_loads(
    app: Any,
    live: str,
    token: str,
    web_ws: ml.Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert load(live, token, URLS, clients=1, requests=len(URLS)).errors == 0
    web_ws.export_parquet(tmp_path, ["orders"])
    loader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "memberlens",
            "-w",
            str(web_ws.root),
            "ingest",
            "orders",
            str(tmp_path / "orders.parquet"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wal = web_ws.warehouse_path.with_name(web_ws.warehouse_path.name + ".wal")
    busy = threading.Event()

    def watch() -> None:  # did the loader write (its log exists) while the clients asked?
        while loader.poll() is None:
            if wal.exists():
                busy.set()
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    results = []
    deadline = time.monotonic() + 240
    while loader.poll() is None and time.monotonic() < deadline:
        results.append(load(live, token, URLS, clients=4, requests=5))
    watcher.join()
    busy_seen = busy.is_set()
    _, stderr = loader.communicate(timeout=60)
    results.append(load(live, token, URLS, clients=4, requests=5))  # the new data version
    requests = sum(r.requests for r in results)
    worst = max(r.p95_ms for r in results)
    with capsys.disabled():
        print(f"\nduring a load: {requests} requests, worst batch p95 {worst:.1f} ms")
    assert loader.returncode == 0, stderr
    assert busy_seen, "the loader never held the warehouse while we asked"
    assert sum(r.errors for r in results) == 0
