"""Loads are atomic and idempotent: a failure, an interrupt or a kill changes nothing."""

import subprocess
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.ingest.load import _Loader

MEMBERS = "member_id,registered_at\nM1,2024-01-01\nM2,2024-01-02\n"
ORDERS = (
    "order_id,member_id,ordered_at,amount\n"
    "O1,M1,2024-02-01,10\nO2,M2,2024-02-02,20\nO3,M9,2024-02-02,1\n"
)


def snapshot(ws: ml.Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, sorted, plus the quarantine (without load ids); not the record
    of the loads themselves (``_loads`` and the days each load touched)."""
    with ws.read() as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_name NOT IN ('_loads', '_load_days')"
            ).fetchall()
        ]
        data = {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    data["_quarantine"] = [row[1:] for row in data["_quarantine"]]
    return data


@pytest.fixture
def loaded(ws: ml.Workspace, write: Callable[..., Path]) -> ml.Workspace:
    ws.ingest("members", write("members.csv", MEMBERS))
    ws.ingest("orders", write("orders.csv", ORDERS))
    return ws


def test_reloading_the_same_file_changes_nothing(loaded: ml.Workspace, tmp_path: Path) -> None:
    before = snapshot(loaded)
    result = loaded.ingest("orders", tmp_path / "orders.csv")
    assert (result.loaded, result.replaced, result.quarantined) == (2, 2, 1)
    assert snapshot(loaded) == before


def test_a_newer_row_with_the_same_key_replaces_the_old(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    result = loaded.ingest(
        "orders",
        write(
            "fix.csv",
            "order_id,member_id,ordered_at,amount\nO2,M2,2024-02-02,25\nO4,M1,2024-03-01,5\n",
        ),
    )
    assert (result.loaded, result.replaced) == (2, 1)
    orders = loaded.table("orders").sort("order_id")
    assert orders["order_id"].to_list() == ["O1", "O2", "O4"]
    assert orders.filter(pl.col("order_id") == "O2")["amount"].to_list() == [Decimal("25.0000")]


def _fail_at(monkeypatch: pytest.MonkeyPatch, method: str, error: BaseException) -> None:
    def boom(self: _Loader, *args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(_Loader, method, boom)


@pytest.mark.parametrize("method", ["_reject_duplicates", "_upsert"])
def test_a_failing_load_leaves_the_warehouse_as_before(
    loaded: ml.Workspace, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    before = snapshot(loaded)
    _fail_at(monkeypatch, method, RuntimeError("disk full"))
    with pytest.raises(RuntimeError, match="disk full"):
        loaded.ingest(
            "orders",
            write(
                "new.csv",
                "order_id,member_id,ordered_at,amount\nO1,M1,2024-02-01,99\nO7,M1,2024-02-01,1\n",
            ),
        )
    assert snapshot(loaded) == before


def test_an_interrupt_between_batches_leaves_the_warehouse_as_before(
    loaded: ml.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlsxwriter

    from memberlens.ingest import sources

    monkeypatch.setattr(sources, "BATCH_ROWS", 10)
    path = tmp_path / "many.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["member_id", "registered_at"])
    for i in range(50):
        sheet.write_row(i + 1, 0, [f"X{i}", "2024-01-01"])
    book.close()
    before = snapshot(loaded)
    seen = {"batches": 0}
    original = sources.ExcelSource.batches

    def interrupted(self: sources.ExcelSource) -> Iterator[tuple[object, int]]:
        for item in original(self):
            seen["batches"] += 1
            if seen["batches"] == 3:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(sources.ExcelSource, "batches", interrupted)
    with pytest.raises(KeyboardInterrupt):
        loaded.ingest("members", path)
    assert seen["batches"] == 3
    assert snapshot(loaded) == before


def test_a_killed_load_leaves_the_warehouse_as_before(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    before = snapshot(loaded)
    path = write(
        "late.csv",
        "order_id,member_id,ordered_at,amount\nO1,M1,2024-02-01,77\nO8,M2,2024-02-01,1\n",
    )
    script = f"""
import os, signal
import memberlens as ml
from memberlens.ingest.load import _Loader
original = _Loader._upsert
def killed(self):
    original(self)            # the new rows are written inside the transaction ...
    os.kill(os.getpid(), signal.SIGKILL)   # ... and the process dies before COMMIT
_Loader._upsert = killed
ml.open({str(loaded.root)!r}).ingest("orders", {str(path)!r})
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -9
    assert snapshot(loaded) == before
    assert loaded.ingest("orders", path).loaded == 2  # and the warehouse still works


# -- faults: signals, a full disk, repeated kills -----------------------------------------------
def _orders_csv(path: Path, rows: int) -> Path:
    import duckdb

    duckdb.sql(
        f"""COPY (SELECT 'X' || i AS order_id, 'M' || (1 + i % 2) AS member_id,
                         TIMESTAMP '2024-02-01' + INTERVAL (i % 1000) MINUTE AS ordered_at,
                         (i % 500) + 0.5 AS amount, md5(i::VARCHAR) AS note
                  FROM range({rows}) t(i)) TO '{path}' (HEADER)"""
    )
    return path


SLOW_LOAD = """
import sys
from memberlens.cli import run
from memberlens.ingest.load import _Loader
def slow(self):  # a statement that runs for minutes, in the loader's worker thread
    self._execute("SELECT sum(hash(range)) FROM range(100000000000)", "slow")
    return 0, 0
_Loader._upsert = slow
sys.exit(run(sys.argv[1:]))
"""


def test_an_interrupt_before_a_statement_starts_stops_the_load_at_once(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    """Ctrl-C while a step is being announced, before its statement's thread runs: the
    load rolls back and returns rather than waiting for a statement that never starts."""
    import threading

    class Announcing:  # a progress report: the loader runs statements in a worker thread
        def start(self, description: str, total: int | None, unit: str = "rows") -> None:
            if unit == "%":  # a statement's own progress (percent): the next one to run
                raise KeyboardInterrupt

        def update(self, done: int) -> None:
            return None

        def finish(self) -> None:
            return None

    before = snapshot(loaded)
    path = write("late.csv", "order_id,member_id,ordered_at,amount\nO8,M1,2024-02-01,1\n")
    raised: list[BaseException] = []

    def load() -> None:
        try:
            loaded.ingest("orders", path, progress=Announcing())
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the load still waits for a statement that never started"
    assert len(raised) == 1 and isinstance(raised[0], KeyboardInterrupt)
    assert snapshot(loaded) == before
    assert loaded.ingest("orders", path).loaded == 1


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code", "name"), [(2, 130, "Ctrl-C"), (15, 143, "SIGTERM")])
def test_ctrl_c_and_sigterm_during_a_load_exit_cleanly(
    loaded: ml.Workspace, write: Callable[..., Path], signum: int, code: int, name: str
) -> None:
    import os
    import time

    before = snapshot(loaded)
    path = write("late.csv", "order_id,member_id,ordered_at,amount\nO8,M1,2024-02-01,1\n")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_LOAD, "-w", str(loaded.root), "ingest", "orders", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    info = loaded.warehouse_path.with_name("warehouse.duckdb.lock.json")
    deadline = time.monotonic() + 60
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # inside the slow statement
    os.kill(process.pid, signum)
    try:
        _out, err = process.communicate(timeout=180)  # generous: CI machines are busy
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"the load did not stop within 180 s of {name}")
    assert process.returncode == code, err
    assert "Traceback" not in err and "terminate called" not in err
    assert f"Interrupted ({name}): the load of orders was stopped and rolled back" in err
    assert not info.exists()
    assert snapshot(loaded) == before
    assert loaded.ingest("orders", path).loaded == 1


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = int(sys.argv.pop(1))
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from memberlens.cli import run
sys.exit(run(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_full_disk_leaves_the_warehouse_usable_and_the_space_reclaimed(
    loaded: ml.Workspace, tmp_path: Path
) -> None:
    before = snapshot(loaded)
    size = loaded.warehouse_path.stat().st_size
    big = _orders_csv(tmp_path / "big.csv", 400_000)
    limit = size + (1 << 20)  # one more megabyte: far less than the load needs
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            FULL_DISK,
            str(limit),
            "-w",
            str(loaded.root),
            "ingest",
            "orders",
            str(big),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert snapshot(loaded) == before
    assert loaded.warehouse_path.stat().st_size <= limit
    small = tmp_path / "small.csv"
    small.write_text("order_id,member_id,ordered_at,amount\nO8,M1,2024-02-01,1\n")
    assert loaded.ingest("orders", small).loaded == 1  # the next load works


@pytest.mark.slow
def test_repeated_killed_loads_do_not_grow_the_file_without_bound(
    loaded: ml.Workspace, tmp_path: Path
) -> None:
    big = _orders_csv(tmp_path / "big.csv", 200_000)
    script = f"""
import os, signal
import memberlens as ml
from memberlens.ingest.load import _Loader
original = _Loader._upsert
def killed(self):
    original(self)
    os.kill(os.getpid(), signal.SIGKILL)
_Loader._upsert = killed
ml.open({str(loaded.root)!r}).ingest("orders", {str(big)!r})
"""
    sizes = []
    for _ in range(4):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
        assert done.returncode == -9
        loaded.counts()  # the next command opens (and recovers) the warehouse
        wal = loaded.warehouse_path.with_name("warehouse.duckdb.wal")
        sizes.append(
            loaded.warehouse_path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
        )
    assert sizes[-1] <= sizes[0] * 1.5, sizes
