"""benchmarks/experiment_compare.py on a tiny program: both processes agree."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow
def test_experiment_compare_on_a_tiny_program(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from experiment_compare import main
    finally:
        sys.path.remove(str(BENCHMARKS))
    summary = main(["--members", "300", "--out", str(tmp_path)])
    assert summary["assigned"] > 0  # main() exits when the sums differ
    assert (tmp_path / "experiment-compare-300.json").exists()
