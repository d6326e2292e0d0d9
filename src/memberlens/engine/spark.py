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

    engine = config.engine
    paths = {} if engine.spark_parquet is None else parquet_paths(engine.spark_parquet, root)
    spark = session(config)
    if engine.spark_database is not None:
        database = engine.spark_database
        if not spark.catalog.databaseExists(database):
            raise WorkspaceError(
                f"[engine] spark_database = '{database}' is not a database of "
                "the Spark catalog; create it with the canonical tables, or use spark_parquet."
            )
        missing = [name for name in LOAD_ORDER if not spark.catalog.tableExists(name, database)]
        if missing:
            raise WorkspaceError(
                f"[engine] spark_database = '{database}' lacks the tables {', '.join(missing)}; "
                "create them with the canonical columns (the Parquet files of "
                f"'memberlens -w {root} export FOLDER' carry them), or use spark_parquet."
            )
        spark.catalog.setCurrentDatabase(database)
    else:
        for name, path in paths.items():
            try:
                spark.read.parquet(path).createOrReplaceTempView(name)
            except Exception as error:  # Spark's AnalysisException: path missing or unreadable
                if "PATH_NOT_FOUND" not in str(error) and "does not exist" not in str(error):
                    raise
                raise WorkspaceError(
                    f"[engine] spark_parquet = '{engine.spark_parquet}': Spark cannot read "
                    f"{path}; write the tables there with 'memberlens -w {root} export FOLDER' "
                    "(and copy them to the storage), or correct the path."
                ) from None
    return ibis.pyspark.connect(spark)


def parquet_paths(location: str, root: Path) -> dict[str, str]:
    """Where each canonical table's Parquet is: ``<location>/<table>.parquet``.

    ``location`` is a folder (relative paths are from the workspace), or a URL that Spark
    reads itself (``s3a://bucket/loyalty``, ``abfss://…``, ``gs://…``, ``hdfs://…``,
    ``file:///…``). A local folder is checked here, so that a missing table names the fix
    before the JVM starts; a URL is left to Spark and its storage connector."""
    if "://" in location:
        base = location.rstrip("/")
        return {name: f"{base}/{name}.parquet" for name in LOAD_ORDER}
    folder = root / location
    missing = [name for name in LOAD_ORDER if not (folder / f"{name}.parquet").exists()]
    if missing:
        raise WorkspaceError(
            f"[engine] spark_parquet = '{location}': {folder} lacks "
            f"{', '.join(f'{name}.parquet' for name in missing)}; write them with "
            f"'memberlens -w {root} export {location}'."
        )
    return {name: str(folder / f"{name}.parquet") for name in LOAD_ORDER}
