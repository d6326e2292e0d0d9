import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

import memberlens as ml
from memberlens.engine.warehouse import META_TABLE, SCHEMA_VERSION, connect, schema_version
from memberlens.errors import WarehouseBusyError, WorkspaceError
from memberlens.schema import TABLES


def test_init_creates_every_canonical_table_with_its_types(ws: ml.Workspace) -> None:
    with ws.read() as con:
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
        ).fetchall()
        assert schema_version(con) == SCHEMA_VERSION
    columns = {(t, c): d for t, c, d in rows}
    for spec in TABLES.values():
        for column in spec.columns:
            assert columns[(spec.name, column.name)] == column.sql_type
    assert columns[("orders", "amount")] == "DECIMAL(18,4)"
    assert columns[("orders", "ordered_at")] == "TIMESTAMP"
    assert columns[("points", "points")] == "BIGINT"
    assert columns[("members", "birthday")] == "DATE"


def test_init_refuses_an_existing_workspace(ws: ml.Workspace) -> None:
    with pytest.raises(WorkspaceError, match="already a memberlens workspace"):
        ml.init(ws.root)


def test_open_a_directory_that_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="memberlens init"):
        ml.open(tmp_path)


def test_open_uses_the_environment_variable(
    ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBERLENS_WORKSPACE", str(ws.root))
    assert ml.open().root == ws.root


def test_a_newer_warehouse_is_refused(ws: ml.Workspace) -> None:
    con = duckdb.connect(str(ws.warehouse_path))
    con.execute(f"UPDATE {META_TABLE} SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(WorkspaceError, match="newer than this memberlens"):
        ws.migrate()
    with pytest.raises(WorkspaceError, match="schema version 99"):
        ws.counts()


def test_an_unversioned_warehouse_is_migrated_by_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()  # an empty file: version 0
    with connect(path, read_only=False) as con:
        assert schema_version(con) == SCHEMA_VERSION
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
    assert set(TABLES) <= tables


def test_a_schema_1_warehouse_is_refused_by_readers_and_migrated_keeping_its_rows(
    ws: ml.Workspace,
) -> None:
    with duckdb.connect(str(ws.warehouse_path)) as con:
        con.execute("INSERT INTO members (member_id) VALUES ('M1')")
        con.execute("DROP TABLE _load_days")  # as schema 1 had it
        con.execute(f"UPDATE {META_TABLE} SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(WorkspaceError, match=r"schema version 1; .* migrate"):
        ws.counts()
    ws.migrate()
    with connect(ws.warehouse_path) as con:
        assert schema_version(con) == SCHEMA_VERSION == 2
        assert con.execute("SELECT count(*) FROM _load_days").fetchall() == [(0,)]
        assert con.execute("SELECT member_id FROM members").fetchall() == [("M1",)]


def test_readers_wait_for_a_writer_then_say_the_warehouse_is_busy(ws: ml.Workspace) -> None:
    import subprocess
    import sys
    import time

    # another process holds the write lock, as a long load would
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(ws.warehouse_path)!r}); "
            "print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        with (
            pytest.raises(WarehouseBusyError, match="held by another process"),
            connect(ws.warehouse_path, read_only=True, wait_seconds=1.0),
        ):
            pass
        assert time.monotonic() - started >= 1.0
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    # once the writer is gone, readers open it again
    assert ws.counts()["members"] == 0


def test_engine_limits_apply_to_every_connection(ws: ml.Workspace) -> None:
    config = ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace('backend = "duckdb"', 'backend = "duckdb"\nmemory_limit = "1GB"\nthreads = 1'),
        encoding="utf-8",
    )
    limited = ml.open(ws.root)
    with limited.read() as con:
        memory, threads = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')"
        ).fetchall()[0]
    assert memory in ("1.0 GiB", "953.6 MiB", "1.0 GB") and int(threads) == 1


def test_cached_block_reuses_values_and_ends_with_the_block(demo_ws: ml.Workspace) -> None:
    ids = ["orders", "revenue", "aov", "repurchase_rate"]
    plain = demo_ws.summary(ids, "2025-11")
    with demo_ws.cached():
        first = demo_ws.summary(ids, "2025-11")
        memo = demo_ws._memo
        assert memo is not None and ("aov", "2025-11") in memo and ("orders", "2025-10") in memo
        memo[("orders", "2025-11")] = -1  # a planted value proves the second call reads it
        again = demo_ws.summary(ids, "2025-11")
    assert first.equals(plain)
    assert again.filter(again["metric"] == "orders")["value"].to_list() == [-1]
    assert demo_ws._memo is None
    assert demo_ws.summary(ids, "2025-11").equals(plain)


# Dates outside 1900-01-01 .. 2100-12-31 (issue: OverflowError in analytics)


@pytest.mark.parametrize(
    ("call", "parameter", "value"),
    [
        (lambda w: w.rfm("0001-01-01"), "as_of", "0001-01-01"),
        (lambda w: w.tiers("9999-12-31"), "as_of", "9999-12-31"),
        (lambda w: w.segments.rfm_migration("0001-01-10", "2024-03-31"), "start", "0001-01-10"),
        (lambda w: w.metrics(["orders"], "0001-01-01..9999-12-31"), "period", None),
        (lambda w: w.metrics(["orders"], "9999-12"), "period", "9999-12"),
        (lambda w: w.summary(["orders"], "0001"), "period", "0001"),
        (lambda w: w.metrics(["orders"], start="0001-01-01", end="2024-03-31"), "start", None),
        (lambda w: w.metrics(["orders"], start="2024-01-01", end="9999-12-31"), "end", None),
        (lambda w: w.program.tier_history("2024-01-01", "9999-12-31"), "end", "9999-12-31"),
    ],
)
def test_a_date_outside_the_window_is_an_input_error_naming_the_parameter(
    shop: ml.Workspace, call: Any, parameter: str, value: str | None
) -> None:
    with pytest.raises(ml.InputError, match="1900-01-01 to 2100-12-31") as caught:
        call(shop)
    assert caught.value.parameter == parameter
    if value is not None:
        assert caught.value.value == value


def test_check_as_of_refuses_year_one_before_reading_the_data(shop: ml.Workspace) -> None:
    from datetime import date

    from memberlens.facts.coverage import check_as_of

    with shop.session() as s, pytest.raises(ml.InputError, match="dates must lie") as caught:
        check_as_of(s, date(1, 1, 1), parameter="as_of")
    assert caught.value.parameter == "as_of"


def test_a_period_after_the_data_warns_naming_the_range(shop: ml.Workspace) -> None:
    from memberlens.facts.coverage import NoDataWarning

    with pytest.warns(NoDataWarning, match="the data runs from 2023-06-01 to 2024-03-") as caught:
        frame = shop.metrics(["orders", "aov"], "2099-01")
    mine = [w for w in caught if issubclass(w.category, NoDataWarning)]
    assert len(mine) == 1 and "No data for 2099-01" in str(mine[0].message)
    assert frame["value"].is_null().all() and frame.height == 2


def test_a_series_that_touches_the_data_does_not_warn(shop: ml.Workspace) -> None:
    import warnings

    from memberlens.facts.coverage import NoDataWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", NoDataWarning)
        frame = shop.metrics(["orders"], start="2024-03-01", end="2024-05-31", grain="month")
    assert frame["value"].to_list()[0] == 4
    assert frame["value"].to_list()[1:] == [None, None]


# Personal data in exports: phones masked unless full_phone

PHONE_MEMBERS = """member_id,registered_at,phone
P1,2024-01-01,13812345678
P2,2024-01-02,139-8765-4321
P3,2024-01-03,
"""
PHONE_ORDERS = """order_id,member_id,ordered_at,amount
Q1,P1,2024-02-01 10:00,10
Q2,P2,2024-02-02 10:00,20
"""
WHOLE = re.compile(r"1[3-9]\d{9}")


def _phones(load_csv: Any) -> ml.Workspace:
    return load_csv(("members", PHONE_MEMBERS), ("orders", PHONE_ORDERS))  # type: ignore[no-any-return]


def _texts(folder: Path) -> str:
    import polars as pl

    return "\n".join(pl.read_parquet(p).write_csv() for p in sorted(folder.glob("*.parquet")))


def test_export_masks_the_phone_column_by_default(load_csv: Any, tmp_path: Path) -> None:
    import polars as pl

    ws = _phones(load_csv)
    written = ws.export_parquet(tmp_path / "out")
    members = pl.read_parquet(written["members"]).sort("member_id")
    assert members["phone"].to_list() == ["138****5678", "139****4321", None]
    assert members.columns == ws.table("members").columns  # same columns, same order
    assert not WHOLE.search(_texts(tmp_path / "out"))
    assert pl.read_parquet(written["orders"]).height == 2


def test_export_writes_whole_phones_only_when_asked(load_csv: Any, tmp_path: Path) -> None:
    import polars as pl

    ws = _phones(load_csv)
    written = ws.export_parquet(tmp_path / "out", ["members"], full_phone=True)
    phones = pl.read_parquet(written["members"]).sort("member_id")["phone"].to_list()
    assert phones[:2] == ws.table("members").sort("member_id")["phone"].to_list()[:2]
    assert WHOLE.search(_texts(tmp_path / "out"))


def test_the_export_command_masks_and_warns_with_full_phone(load_csv: Any, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from memberlens.cli import app

    ws = _phones(load_csv)
    masked = CliRunner().invoke(app, ["-w", str(ws.root), "export", str(tmp_path / "a")])
    assert masked.exit_code == 0, masked.output
    assert not WHOLE.search(_texts(tmp_path / "a"))
    assert "Warning" not in masked.stderr
    whole = CliRunner().invoke(
        app, ["-w", str(ws.root), "export", str(tmp_path / "b"), "--full-phone"]
    )
    assert whole.exit_code == 0, whole.output
    assert WHOLE.search(_texts(tmp_path / "b"))
    assert "--full-phone writes whole phone numbers" in " ".join(whole.stderr.split())
