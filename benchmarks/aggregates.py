"""Twelve monthly values of the 20 core metrics with and without the daily aggregates, the
refresh of one new day, the monthly report and ``run-daily`` for one day of new orders.

    uv run python benchmarks/aggregates.py --members 20000 [--keep] [--reuse] [--no-raw]
        [--raw-report] [--daily-orders N]

Steps, each a child process (wall time and peak RSS from wait4):

1. generate the program (benchmarks/out/program-N, reused when present) and load it into a
   fresh workspace, except the orders of the last two days of data;
2. with ``--raw-report``: ``memberlens report`` of the last full month from the raw tables;
3. ``ws.metrics(HEADLINE, start, end, grain="month")`` over the last twelve full months,
   from the raw tables (no aggregates yet);
4. the first ``ws.refresh_aggregates()`` (every day; with ``--reuse`` the earlier run's
   aggregates are kept and the last two days' orders it loaded are removed first);
5. the same twelve months from the aggregates (the values must be identical);
6. load the second-last day's orders, then ``ws.refresh_aggregates()``: one new day;
7. ``memberlens report`` of the last full month with the aggregates in place (whole process);
8. ``memberlens run-daily --date LAST`` with ``[sources.orders]`` naming the last day's
   export: load, aggregates, alerts, the day's report (whole process, end to end, and the
   seconds of each step as run-daily reports them). With
   ``--daily-orders N`` the export holds N orders: the day's own, then the same rows again
   under new order ids.

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

from run import Measured, child, command  # noqa: E402

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
from datetime import timedelta
last = con.execute("SELECT max(CAST(ordered_at AS DATE)) FROM read_parquet(?)",
                   [{data!r} + "/orders.parquet"]).fetchone()[0]
prev = last - timedelta(days=1)
days = {{}}
for name, where in (("before", f"< DATE '{{prev}}'"), ("prev", f"= DATE '{{prev}}'"),
                    ("last", f"= DATE '{{last}}'")):
    con.execute(
        f"COPY (SELECT * FROM read_parquet('{data}/orders.parquet') "
        f"WHERE CAST(ordered_at AS DATE) {{where}}) "
        f"TO '{ws}-orders-{{name}}.parquet' (FORMAT parquet)"
    )
    days[name] = con.execute(
        f"SELECT count(*) FROM read_parquet('{ws}-orders-{{name}}.parquet')").fetchone()[0]
ws = ml.init({ws!r})
for table in LOAD_ORDER:
    source = {ws!r} + "-orders-before.parquet" if table == "orders" else f"{data}/{{table}}.parquet"
    ws.ingest(table, source)
print(json.dumps({{"last_day": str(last), "rows": days}}))
"""

MONTH = """
import json
import memberlens as ml
ws = ml.open({ws!r})
with ws.session() as session:
    print(json.dumps({{"month": str(ws.resolve_period(session, None))}}))
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

REWIND = """
import json, shutil
from datetime import date, timedelta
from pathlib import Path
import duckdb
import memberlens as ml
root = Path({ws!r})
last = date.fromisoformat({last!r})
prev = last - timedelta(days=1)
with duckdb.connect(str(root / "warehouse.duckdb")) as con:
    removed = con.execute(
        "DELETE FROM orders WHERE CAST(ordered_at AS DATE) >= ?", [prev]).fetchall()[0][0]
    if con.execute("SELECT count(*) FROM information_schema.tables "
                   "WHERE table_name = 'agg_days'").fetchall()[0][0]:
        con.execute("DELETE FROM agg_days WHERE source = 'orders' AND day >= ?", [prev])
for name in ("exports", "daily", "reports"):
    shutil.rmtree(root / name, ignore_errors=True)
toml = root / "memberlens.toml"
text = toml.read_text(encoding="utf-8")
toml.write_text(text.split("\\n[sources.orders]")[0], encoding="utf-8")
ws = ml.open(root)
ws.migrate()
done = ws.refresh_aggregates([str(prev), str(last)]).to_dict() if removed else {{}}
print(json.dumps({{"removed": removed, "refresh": done}}))
"""

REFRESH = """
import json, time
import memberlens as ml
ws = ml.open({ws!r})
{load}
clock = time.perf_counter()
result = ws.refresh_aggregates().to_dict()
print(json.dumps(result | {{"seconds": time.perf_counter() - clock}}))
"""


def shown(m: Measured) -> Measured:
    """Print a step as soon as it is measured (a 10 M run takes a while)."""
    print(f"{m.step}: {m.seconds:.1f} s, peak RSS {m.peak_rss_gb:.2f} GB", flush=True)
    return m


def _daily_export(day: Path, exports: Path, orders: int | None) -> int:
    """The last day's orders as run-daily's export; with ``orders`` larger than the day's,
    the day's rows repeated under new order ids (``…-r2``, ``…-r3``) up to that count: a
    busier day of the same members, times and amounts."""
    import duckdb

    target = exports / "orders-last.parquet"
    if orders is None:
        shutil.copy(day, target)
    else:
        with duckdb.connect() as con:
            con.execute(
                f"COPY (SELECT * REPLACE (order_id || suffix AS order_id) "
                f"FROM read_parquet('{day}') CROSS JOIN (SELECT CASE WHEN i = 1 THEN '' "
                f"ELSE '-r' || i END AS suffix FROM range(1, 100) t(i)) "
                f"ORDER BY suffix = '' DESC, suffix LIMIT {orders}) "
                f"TO '{target}' (FORMAT parquet)"
            )
    with duckdb.connect() as con:
        return int(con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0])


def _daily_steps(tail: object) -> list[dict[str, object]]:
    """run-daily's own seconds per step, from the JSON line it printed last."""
    assert isinstance(tail, list)
    line = next(t for t in reversed(tail) if t.startswith("{"))
    return [
        {"step": s["step"], "seconds": s["seconds"], "detail": s["detail"]}
        for s in json.loads(line)["steps"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the workspace afterwards")
    parser.add_argument(
        "--raw-report", action="store_true", help="also time the report without aggregates"
    )
    parser.add_argument(
        "--no-raw", action="store_true", help="skip the twelve months from the raw tables"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a workspace loaded by an earlier --keep run"
    )
    parser.add_argument(
        "--daily-orders",
        type=int,
        default=None,
        help="orders in run-daily's export (default: the last day's own; more repeats them)",
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    data = OUT / f"program-{args.members}"
    ws = OUT / f"ws-aggregates-{args.members}"
    reuse = args.reuse and (ws / "loaded.json").exists()
    if ws.exists() and not reuse:
        shutil.rmtree(ws)
    steps: list[Measured] = []
    if not (data / "orders.parquet").exists():
        steps.append(child("generate", GENERATE.format(data=str(data), members=args.members)))
    if reuse:
        loaded = Measured("load (reused)", 0.0, 0.0, json.loads((ws / "loaded.json").read_text()))
        last = str(loaded.detail["last_day"])  # an earlier run loaded the last two days: undo
        shown(child("rewind to the last two days", REWIND.format(ws=str(ws), last=last)))
    else:
        loaded = child("load (all but the last two days)", LOAD.format(data=str(data), ws=str(ws)))
        (ws / "loaded.json").write_text(json.dumps(loaded.detail))
        steps.append(loaded)
    month = str(child("month", MONTH.format(ws=str(ws))).detail["month"])
    cli = [str(Path(sys.executable).with_name("memberlens")), "-w", str(ws)]
    report = [*cli, "report", "--period", month, "--output", str(ws / "bench-reports")]
    if args.raw_report:
        steps.append(shown(command(f"report {month}, raw tables", report)))
    raw = None
    if not args.no_raw:
        raw = shown(child("12 months × 20 metrics, raw tables", SERIES.format(ws=str(ws))))
    build = None  # the earlier run's aggregates are kept when reusing
    if not reuse:
        build = shown(child("first refresh (every day)", REFRESH.format(ws=str(ws), load="")))
    stored = shown(child("12 months × 20 metrics, aggregates", SERIES.format(ws=str(ws))))
    load = f"ws.ingest('orders', {str(ws) + '-orders-prev.parquet'!r})"
    rows = loaded.detail["rows"]
    assert isinstance(rows, dict)
    day = shown(child(f"refresh of one new day ({rows['prev']:,} orders)", REFRESH.format(
        ws=str(ws), load=load)))  # fmt: skip
    steps += [m for m in (raw, build, stored, day) if m is not None]
    steps.append(shown(command(f"report {month}, aggregates in place", report)))
    exports = ws / "exports"
    exports.mkdir()
    day_rows = _daily_export(Path(f"{ws}-orders-last.parquet"), exports, args.daily_orders)
    with (ws / "memberlens.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[sources.orders]\npath = "exports/orders-*.parquet"\n')
    last = str(loaded.detail["last_day"])
    daily = shown(command(f"run-daily {last} ({day_rows:,} orders)", [
        *cli, "run-daily", "--date", last, "--format", "json"]))  # fmt: skip
    daily.detail["steps"] = _daily_steps(daily.detail["tail"])
    for part in daily.detail["steps"]:
        print(f"  {part['step']}: {part['seconds']:.1f} s ({part['detail']})", flush=True)
    steps.append(daily)
    if raw is not None:
        if raw.detail["rows"] != stored.detail["rows"]:
            raise SystemExit("the aggregates gave other values than the raw tables")
        print(f"\n{args.members:,} members; the values of both paths are identical.\n")
    print("| step | wall s | query s | peak RSS GB |")
    print("|---|---:|---:|---:|")
    for m in steps:
        query = m.detail.get("seconds")
        text = f"{query:.2f}" if isinstance(query, float) else ""
        print(f"| {m.step} | {m.seconds:.1f} | {text} | {m.peak_rss_gb:.2f} |")
    figures = [
        {"step": m.step, "seconds": m.seconds, "peak_rss_gb": m.peak_rss_gb}
        | {k: v for k, v in m.detail.items() if k != "rows"}
        for m in steps
    ]
    (OUT / f"aggregates-{args.members}.json").write_text(json.dumps(figures, indent=2))
    if not args.keep:
        shutil.rmtree(ws)
        for name in ("before", "prev", "last"):
            Path(f"{ws}-orders-{name}.parquet").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
