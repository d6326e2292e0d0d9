"""Shared fixtures: fresh workspaces, and one small generated program loaded once per run."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.generate import TRUTH_FILE, generate
from memberlens.schema import LOAD_ORDER

DEMO_MEMBERS = 3000


@pytest.fixture
def ws(tmp_path: Path) -> ml.Workspace:
    """An empty workspace."""
    return ml.init(tmp_path / "ws")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text to a file in tmp_path with a given encoding and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture
def load_csv(ws: ml.Workspace, write: Callable[..., Path]) -> Callable[..., ml.Workspace]:
    """Load (table, CSV text) pairs into the empty workspace, in order, with nothing rejected."""

    def _load(*tables: tuple[str, str]) -> ml.Workspace:
        for table, text in tables:
            result = ws.ingest(table, write(f"{table}.csv", text))
            assert result.quarantined == 0, (table, result.reasons)
        return ws

    return _load


@pytest.fixture
def shop(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    """The hand-made program of tests/handmade.py, loaded."""
    import handmade as h

    return load_csv(
        ("members", h.MEMBERS),
        ("campaigns", h.CAMPAIGNS),
        ("orders", h.ORDERS),
        ("points", h.POINTS),
        ("events", h.EVENTS),
        ("campaign_touches", h.TOUCHES),
        ("tickets", h.TICKETS),
        ("surveys", h.SURVEYS),
        ("posts", h.POSTS),
    )


@pytest.fixture(scope="session")
def small_program_ws(tmp_path_factory: pytest.TempPathFactory) -> ml.Workspace:
    """300 generated members, loaded (for command-line tests)."""
    folder = tmp_path_factory.mktemp("small")
    generate(folder / "data", 300, chunk_size=300)
    workspace = ml.init(folder / "ws")
    for table in LOAD_ORDER:
        workspace.ingest(table, folder / "data" / f"{table}.parquet")
    return workspace


@pytest.fixture(scope="session")
def program(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A small generated program: (folder of Parquet files, truth)."""
    folder = tmp_path_factory.mktemp("program")
    generate(folder, DEMO_MEMBERS, chunk_size=1000)
    truth = json.loads((folder / TRUTH_FILE).read_text(encoding="utf-8"))
    return folder, truth


@pytest.fixture(scope="session")
def demo_ws(
    program: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> ml.Workspace:
    """The small program loaded into a workspace (read-only use in tests)."""
    folder, _ = program
    workspace = ml.init(tmp_path_factory.mktemp("demo") / "ws")
    for table in LOAD_ORDER:
        workspace.ingest(table, folder / f"{table}.parquet")
    return workspace


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the run; without Java the Spark tests skip (fail on CI)."""
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Java for the Spark parity tests")
        pytest.skip("java is not installed")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("memberlens-parity")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")  # the workspaces' time zone
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, launched as the report's printer launches it."""
    from memberlens.report.pdf import ARGS

    if shutil.which("/usr/bin/chromium") is None:
        pytest.skip("the chromium package is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        yield launched
        launched.close()
