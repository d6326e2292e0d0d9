"""What the Spark parity tests share: their marks, and a workspace's tables as Spark views.

The session itself is the ``spark`` fixture of conftest.py: one local JVM for the whole run,
because starting one costs seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
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


def on_spark(test: Any) -> Any:
    """Give one test the Spark marks (a module uses ``pytestmark = MARKS``)."""
    for mark in MARKS:
        test = mark(test)
    return test


def spark_backend(
    session: Any, workspace: ml.Workspace, folder: Path, tables: Iterable[str] = LOAD_ORDER
) -> Any:
    """Export ``workspace``'s tables to Parquet in ``folder``, register them as the session's
    views, and return Ibis's PySpark backend over them."""
    import ibis

    names = list(tables)
    workspace.export_parquet(folder, names)
    for name in names:
        session.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
    return ibis.pyspark.connect(session)
