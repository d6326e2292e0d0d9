"""How fast ``memberlens serve`` is ready: process start → the first 200 on ``/healthz``.

    uv run python benchmarks/service_start.py -w DIR [--runs 5]

Each run starts ``memberlens -w DIR serve`` on a free loopback port as a fresh process and
polls ``GET /healthz`` every 20 ms; the seconds until the first 200 are printed per run,
with the median and the worst, then ``GET /login`` (a page through the templates) once.
Bytecode is cached as an installed package has it (see benchmarks/startup.py); one untimed
start fills the cache. Start-up reads only the config (DESIGN §14: the first request of a
page computes), so the figure does not grow with the warehouse.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_once(root: Path, timeout: float = 60.0) -> tuple[float, float]:
    """Seconds to the first 200 on /healthz, then to the login page's 200."""
    port = free_port()
    executable = Path(sys.executable).with_name("memberlens")
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(executable), "-w", str(root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"serve did not answer within {timeout:.0f} s")
            if server.poll() is not None:
                raise SystemExit(f"serve exited with {server.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        ready = time.perf_counter() - started
        httpx.get(f"{base}/login", timeout=30).raise_for_status()
        page = time.perf_counter() - started
        return ready, page
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-w", "--workspace", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-cache", action="store_true", help="compile from source each run")
    args = parser.parse_args()
    if not args.no_cache:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        start_once(args.workspace)  # fills the bytecode cache
    readies, pages = [], []
    for run in range(args.runs):
        ready, page = start_once(args.workspace)
        readies.append(ready)
        pages.append(page)
        print(f"run {run + 1}: /healthz 200 after {ready:.2f} s, /login after {page:.2f} s")
    print(
        f"ready: median {statistics.median(readies):.2f} s, worst {max(readies):.2f} s; "
        f"login page: median {statistics.median(pages):.2f} s (load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
