"""Twelve monthly values of the 20 core metrics with and without the daily aggregates, and the
refresh of one new day.

    uv run python benchmarks/aggregates.py --members 20000 [--keep]

Steps, each a child process (wall time and peak RSS from wait4):

1. generate the program (benchmarks/out/program-N, reused when present) and load it into a
   fresh workspace, except the orders of the last day of data;
2. ``ws.metrics(HEADLINE, start, end, grain="month")`` over the last twelve full months,
   from the raw tables (no aggregates yet);
3. the first ``ws.refresh_aggregates()`` (every day);
4. the same twelve months from the aggregates (the values must be identical);
5. load the last day's orders, then ``ws.refresh_aggregates()``: the refresh of one new day.

A Markdown table is printed for docs/benchmarks.md; the figures go to
benchmarks/out/aggregates-N.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import Measured, child  # noqa: E402

OUT = HERE / "out"

GENERATE = """
import json
from memberlens.generate import generate
generate({data!r}, {members})
print(json.dumps({{}}))
"""

LOAD = """
import json
import duckdb
import memberlens as ml
from memberlens.schema import LOAD_ORDER
con = duckdb.connect()
last = con.execute("SELECT max(CAST(ordered_at AS DATE)) FROM read_parquet(?)",
                   [{data!r} + "/orders.parquet"]).fetchone()[0]
for name, where in (("before", "<"), ("last", "=")):
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{data}/orders.parquet') "
        f"WHERE CAST(ordered_at AS DATE) {{where}} DATE '{{last}}') "
        f"TO '{ws}-orders-{{name}}.parquet' (FORMAT parquet)"
    )
ws = ml.init({ws!r})
for table in LOAD_ORDER:
    source = {ws!r} + "-orders-before.parquet" if table == "orders" else f"{data}/{{table}}.parquet"
    ws.ingest(table, source)
print(json.dumps({{"last_day": str(last)}}))
"""

SERIES = """
import json, time
from datetime import timedelta
import memberlens as ml
from memberlens.metrics.catalog import HEADLINE
ws = ml.open({ws!r})
with ws.session() as session:
    month = ws.resolve_period(session, None)
first = (month.first - timedelta(days=335)).replace(day=1)
clock = time.perf_counter()
frame = ws.metrics(list(HEADLINE), start=str(first), end=str(month.last), grain="month")
seconds = time.perf_counter() - clock
rows = frame.to_dicts()
print(json.dumps({{"seconds": seconds, "periods": frame["period"].n_unique(), "rows": rows}}))
"""

REFRESH = """
import json
import memberlens as ml
ws = ml.open({ws!r})
{load}
print(json.dumps(ws.refresh_aggregates().to_dict()))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the workspace afterwards")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    data = OUT / f"program-{args.members}"
    ws = OUT / f"ws-aggregates-{args.members}"
    if ws.exists():
        shutil.rmtree(ws)
    steps: list[Measured] = []
    if not (data / "orders.parquet").exists():
        steps.append(child("generate", GENERATE.format(data=str(data), members=args.members)))
    steps.append(child("load (all but the last day)", LOAD.format(data=str(data), ws=str(ws))))
    raw = child("12 months × 20 metrics, raw tables", SERIES.format(ws=str(ws)))
    build = child("first refresh (every day)", REFRESH.format(ws=str(ws), load=""))
    stored = child("12 months × 20 metrics, aggregates", SERIES.format(ws=str(ws)))
    load = f"ws.ingest('orders', {str(ws) + '-orders-last.parquet'!r})"
    day = child("refresh of one new day", REFRESH.format(ws=str(ws), load=load))
    steps += [raw, build, stored, day]
    if raw.detail["rows"] != stored.detail["rows"]:
        raise SystemExit("the aggregates gave other values than the raw tables")
    print(f"\n{args.members:,} members; the values of both paths are identical.\n")
    print("| step | wall s | query s | peak RSS GB |")
    print("|---|---:|---:|---:|")
    for m in steps:
        query = m.detail.get("seconds")
        shown = f"{query:.2f}" if isinstance(query, float) else ""
        print(f"| {m.step} | {m.seconds:.1f} | {shown} | {m.peak_rss_gb:.2f} |")
    figures = [
        {"step": m.step, "seconds": m.seconds, "peak_rss_gb": m.peak_rss_gb}
        | {k: v for k, v in m.detail.items() if k != "rows"}
        for m in steps
    ]
    (OUT / f"aggregates-{args.members}.json").write_text(json.dumps(figures, indent=2))
    if not args.keep:
        shutil.rmtree(ws)
        for name in ("before", "last"):
            Path(f"{ws}-orders-{name}.parquet").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
