"""Each query of a year of monthly headline metrics and of the KPI summary, timed.

    uv run python benchmarks/queries.py -w DIR

In one process on a loaded workspace: ``ws.metrics(HEADLINE, start=, end=, grain="month")``
over the last twelve full months, then ``ws.summary(KPIS)`` (the dashboard's cards: the
month, 环比 and 同比) in a ``cached()`` block, with every query the session runs timed
(``Session.arrow``): the whole call, the number of queries, and each query's seconds, rows
and first columns.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import memberlens as ml
from memberlens.engine.session import Session
from memberlens.metrics.catalog import HEADLINE
from memberlens.web.pages import KPIS

TIMES: list[tuple[float, int, list[str]]] = []
_arrow = Session.arrow


def _timed(self: Session, expression: Any) -> Any:
    clock = time.perf_counter()
    table = _arrow(self, expression)
    TIMES.append((time.perf_counter() - clock, table.num_rows, table.column_names[:3]))
    return table


def _report(name: str, seconds: float) -> None:
    print(f"{name}: {seconds:.1f} s, {len(TIMES)} queries")
    for took, rows, columns in TIMES:
        print(f"  {took:6.2f} s  {rows:>4} rows  {', '.join(columns)}")
    TIMES.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-w", "--workspace", type=Path, required=True)
    args = parser.parse_args()
    ws = ml.open(args.workspace)
    with ws.session() as session:
        month = ws.resolve_period(session, None)
    first = (month.first - timedelta(days=335)).replace(day=1)
    Session.arrow = _timed  # type: ignore[method-assign]
    clock = time.perf_counter()
    ws.metrics(list(HEADLINE), start=str(first), end=str(month.last), grain="month")
    _report(f"12 months × {len(HEADLINE)} metrics", time.perf_counter() - clock)
    clock = time.perf_counter()
    with ws.cached():
        ws.summary(list(KPIS), period=str(month))
    _report(f"summary of {month} ({len(KPIS)} metrics)", time.perf_counter() - clock)


if __name__ == "__main__":
    main()
