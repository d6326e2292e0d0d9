"""Every everyday command of the README, timed as a whole process on the demo workspace.

    uv run python benchmarks/commands.py [--members 20000] [--runs 3] [--cold-runs 3]
        [--workspace DIR]

Builds the demo workspace first (``memberlens demo``, 20,000 members by default) unless
``--workspace`` names one, then runs each command once untimed (bytecode cache, DuckDB's
files in the page cache; the first one starts the warm process of ``memberlens.launch``,
which is waited for) and ``--runs`` times timed, printing the median and worst wall time
beside the bar of issue 12: 1.0 s, ``churn`` and ``report`` 4 s. The same command is then
timed ``--cold-runs`` times with ``MEMBERLENS_WARM=0`` (every command imports its own
libraries), side by side. Bytecode is cached as an installed package has it (see
benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# (command, bar in seconds); dates inside the demo program's two years (2024-2025)
COMMANDS: tuple[tuple[str, float], ...] = (
    ("--help", 0.3),
    ("metrics list", 0.3),
    ("quarantine", 1.0),
    ("metrics --period 2025-03", 1.0),
    ("metrics repurchase_rate aov --period 2025-Q1 --format json", 1.0),
    ("metrics repurchase_rate --period 2025-03 --by points_user", 1.0),
    ("metrics orders revenue --from 2025-01-01 --to 2025-12-31 --grain month", 1.0),
    ("metrics explain retention_rate --period 2025-03", 1.0),
    ("goals --period 2025-03", 1.0),
    ("compare --by points_user --period 2025-Q1", 1.0),
    ("cohorts --from 2025-01-01 --to 2025-12-31 --basis first_purchase", 1.0),
    ("alerts --from 2025-01-01 --to 2025-12-31", 1.0),
    ("trend orders --from 2024-01-01 --to 2025-12-31", 1.0),
    ("drivers --period 2025-Q2", 1.0),
    ("rfm --as-of 2025-03-31 --summary --scores quintile", 1.0),
    ("rfm --as-of 2025-06-30 --from 2025-03-31", 1.0),
    ("value --as-of 2025-03-31", 1.0),
    ("tiers --as-of 2025-03-31 --format json", 1.0),
    ("tiers --as-of 2025-03-31 --near 0.8", 1.0),
    ("tier-history --from 2025-01-01 --to 2025-12-31", 1.0),
    ("points breakage --as-of 2025-12-31", 1.0),
    ("points reactivation --as-of 2025-12-31", 1.0),
    ("clv --calibration-end 2025-06-30 --holdout-end 2025-12-31", 1.0),
    ("churn --as-of 2025-12-31", 4.0),
    ("report --period 2025-03", 4.0),
    ("experiment analyze EXP2025PUSH --cuped", 1.0),
    ("campaign analyze --by tier", 1.0),
    ("causal points --as-of 2025-09-30", 1.0),
    ("voc nps --period 2025-Q4 --by tier", 1.0),
)


def timed(argv: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--workspace", type=Path, help="an existing demo workspace")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(Path(__file__).parent / "out" / "pycache")
    os.environ["COLUMNS"] = "120"
    executable = str(Path(sys.executable).with_name("memberlens"))
    workspace = args.workspace
    started = time.time()  # the demo's build starts the warm process too
    if workspace is None:
        workspace = Path(tempfile.mkdtemp(prefix="memberlens-commands-")) / "demo"
        subprocess.run(
            [executable, "demo", str(workspace), "--members", str(args.members)],
            check=True,
            capture_output=True,
        )
    cold = {**os.environ, "MEMBERLENS_WARM": "0"}
    print(
        f"| command ({args.members:,} members) | median s | worst s | bar s | within "
        "| `MEMBERLENS_WARM=0`: median s |"
    )
    print("|---|---:|---:|---:|---|---:|")
    for number, (command, bar) in enumerate(COMMANDS):
        argv = [executable, "-w", str(workspace), *command.split()]
        if command in ("--help", "metrics list"):
            argv = [executable, *command.split()]
        timed(argv)  # warm-up
        if number == 0:
            wait_until_warm(started)
        times = [timed(argv) for _ in range(args.runs)]
        median = statistics.median(times)
        cold_times = [timed(argv, cold) for _ in range(args.cold_runs)]
        cold_median = f"{statistics.median(cold_times):.2f}" if cold_times else "–"
        print(
            f"| memberlens {command} | {median:.2f} | {max(times):.2f} | {bar:.1f} | "
            f"{'yes' if median <= bar else 'no'} | {cold_median} |",
            flush=True,
        )


def wait_until_warm(since: float, seconds: float = 60) -> None:
    """Wait until a warm process started after ``since`` listens (the demo's build or the
    first command started it; see memberlens.launch)."""
    from memberlens import launch

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(launch.warm_pid(base, since) for base in (None, "/tmp")):
            return
        time.sleep(0.2)
    print("(no warm process answered: the commands below ran in their own processes)")


if __name__ == "__main__":
    main()
