"""Generation and ingestion throughput and peak memory, each step in its own process.

    uv run python benchmarks/run.py --members 1000000 [--members 10000000] [--keep]
        [--distribution heavy]

``--distribution heavy`` makes the second program (log-normal purchase rates, one-order
buyers, long inactive spells) in benchmarks/out/program-heavy-N and ws-heavy-N, so that the
side-by-side scripts (``--workspace``/``--data``) can be pointed at it.

Each step runs as a child process, so its peak RSS (from wait4's rusage) is its own. Output
goes to benchmarks/out/ (git-ignored); a Markdown table is printed for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).parent / "out"


@dataclass
class Measured:
    step: str
    seconds: float
    peak_rss_gb: float
    detail: dict[str, object]


def child(step: str, code: str) -> Measured:
    """Run ``code`` in a fresh Python; it prints one JSON line of details last."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read().strip().splitlines()  # before wait4: a full pipe blocks
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{step} failed with status {status}")
    detail = json.loads(output[-1]) if output else {}
    return Measured(step, seconds, usage.ru_maxrss / 1024**2, detail)


def command(step: str, argv: list[str]) -> Measured:
    """Run ``argv`` (a whole CLI process): wall time and peak RSS; its output is discarded
    but kept in ``detail["tail"]`` (the last lines) for the record."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = process.stdout.read()  # read before wait4 so the pipe never fills
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{step} failed with status {status}:\n{output[-2000:]}")
    tail = output.strip().splitlines()[-3:]
    return Measured(step, seconds, usage.ru_maxrss / 1024**2, {"tail": tail})


GENERATE = """
import json
from memberlens.generate import generate
truth = generate({out!r}, {members}, distribution={distribution!r})
print(json.dumps(truth["rows"]))
"""

INGEST = """
import json, time
import memberlens as ml
ws = ml.init({ws!r})
rates = {{}}
for table in {tables!r}:
    result = ws.ingest(table, {data!r} + "/" + table + ".parquet")
    rates[table] = {{
        "rows": result.rows_read, "seconds": round(result.seconds, 2),
        "rows_per_second": round(result.rows_per_second), "quarantined": result.quarantined,
    }}
print(json.dumps(rates))
"""


def run(members: int, keep: bool, reuse: bool, distribution: str = "bgnbd") -> list[Measured]:
    prefix = "" if distribution == "bgnbd" else f"{distribution}-"
    data = OUT / f"program-{prefix}{members}"
    ws = OUT / f"ws-{prefix}{members}"
    shutil.rmtree(ws, ignore_errors=True)
    from memberlens.schema import LOAD_ORDER

    results = []
    if not (reuse and (data / "truth.json").exists()):
        shutil.rmtree(data, ignore_errors=True)
        generate_code = GENERATE.format(out=str(data), members=members, distribution=distribution)
        results.append(child(f"generate {members:,}", generate_code))
    results.append(
        child(
            f"ingest {members:,}",
            INGEST.format(ws=str(ws), data=str(data), tables=list(LOAD_ORDER)),
        )
    )
    if not keep:
        shutil.rmtree(ws, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, action="append", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the loaded workspaces")
    parser.add_argument(
        "--reuse", action="store_true", help="ingest an already generated program again"
    )
    parser.add_argument("--distribution", choices=("bgnbd", "heavy"), default="bgnbd")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, {platform.python_version()}, {platform.machine()}")
    for members in args.members:
        measured = run(members, args.keep, args.reuse, args.distribution)
        name = f"results-{args.distribution}-{members}{'-reuse' if args.reuse else ''}.json"
        (OUT / name).write_text(
            json.dumps([m.__dict__ for m in measured], indent=1), encoding="utf-8"
        )
        for m in measured:
            print(f"\n## {m.step}: {m.seconds:,.1f} s, peak RSS {m.peak_rss_gb:.2f} GB")
            if m.step.startswith("generate"):
                rows = {k: int(v) for k, v in m.detail.items()}  # type: ignore[call-overload]
                print(f"rows: {json.dumps(rows)}")
                print(f"orders written per second: {rows['orders'] / m.seconds:,.0f}")
            else:
                print("| table | rows | seconds | rows/s | quarantined |")
                print("|---|---:|---:|---:|---:|")
                for table, r in m.detail.items():
                    assert isinstance(r, dict)
                    print(
                        f"| {table} | {r['rows']:,} | {r['seconds']} | "
                        f"{r['rows_per_second']:,} | {r['quarantined']} |"
                    )


if __name__ == "__main__":
    main()
