"""Readers and the writer: a reader waits for a load and says for whom; a writer is told."""

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import memberlens as ml
from memberlens.engine.warehouse import WAIT_LOGGER, connect, holder, lock_info_path
from memberlens.errors import WarehouseBusyError

HOLD = """
import sys, time
from pathlib import Path
from memberlens.engine.warehouse import connect, holding
path, seconds, mode = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
with connect(path, read_only=(mode == "read"), wait_seconds=0) as con:
    if mode == "load":
        with holding(path, "the load of orders"):
            print("held", flush=True)
            time.sleep(seconds)
    else:
        print("held", flush=True)
        time.sleep(seconds)
"""


def _hold(path: Path, seconds: float, mode: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds), mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    try:
        yield process
    finally:
        process.wait(timeout=60)
        process.stdout.close()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return ml.init(tmp_path / "ws").warehouse_path


def test_a_reader_waits_for_the_load_and_names_it(
    warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=WAIT_LOGGER)
    for process in _hold(warehouse, 2.5, "load"):
        started = time.monotonic()
        with connect(warehouse) as con:  # waits (not 10 s and a failure) until the load ends
            assert con.execute("SELECT 1").fetchone() == (1,)
        assert time.monotonic() - started > 1.0
        assert process.poll() is not None or time.monotonic() - started < 60
    lines = [r.getMessage() for r in caplog.records if r.name == WAIT_LOGGER]
    assert len(lines) == 1
    assert lines[0].startswith("waiting for the load of orders (started ")
    assert f"process {process.pid})" in lines[0]
    assert not lock_info_path(warehouse).exists()


def test_a_reader_gives_up_after_the_configured_limit(warehouse: Path) -> None:
    for _ in _hold(warehouse, 3, "load"):
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusyError, match="held by the load of orders"),
            connect(warehouse, settings={"memberlens_lock_wait_seconds": "0.5"}),
        ):
            pass
        assert time.monotonic() - started < 2.5


def test_a_second_writer_is_told_who_holds_the_warehouse(warehouse: Path) -> None:
    for _ in _hold(warehouse, 3, "load"):
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusyError, match=r"held by the load of orders \(started"),
            connect(warehouse, read_only=False, wait_seconds=0),
        ):
            pass
        assert time.monotonic() - started < 2.0  # no waiting for another load


def test_a_writer_waits_for_a_reader_and_does_not_call_it_a_load(
    warehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=WAIT_LOGGER)
    for process in _hold(warehouse, 1.5, "read"):  # noqa: B007 (its pid is checked below)
        with connect(warehouse, read_only=False, wait_seconds=0) as con:
            assert con.execute("SELECT 1").fetchone() == (1,)
    lines = [r.getMessage() for r in caplog.records if r.name == WAIT_LOGGER]
    assert len(lines) == 1
    assert f"process {process.pid}" in lines[0] and "load" not in lines[0]


def test_a_stale_lock_file_is_not_believed(warehouse: Path) -> None:
    lock_info_path(warehouse).write_text(
        '{"what": "the load of orders", "pid": 999999999, "started": "2025-01-01T14:02:11"}'
    )
    assert holder(warehouse) == "another process"


@pytest.mark.parametrize("read_only", [True, False])
def test_no_progress_bar_is_drawn_on_stdout(warehouse: Path, read_only: bool) -> None:
    # DuckDB's default draws a bar on stdout for any query over 2 s, even into a pipe: a
    # metrics --format json at 10 M members would carry it
    with connect(warehouse, read_only=read_only, wait_seconds=0) as con:
        setting = "SELECT current_setting('enable_progress_bar_print')"
        assert con.execute(setting).fetchone() == (False,)
