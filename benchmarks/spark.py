"""The same commands on DuckDB and on Spark (local mode), side by side, on one program.

    uv run python benchmarks/spark.py --members 10000000 [--driver-memory 16g] [--only rfm,tiers]

Both engines read the raw tables (no daily aggregates), so the figures compare engines,
not caches:

1. the DuckDB workspace is benchmarks/out/ws-aggregates-N (left by ``aggregates.py --keep``)
   copied without its aggregates, or, when there is none, a fresh load of
   benchmarks/out/program-N (generated when missing);
2. ``memberlens export`` writes its canonical tables to Parquet (timed);
3. a second workspace has ``[engine] backend = "pyspark"``, ``spark_master = "local[*]"``,
   ``spark_parquet`` naming that folder and the driver's memory set;
4. each command runs once per engine as a whole process, DuckDB then Spark, one after
   the other: wall time, and the peak resident memory of the process and its children
   (the JVM) sampled every 0.2 s.

The commands: the core metrics of the last full month, RFM scores to Parquet, tiers to
Parquet, a year of tier history, points vintages, and the CLV fit (its per-member summary
is the engine's part; the fit runs in Python on both). A Markdown table goes to stdout and
the figures to benchmarks/out/spark-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
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
import memberlens as ml
from memberlens.schema import LOAD_ORDER
ws = ml.init({ws!r})
for table in LOAD_ORDER:
    ws.ingest(table, {data!r} + "/" + table + ".parquet")
print(json.dumps({{}}))
"""

WITHOUT_AGGREGATES = """
import json
import duckdb
with duckdb.connect({warehouse!r}) as con:
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE starts_with(table_name, 'agg_')").fetchall()]
    for name in names:
        con.execute(f'DROP TABLE IF EXISTS "{{name}}"')
print(json.dumps({{"dropped": names}}))
"""

MONTH = """
import json
import memberlens as ml
ws = ml.open({ws!r})
with ws.session() as session:
    month = ws.resolve_period(session, None)
print(json.dumps({{"first": str(month.first), "last": str(month.last), "label": str(month)}}))
"""


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every process below it (the JVM of a Spark run)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            statm = Path(f"/proc/{current}/statm").read_text()
            total += int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
            todo += [int(p) for p in children.split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def timed(step: str, argv: list[str]) -> Measured:
    """A whole process: wall time and the peak of its tree's resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read()
    process.wait()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{step} failed with status {process.returncode}:\n{output[-3000:]}")
    measured = Measured(step, seconds, peak[0] / 1024**3, {"tail": output.strip()[-300:]})
    print(f"{step}: {seconds:.1f} s, peak RSS {measured.peak_rss_gb:.2f} GB", flush=True)
    return measured


def duck_workspace(members: int) -> Path:
    """A DuckDB workspace with the program's tables and no daily aggregates."""
    data = OUT / f"program-{members}"
    ws = OUT / f"ws-spark-duckdb-{members}"
    if (ws / "memberlens.toml").exists():
        return ws
    kept = OUT / f"ws-aggregates-{members}"
    if (kept / "warehouse.duckdb").exists():
        ws.mkdir(parents=True)
        shutil.copy(kept / "memberlens.toml", ws / "memberlens.toml")
        text = (ws / "memberlens.toml").read_text(encoding="utf-8")
        (ws / "memberlens.toml").write_text(text.split("\n[sources.")[0], encoding="utf-8")
        shutil.copy(kept / "warehouse.duckdb", ws / "warehouse.duckdb")
        warehouse = str(ws / "warehouse.duckdb")
        print(child("copy without aggregates", WITHOUT_AGGREGATES.format(warehouse=warehouse)))
        return ws
    if not (data / "orders.parquet").exists():
        child("generate", GENERATE.format(data=str(data), members=members))
    child("load", LOAD.format(data=str(data), ws=str(ws)))
    return ws


def spark_workspace(members: int, tables: Path, memory: str, partitions: int) -> Path:
    ws = OUT / f"ws-spark-{members}"
    shutil.rmtree(ws, ignore_errors=True)
    cli = [str(Path(sys.executable).with_name("memberlens")), "init", str(ws)]
    subprocess.run(cli, check=True, capture_output=True)
    config = ws / "memberlens.toml"
    settings = (
        'backend = "pyspark"\nspark_master = "local[*]"\n'
        f'spark_parquet = "{tables}"\n'
        f'spark_conf = {{ "spark.driver.memory" = "{memory}", '
        f'"spark.sql.shuffle.partitions" = "{partitions}" }}'
    )
    text = config.read_text(encoding="utf-8").replace('backend = "duckdb"', settings)
    config.write_text(text, encoding="utf-8")
    return ws


def tasks(month: dict[str, str], out: Path) -> dict[str, list[str]]:
    as_of = month["last"]
    year = str(date.fromisoformat(month["first"]) - timedelta(days=365))
    return {
        "metrics": ["metrics", "--period", month["label"], "--format", "json"],
        "rfm": ["rfm", "--as-of", as_of, "--output", str(out / "rfm.parquet")],
        "tiers": ["tiers", "--as-of", as_of, "--output", str(out / "tiers.parquet")],
        "tier-history": ["tier-history", "--from", year, "--to", as_of, "--format", "json"],
        "vintages": ["points", "vintages", "--as-of", as_of, "--format", "json"],
        "clv": ["clv", "--calibration-end", as_of, "--format", "json"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--driver-memory", default="16g", help="spark.driver.memory")
    parser.add_argument("--partitions", type=int, default=16, help="spark.sql.shuffle.partitions")
    parser.add_argument("--only", default="", help="comma-separated commands (default: all)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    duck = duck_workspace(args.members)
    tables = OUT / f"parquet-{args.members}"
    steps: list[Measured] = []
    memberlens = str(Path(sys.executable).with_name("memberlens"))
    if not (tables / "orders.parquet").exists():
        steps.append(timed("export to Parquet", [memberlens, "-w", str(duck), "export",
                                                 str(tables), "--full-phone"]))  # fmt: skip
    spark = spark_workspace(args.members, tables, args.driver_memory, args.partitions)
    month = json.loads(json.dumps(child("month", MONTH.format(ws=str(duck))).detail))
    chosen = [n for n in args.only.split(",") if n]
    rows = []
    for name, argv in tasks(month, OUT / f"spark-out-{args.members}").items():
        if chosen and name not in chosen:
            continue
        (OUT / f"spark-out-{args.members}").mkdir(exist_ok=True)
        pair = [timed(f"{name}, {engine}", [memberlens, "-w", str(ws), *argv])
                for engine, ws in (("duckdb", duck), ("spark", spark))]  # fmt: skip
        steps += pair
        rows.append((name, *pair))
    print(f"\n{args.members:,} members, month {month['label']}\n")
    print("| command | DuckDB s | Spark s | Spark ÷ DuckDB | DuckDB peak GB | Spark peak GB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, a, b in rows:
        print(f"| {name} | {a.seconds:.1f} | {b.seconds:.1f} | {b.seconds / a.seconds:.1f}× "
              f"| {a.peak_rss_gb:.2f} | {b.peak_rss_gb:.2f} |")  # fmt: skip
    figures = [{"step": m.step, "seconds": m.seconds, "peak_rss_gb": m.peak_rss_gb} for m in steps]
    (OUT / f"spark-{args.members}.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
