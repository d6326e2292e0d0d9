"""The metric catalog on Spark (Ibis's PySpark backend, local mode) gives DuckDB's values."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.metrics.compute import DEFINITIONS, Scope
from memberlens.metrics.dimensions import GROUP, dimension
from memberlens.metrics.evaluate import NOT_SPLITTABLE
from memberlens.metrics.periods import parse_period
from memberlens.schema import LOAD_ORDER

pytestmark = [
    pytest.mark.spark,
    # py4j leaves sockets for the garbage collector and ibis's PySpark backend goes through
    # pandas: their warnings are theirs, not this project's
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Java for the Spark parity test")
        pytest.skip("java is not installed")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("memberlens-parity")
        .config("spark.sql.session.timeZone", "Asia/Shanghai")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def engines(
    spark: Any, small_program_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Any, ml.Workspace]]:
    """The same tables in DuckDB and, via Parquet, in Spark."""
    import ibis

    folder: Path = tmp_path_factory.mktemp("spark")
    with small_program_ws.read() as con:
        for name in LOAD_ORDER:
            con.execute(f"COPY \"{name}\" TO '{folder / name}.parquet' (FORMAT parquet)")
    for name in LOAD_ORDER:
        spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
    with small_program_ws.engine() as duck:
        yield duck, ibis.pyspark.connect(spark), small_program_ws


def _values(
    backend: Any, ws: ml.Workspace, metric: str, period: str, by: str | None
) -> dict[Any, Any]:
    scope = Scope(backend, ws.config, parse_period(period), dimension(by) if by else None)
    rows = backend.to_pyarrow(DEFINITIONS[metric](scope)).to_pylist()
    return {row.get(GROUP): None if row["value"] is None else float(row["value"]) for row in rows}


def same(found: dict[Any, Any], expected: dict[Any, Any]) -> bool:
    """Equal groups and values (None where DuckDB has None, else within 1e-9 relative)."""
    if found.keys() != expected.keys():
        return False
    return all(
        (found[k] is None and expected[k] is None)
        or (
            found[k] is not None
            and expected[k] is not None
            and found[k] == pytest.approx(expected[k], rel=1e-9)
        )
        for k in expected
    )


@pytest.mark.parametrize("period", ["2025-11", "2025-Q4"])
def test_every_metric_matches_duckdb(engines: tuple[Any, Any, ml.Workspace], period: str) -> None:
    duck, spark, ws = engines
    for metric in DEFINITIONS:
        expected = _values(duck, ws, metric, period, None)
        found = _values(spark, ws, metric, period, None)
        assert same(found, expected), (metric, found, expected)


@pytest.mark.parametrize("by", ["channel", "points_user"])
def test_splits_match_duckdb(engines: tuple[Any, Any, ml.Workspace], by: str) -> None:
    duck, spark, ws = engines
    for metric in (
        "buyers",
        "orders",
        "aov",
        "repurchase_rate",
        "retention_rate",
        "repurchase_cycle_days",
        "points_issued",
        "nps",
        "loyalty_index",
    ):
        assert metric not in NOT_SPLITTABLE
        expected = _values(duck, ws, metric, "2025-Q4", by)
        found = _values(spark, ws, metric, "2025-Q4", by)
        assert same(found, expected), (metric, found, expected)
