"""The comparison implementations of benchmarks/ (hand-written DuckDB SQL and pandas) compute
exactly what memberlens computes, so the side-by-side benchmarks compare like with like.

On the hand-made program they give the values worked out by hand in tests/metrics; on the
generated program they equal memberlens's metrics and RFM segments.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import memberlens as ml

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import reference_pandas  # noqa: E402
import reference_sql  # noqa: E402
from reference_common import CORE_IDS, NINE_IDS, Month, differences  # noqa: E402


def _memberlens(ws: ml.Workspace, period: str) -> dict[str, Any]:
    frame = ws.metrics(list(CORE_IDS), period)
    return dict(zip(frame["metric"].to_list(), frame["value"].to_list(), strict=True))


def _sql(ws: ml.Workspace, period: str) -> dict[str, Any]:
    with duckdb.connect(str(ws.warehouse_path), read_only=True) as con:
        return reference_sql.core_metrics(
            con, period, ws.config.churn.inactive_days, ws.config.workspace.point_value
        )


def _as_generated(ws: ml.Workspace, folder: Path) -> Path:
    """The workspace's tables as Parquet with float amounts, as the generator writes them."""
    for table, path in ws.export_parquet(folder).items():
        data = pq.read_table(path)
        fields = [
            pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f
            for f in data.schema
        ]
        pq.write_table(data.cast(pa.schema(fields)), folder / f"{table}.parquet")
    return folder


def test_months_know_their_bounds() -> None:
    assert Month.parse("2025-12") == Month(date(2025, 12, 1), date(2026, 1, 1), date(2025, 11, 1))
    assert Month.parse("2024-01") == Month(date(2024, 1, 1), date(2024, 2, 1), date(2023, 12, 1))
    assert Month.parse("2024-03").churn_cutoff(180) == date(2023, 10, 4)


def test_differences_name_the_metric_and_treat_nulls_as_equal() -> None:
    assert differences({"a": 1, "b": None, "c": 0.1 + 0.2}, {"a": 1.0, "b": None, "c": 0.3}) == []
    assert differences({"a": 1, "b": None}, {"a": 2, "b": 0}) == ["a: 1 != 2", "b: None != 0"]


def test_sql_gives_the_hand_worked_values(shop: ml.Workspace) -> None:
    from metrics.test_compute import MARCH

    values = _sql(shop, "2024-03")
    assert set(values) == set(CORE_IDS)
    for metric in CORE_IDS:
        assert values[metric] == pytest.approx(MARCH[metric], rel=1e-12), metric


@pytest.mark.parametrize("pushdown", [False, True])
def test_pandas_gives_the_hand_worked_values(
    shop: ml.Workspace, tmp_path: Path, pushdown: bool
) -> None:
    from metrics.test_compute import MARCH

    folder = _as_generated(shop, tmp_path / "parquet")
    config = shop.config
    values = reference_pandas.core_metrics(
        folder, "2024-03", config.churn.inactive_days, config.workspace.point_value, pushdown
    )
    assert set(values) == set(CORE_IDS)
    for metric in CORE_IDS:
        assert values[metric] == pytest.approx(MARCH[metric], rel=1e-12), metric


@pytest.mark.parametrize("period", ["2025-12", "2024-01"])
def test_sql_and_pandas_equal_memberlens_on_the_generated_program(
    demo_ws: ml.Workspace, program: tuple[Path, dict[str, Any]], period: str
) -> None:
    folder, _ = program
    expected = _memberlens(demo_ws, period)
    assert expected["orders"] > 100  # a month with real data
    assert differences(expected, _sql(demo_ws, period)) == []
    config = demo_ws.config
    for pushdown in (False, True):
        pandas_values = reference_pandas.core_metrics(
            folder, period, config.churn.inactive_days, config.workspace.point_value, pushdown
        )
        assert differences(expected, pandas_values) == []


@pytest.mark.parametrize("period", ["2025-12", "2024-01"])
def test_the_nine_metrics_in_two_queries_equal_memberlens(
    demo_ws: ml.Workspace, shop: ml.Workspace, period: str
) -> None:
    """The two-query reference of ``--set nine`` gives memberlens's values, on the generated
    program and (hand-worked) on the hand-made one."""
    from metrics.test_compute import MARCH

    for ws, month in ((demo_ws, period), (shop, "2024-03")):
        frame = ws.metrics(list(NINE_IDS), month)
        expected = dict(zip(frame["metric"].to_list(), frame["value"].to_list(), strict=True))
        with duckdb.connect(str(ws.warehouse_path), read_only=True) as con:
            got = reference_sql.nine_metrics(con, month, 0, 0.0)
        assert differences(expected, got) == []
    assert expected["orders"] > 0 and all(
        got[m] == pytest.approx(MARCH[m]) for m in MARCH if m in got
    )


COLUMNS = ["member_id", "recency_days", "frequency", "monetary", "segment"]


@pytest.mark.parametrize("as_of", ["2025-12-31", "2024-06-15"])
def test_rfm_references_equal_memberlens_segments(
    demo_ws: ml.Workspace, program: tuple[Path, dict[str, Any]], as_of: str
) -> None:
    import polars as pl

    folder, _ = program
    day = date.fromisoformat(as_of)
    window = demo_ws.config.rfm.window_days
    expected = demo_ws.rfm(as_of).select(COLUMNS).sort("member_id")
    assert expected.height > 500
    assert expected["segment"].n_unique() == 8

    query = reference_sql.rfm_query(str(folder / "orders.parquet"), day, window)
    by_sql = pl.from_arrow(duckdb.sql(query).to_arrow_table())
    assert isinstance(by_sql, pl.DataFrame)
    by_sql = by_sql.sort("member_id")
    ordered = duckdb.sql(reference_sql.rfm_query(str(folder / "orders.parquet"), day, window, True))
    assert ordered.to_arrow_table().column("member_id").to_pylist() == sorted(
        by_sql["member_id"].to_list()
    )
    by_pandas = [
        pl.from_pandas(reference_pandas.rfm(folder / "orders.parquet", day, window, pushdown))
        for pushdown in (False, True)
    ]
    for found in (by_sql, *by_pandas):
        assert isinstance(found, pl.DataFrame)
        assert found.columns == COLUMNS
        assert found["member_id"].to_list() == expected["member_id"].to_list()
        for column in ("recency_days", "frequency", "segment"):
            assert found[column].to_list() == expected[column].to_list(), column
        assert found["monetary"].to_list() == pytest.approx(expected["monetary"].to_list())
