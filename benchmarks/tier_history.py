"""Time twelve monthly tier evaluations with history, as a whole process.

    uv run python benchmarks/tier_history.py WORKSPACE [--from 2025-01-01] [--to 2025-12-31]

Point it at a loaded workspace (benchmarks/run.py --keep leaves one in benchmarks/out/ws-N).
A child process replays the workspace's [tiers] rules over the range (the default: twelve
month-end evaluations of 2025, immediate upgrades) and prints wall time, peak RSS, the
number of stretches and the tier counts at the end.
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
ws = ml.open({ws!r})
started = time.perf_counter()
history = ws.tier_history({start!r}, {end!r})
seconds = time.perf_counter() - started
at_end = history.distribution().filter(history.distribution()["date"] == history.end)
print(json.dumps({{"evaluations": len(history.evaluations), "stretches": history.history.height,
                  "seconds_in_process": seconds, "upgrade": ws.config.tiers.upgrade,
                  "at_end": dict(zip(at_end["tier"], at_end["members"]))}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workspace")
    parser.add_argument("--from", dest="start", default="2025-01-01")
    parser.add_argument("--to", dest="end", default="2025-12-31")
    args = parser.parse_args()
    measured = child("tier history", CODE.format(ws=args.workspace, start=args.start, end=args.end))
    detail: dict[str, Any] = measured.detail
    print(
        f"tier history {args.start}..{args.end} ({detail['evaluations']} evaluations, "
        f"upgrade = {detail['upgrade']}): {measured.seconds:.1f} s whole process "
        f"({detail['seconds_in_process']:.1f} s replaying), {detail['stretches']:,} stretches, "
        f"peak RSS {measured.peak_rss_gb:.2f} GB; at the end: {detail['at_end']}"
    )


if __name__ == "__main__":
    main()
