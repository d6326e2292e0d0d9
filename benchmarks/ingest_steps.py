"""Where a load of orders spends its time: each step the loader reports, one process.

    uv run python benchmarks/ingest_steps.py [--data benchmarks/out/program-10000000]

Loads the program's members, then its orders, into a new workspace (removed afterwards),
with a progress report that records the seconds between each step's start and finish, and
prints the whole load and each step. To time another checkout's loader on the same files,
run it with that checkout's source first on the path (``PYTHONPATH=OTHER/src``).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Steps:
    """A progress report that keeps (step, seconds) for each step."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.step = ""
        self.seconds: list[tuple[str, float]] = []

    def start(self, description: str, total: int | None, unit: str = "rows") -> None:
        self.step, self.started = description, time.perf_counter()

    def update(self, done: int) -> None:
        return None

    def finish(self) -> None:
        if self.started is not None:
            self.seconds.append((self.step, time.perf_counter() - self.started))
            self.started = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=HERE / "out" / "program-10000000")
    args = parser.parse_args()
    import memberlens as ml

    folder = Path(tempfile.mkdtemp())
    try:
        ws = ml.init(folder / "ws")
        ws.ingest("members", args.data / "members.parquet")
        steps = Steps()
        started = time.perf_counter()
        result = ws.ingest("orders", args.data / "orders.parquet", progress=steps)
        whole = time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"memberlens from {Path(ml.__file__).parent}")
    print(f"orders: {result.loaded:,} rows in {whole:.2f} s = {result.loaded / whole:,.0f} rows/s")
    for step, seconds in steps.seconds:
        print(f"  {step}: {seconds:.2f} s")
    rest = whole - sum(seconds for _, seconds in steps.seconds)
    print(f"  the rest (references, recorded days, commit): {rest:.2f} s")


if __name__ == "__main__":
    main()
