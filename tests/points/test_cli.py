"""``memberlens points …`` on the hand-made ledger (numbers from test_handmade)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml


def run(ws: ml.Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "memberlens", "-w", str(ws.root), "points", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_vintages_json_and_expiry_csv(book: ml.Workspace) -> None:
    done = run(book, "vintages", "--as-of", "2025-01-31", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {r["issue_month"]: r for r in json.loads(done.stdout)["rows"]}
    assert (rows["2023-01"]["issued"], rows["2023-01"]["open"]) == (300, 0)
    assert rows["2024-02"]["open"] == 180
    done = run(book, "expiry", "--as-of", "2025-01-31", "-f", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "bucket,points,value,batches,members"
    assert "2025-12,1110,11.1,4,4" in lines
    assert lines[-1] == "never,25,0.25,1,1"


def test_breakage_json(book: ml.Workspace) -> None:
    done = run(book, "breakage", "--as-of", "2025-01-31", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    summary = document["summary"]
    assert summary["open_points"] == 1815
    assert summary["outstanding_points"] == 1785
    assert summary["expected_breakage_points"] == pytest.approx(516295 / 308)
    assert [r["months_since_issue"] for r in document["rows"]] == [1, 6, 7, 8, 11, 12]


def test_reactivation_and_output(book: ml.Workspace, tmp_path: Path) -> None:
    done = run(book, "reactivation", "--as-of", "2025-01-31", "-f", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [(r["member_id"], r["balance"]) for r in rows] == [
        ("B", 100),
        ("G", 80),
        ("D", 70),
        ("H", 25),
    ]
    target = tmp_path / "curves.xlsx"
    done = run(book, "curves", "--as-of", "2025-01-31", "--output", str(target))
    assert done.returncode == 0, done.stderr
    curves = pl.read_excel(target)
    assert curves.filter(pl.col("issue_month") == "2023-01").height == 25
    done = run(book, "curves", "--as-of", "2025-01-31", "--measure", "expired")
    assert done.returncode == 0, done.stderr
    language = book.config.workspace.language
    assert ("已过期占比" if language == "zh" else "Share expired") in done.stdout


def test_date_before_the_ledger_is_one_line(book: ml.Workspace) -> None:
    done = run(book, "breakage", "--as-of", "2022-06-30")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "the points ledger starts on 2023-01-15" in lines[0]


def test_breakage_table_shows_rates_as_percentages(book: ml.Workspace) -> None:
    done = run(book, "breakage", "--as-of", "2025-01-31")
    assert done.returncode == 0, done.stderr
    summary = json.loads(run(book, "breakage", "--as-of", "2025-01-31", "--format", "json").stdout)[
        "summary"
    ]
    rate = summary["expected_breakage_rate"]
    assert f"{rate:.1%}" in done.stdout  # 89.4%, not 0.8944
