"""Time the core metric set for one month split by one dimension, as a whole process.

    uv run python benchmarks/metrics_split.py WORKSPACE [--period 2025-12] [--by channel]

Loads nothing: point it at a loaded workspace (benchmarks/run.py --keep leaves one in
benchmarks/out/ws-N). Prints wall time and peak RSS of a child process that computes every
core metric of the catalog for the period, split by the dimension.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from run import child

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
    measured = child("core metrics", code)
    detail: dict[str, Any] = measured.detail
    print(
        f"core metrics ({detail['metrics']}) for {args.period} by {args.by}: "
        f"{measured.seconds:.1f} s whole process ({detail['seconds_in_process']:.1f} s "
        f"computing), {detail['rows']} rows, peak RSS {measured.peak_rss_gb:.2f} GB"
    )


if __name__ == "__main__":
    main()
