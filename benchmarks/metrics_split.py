"""Time the core metric set for one month split by one dimension, as a whole process.

    uv run python benchmarks/metrics_split.py WORKSPACE [--period 2025-12] [--by channel]

Loads nothing: point it at a loaded workspace (benchmarks/run.py --keep leaves one in
benchmarks/out/ws-N). Prints wall time and peak RSS of a child process that computes every
core metric of the catalog for the period, split by the dimension.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CODE = """
import json, time
import memberlens as ml
from memberlens.metrics.catalog import METRICS
from memberlens.metrics.compute import NOT_SPLITTABLE
ws = ml.open({ws!r})
ids = [m.id for m in METRICS if m.klass == "core" and m.id not in NOT_SPLITTABLE]
started = time.perf_counter()
frame = ws.metrics(ids, {period!r}, by={by!r})
print(json.dumps({{"metrics": len(ids), "rows": frame.height,
                  "seconds_in_process": time.perf_counter() - started}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workspace")
    parser.add_argument("--period", default="2025-12")
    parser.add_argument("--by", default="channel")
    args = parser.parse_args()
    code = CODE.format(ws=args.workspace, period=args.period, by=args.by)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    assert process.stdout is not None
    detail = json.loads(process.stdout.read().strip().splitlines()[-1])
    process.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed with status {status}")
    print(
        f"core metrics ({detail['metrics']}) for {args.period} by {args.by}: "
        f"{seconds:.1f} s whole process ({detail['seconds_in_process']:.1f} s computing), "
        f"{detail['rows']} rows, peak RSS {usage.ru_maxrss / 1024**2:.2f} GB"
    )


if __name__ == "__main__":
    main()
