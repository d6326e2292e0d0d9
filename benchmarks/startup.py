"""How fast the command line answers: `memberlens --help` and `memberlens metrics list`.

    uv run python benchmarks/startup.py [--runs 15]

Each command runs as a fresh process; the median and worst wall times are printed, with
bytecode cached as an installed package has it (this machine's environment sets
PYTHONDONTWRITEBYTECODE=1, which would compile every imported module from source on every
start; ``--no-cache`` measures that instead). One untimed run per command fills the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = (["--help"], ["metrics", "list"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-cache", action="store_true", help="compile from source each run")
    args = parser.parse_args()
    if not args.no_cache:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(Path(__file__).parent / "out" / "pycache")
    executable = Path(sys.executable).with_name("memberlens")
    print("| command | median s | worst s | runs |")
    print("|---|---:|---:|---:|")
    for command in COMMANDS:
        subprocess.run([str(executable), *command], capture_output=True, check=True)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([str(executable), *command], capture_output=True, check=True)
            times.append(time.perf_counter() - started)
        print(
            f"| memberlens {' '.join(command)} | {statistics.median(times):.3f} | "
            f"{max(times):.3f} | {args.runs} |"
        )


if __name__ == "__main__":
    main()
