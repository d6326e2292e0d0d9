"""Spark as a workspace's engine (``[engine] backend = "pyspark"``, DESIGN §10).

The metric catalog, segments and analyses are Ibis expressions, so they run unchanged on
Ibis's PySpark backend. The canonical tables come either from a database of the Spark
catalog (``spark_database``: the data engineer's own pipeline keeps them current) or from a
folder of ``<table>.parquet`` files (``spark_parquet``, e.g. written by
``memberlens export DIR``), registered as temporary views. Loading (``ingest``) always
goes to the DuckDB warehouse.

One Spark session serves the process: it is created on first use and kept, because
starting a JVM costs seconds. Its session time zone is the workspace's business time zone,
so that timestamps mean local business time on both engines.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from memberlens.config import Config
from memberlens.errors import WorkspaceError
from memberlens.schema import LOAD_ORDER


def session(config: Config) -> Any:
    """The process's Spark session, configured from ``[engine]`` and ``[workspace]``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise WorkspaceError(
            "[engine] backend = 'pyspark' needs PySpark: install it with "
            "'pip install \"pyspark<4.1\"' (and Java 17), or set backend = 'duckdb'."
        ) from None
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    engine = config.engine
    builder = SparkSession.builder.master(engine.spark_master).appName("memberlens")
    builder = builder.config("spark.ui.enabled", "false")
    for key, value in engine.spark_conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", config.workspace.timezone)
    return spark


def backend(config: Config, root: Path) -> Any:
    """An Ibis PySpark backend whose ``table(name)`` gives the canonical tables."""
    import ibis

    spark = session(config)
    engine = config.engine
    if engine.spark_database is not None:
        if not spark.catalog.databaseExists(engine.spark_database):
            raise WorkspaceError(
                f"[engine] spark_database = '{engine.spark_database}' is not a database of "
                "the Spark catalog; create it with the canonical tables, or use spark_parquet."
            )
        spark.catalog.setCurrentDatabase(engine.spark_database)
    else:
        assert engine.spark_parquet is not None
        folder = root / engine.spark_parquet
        missing = [name for name in LOAD_ORDER if not (folder / f"{name}.parquet").exists()]
        if missing:
            raise WorkspaceError(
                f"[engine] spark_parquet = '{engine.spark_parquet}': {folder} lacks "
                f"{', '.join(f'{name}.parquet' for name in missing)}; write them with "
                f"'memberlens -w {root} export {engine.spark_parquet}'."
            )
        for name in LOAD_ORDER:
            spark.read.parquet(str(folder / f"{name}.parquet")).createOrReplaceTempView(name)
    return ibis.pyspark.connect(spark)
