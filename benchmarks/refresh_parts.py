"""Where the refresh of one day of the daily aggregates goes, without changing the workspace.

    uv run python benchmarks/refresh_parts.py -w benchmarks/out/ws-10000000 --day 2025-12-30

Runs ``ws.refresh_aggregates([day])`` (the day's parts, its month of the member structure,
the chain of orders from that day on) and times each part; the transaction is rolled back
at the end, so the workspace is as before. Nothing is loaded, so no fingerprints are taken.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from typing import Any

import memberlens as ml
from memberlens.metrics import refresh


class _Done(Exception):
    """Raised before the commit: the refresh rolls back."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-w", "--workspace", required=True)
    parser.add_argument("--day", required=True, help="the day to redo, YYYY-MM-DD")
    args = parser.parse_args()
    ws = ml.open(args.workspace)
    spent: dict[str, float] = {}

    def timed(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*a: Any, **k: Any) -> Any:
            clock = time.perf_counter()
            try:
                return real(*a, **k)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - clock

        return call

    insert = refresh._insert
    refresh._narrowed = timed("copies of the day's rows", refresh._narrowed)
    refresh._insert = lambda con, table, e: timed(table, insert)(con, table, e)

    def stop(con: object) -> int:
        raise _Done

    refresh._last_load = stop  # read just before the commit
    clock = time.perf_counter()
    with contextlib.suppress(_Done):
        ws.refresh_aggregates([args.day])
    total = time.perf_counter() - clock
    print(f"refresh of {args.day}: {total:.1f} s (rolled back)")
    for name, seconds in spent.items():
        print(f"  {seconds:6.2f} s  {name}")


if __name__ == "__main__":
    main()
