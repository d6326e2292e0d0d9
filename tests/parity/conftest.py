"""The Spark parity suite: every area's expressions on Spark equal DuckDB's.

One fixture, ``engines``, gives the 300-member generated program as two sessions — DuckDB
(the warehouse) and Spark (local mode, the same tables exported to Parquet and registered
as views) — so each test runs one computation on both and compares. The JVM itself is the
``spark`` fixture of the top conftest.py: one for the whole run, because starting one costs
seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.engine.session import Session
from memberlens.schema import LOAD_ORDER

MARKS = [
    pytest.mark.spark,
    # py4j leaves sockets for the garbage collector and Ibis's PySpark backend goes through
    # pandas: their warnings are theirs, not this project's
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder carries the Spark marks."""
    for item in items:
        if "parity" in Path(str(item.fspath)).parts:
            for mark in MARKS:
                item.add_marker(mark)


def spark_session_over(spark: Any, workspace: ml.Workspace, folder: Path) -> Session:
    """Export ``workspace``'s tables to Parquet in ``folder``, register them as views of the
    Spark session, and return a memberlens Session over Ibis's PySpark backend."""
    import ibis

    workspace.export_parquet(folder, full_phone=True)  # the same data, not masked twice
    for name in LOAD_ORDER:
        spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
    return Session(ibis.pyspark.connect(spark), workspace.config, workspace.root)


Engines = tuple[Session, Session, ml.Workspace]


@pytest.fixture(scope="session")
def engines(
    spark: Any, small_program_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engines]:
    """(DuckDB session, Spark session, workspace) over the same 300-member program."""
    on_spark = spark_session_over(spark, small_program_ws, tmp_path_factory.mktemp("parity"))
    with small_program_ws.session() as duck:
        yield duck, on_spark, small_program_ws
