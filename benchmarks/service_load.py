"""The service under load: readiness, the first (uncached) overview, cached p50/p95.

    uv run python benchmarks/service_load.py -w DIR [--clients 8] [--requests 50] [--ingest]
    uv run python benchmarks/service_load.py --members 100000   # generate a program first

Starts ``memberlens -w DIR serve`` on loopback as its own process, creates a bearer token
for a benchmark user, and measures: the seconds until ``/login`` answers; the first
dashboard overview page of the latest month (nothing cached), then each API query once
(what the overview computed is cached by then); then ``--clients``
threads each making ``--requests`` API calls over a fixed set of cached queries, printing
p50 and p95 latency and the number of errors (any status other than 200). With ``--ingest``
a load of the members table runs in another process meanwhile (the answers come from the
cache while the loader holds the warehouse).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

#: the queries of the dashboard's overview, members and points pages, and a member lookup
URLS = (
    "/api/v1/metrics?ids=revenue,buyers,aov,repurchase_rate&period={period}&compare=true",
    "/api/v1/metrics?ids=buyers,revenue,aov&period={period}&by=tier",
    "/api/v1/metrics?ids=buyers,revenue,aov&period={period}&by=channel",
    "/api/v1/series?ids=revenue,buyers&from={first}&to={last}&grain=day",
    "/api/v1/tiers?as_of={last}&summary=true",
    "/api/v1/rfm?as_of={last}&summary=true",
    "/api/v1/catalog",
)


@dataclass(frozen=True)
class Load:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    seconds: float


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def load(base: str, token: str, urls: list[str], clients: int, requests: int) -> Load:
    """``clients`` threads × ``requests`` GETs cycling through ``urls``; stops by itself."""
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            for i in range(requests):
                url = urls[(number + i) % len(urls)]
                started = time.perf_counter()
                try:
                    status = http.get(url).status_code
                except httpx.HTTPError as error:
                    status = -1
                    with lock:
                        errors.append(f"{url}: {error}")
                elapsed = time.perf_counter() - started
                with lock:
                    times.append(elapsed)
                    if status != 200 and status != -1:
                        errors.append(f"{url}: {status}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(
        len(times),
        len(errors),
        percentile(times, 0.5) * 1000,
        percentile(times, 0.95) * 1000,
        time.perf_counter() - started,
    )


def _serve(root: Path, port: int) -> subprocess.Popen[bytes]:
    executable = Path(sys.executable).with_name("memberlens")
    return subprocess.Popen(
        [str(executable), "-w", str(root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-w", "--workspace", type=Path)
    parser.add_argument("--members", type=int, default=20_000, help="without -w: generate")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--ingest", action="store_true", help="load members meanwhile")
    args = parser.parse_args()

    import memberlens as ml
    from memberlens.web.users import Role, UserStore

    if args.workspace is None:
        from memberlens.generate import generate
        from memberlens.schema import LOAD_ORDER

        folder = Path(tempfile.mkdtemp(prefix="memberlens-service-"))
        generate(folder / "data", args.members)
        ws = ml.init(folder / "ws")
        for table in LOAD_ORDER:
            ws.ingest(table, folder / "data" / f"{table}.parquet")
    else:
        ws = ml.open(args.workspace)
    store = UserStore(ws.root)
    if store.get("benchmark") is None:
        store.add("benchmark", Role.analyst, os.urandom(16).hex())
    token = store.new_token("benchmark", f"run-{int(time.time())}")

    summary = ws.summary(["members_total"])
    period = str(summary["period"][0])
    from memberlens.dates.periods import parse_period

    p = parse_period(period)
    urls = [u.format(period=period, first=p.first, last=p.last) for u in URLS]
    base = f"http://127.0.0.1:{args.port}"
    started = time.perf_counter()
    server = _serve(ws.root, args.port)
    try:
        while True:
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        ready = time.perf_counter() - started
        print(f"ready in {ready:.2f} s")
        headers = {"Authorization": f"Bearer {token}"}
        first = time.perf_counter()
        httpx.get(f"{base}/?period={period}", headers=headers, timeout=600).raise_for_status()
        print(f"first (uncached) overview page of {period}: {time.perf_counter() - first:.1f} s")
        for url in urls:
            one = time.perf_counter()
            httpx.get(base + url, headers=headers, timeout=600).raise_for_status()
            print(f"  then {url.split('?')[0]}: {time.perf_counter() - one:.2f} s", flush=True)
        took = time.perf_counter() - first
        print(f"first answers to the overview and the {len(urls)} queries: {took:.1f} s")
        loader = None
        if args.ingest:
            executable = Path(sys.executable).with_name("memberlens")
            source = Path(tempfile.mkdtemp()) / "members.parquet"
            ws.export_parquet(source.parent, ["members"])
            loader = subprocess.Popen(
                [str(executable), "-w", str(ws.root), "ingest", "members", str(source)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        result = load(base, token, urls, args.clients, args.requests)
        if loader is not None:
            loader.wait()
        print("| clients | requests | errors | p50 ms | p95 ms | during a load |")
        print("|---:|---:|---:|---:|---:|---|")
        print(
            f"| {args.clients} | {result.requests} | {result.errors} | {result.p50_ms:.1f} | "
            f"{result.p95_ms:.1f} | {'yes' if args.ingest else 'no'} |"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
