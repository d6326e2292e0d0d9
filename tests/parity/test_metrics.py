"""The metric catalog on Spark (Ibis's PySpark backend, local mode) gives DuckDB's values."""

from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.dates.periods import parse_period
from memberlens.engine.session import Session
from memberlens.errors import ConfigError
from memberlens.metrics.compute import DEFINITIONS
from memberlens.metrics.dimensions import dimension
from memberlens.metrics.evaluate import NOT_SPLITTABLE
from memberlens.metrics.scope import GROUP, Scope
from parity.conftest import Engines


def _values(session: Session, metric: str, period: str, by: str | None) -> dict[Any, Any]:
    scope = Scope(session, parse_period(period), dimension(by) if by else None)
    rows = session.rows(DEFINITIONS[metric](scope))
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
def test_every_metric_matches_duckdb(engines: Engines, period: str) -> None:
    duck, spark, _ = engines
    for metric in DEFINITIONS:
        expected = _values(duck, metric, period, None)
        found = _values(spark, metric, period, None)
        assert same(found, expected), (metric, found, expected)


@pytest.mark.parametrize("by", ["channel", "points_user"])
def test_splits_match_duckdb(engines: Engines, by: str) -> None:
    duck, spark, _ = engines
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
        expected = _values(duck, metric, "2025-Q4", by)
        found = _values(spark, metric, "2025-Q4", by)
        assert same(found, expected), (metric, found, expected)


def test_workspace_on_spark(engines: Engines, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A workspace with [engine] backend = "pyspark" computes through Spark: the same
    values as the DuckDB workspace it was exported from, through the public API."""
    _, _, duck_ws = engines
    folder = tmp_path_factory.mktemp("spark-ws")
    spark_ws = ml.init(folder / "ws")
    duck_ws.export_parquet(folder / "ws" / "tables", full_phone=True)  # views are shared
    config = spark_ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8").replace(
        'backend = "duckdb"',
        'backend = "pyspark"\nspark_master = "local[2]"\nspark_parquet = "tables"',
    )
    config.write_text(text, encoding="utf-8")
    spark_ws = ml.open(spark_ws.root)
    with spark_ws.session() as session:
        assert session.engine == "pyspark"
    ids = ["members_total", "buyers", "revenue", "repurchase_rate", "points_outstanding", "nps"]
    expected = duck_ws.metrics(ids, "2025-11", by="channel").sort("metric", "channel")
    found = spark_ws.metrics(ids, "2025-11", by="channel").sort("metric", "channel")
    assert found.columns == expected.columns
    assert found["channel"].to_list() == expected["channel"].to_list()
    assert found["value"].to_list() == pytest.approx(expected["value"].to_list(), rel=1e-9)


def _spark_workspace(folder: Path, parquet: str) -> ml.Workspace:
    ws = ml.init(folder)
    config = ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8").replace(
        'backend = "duckdb"',
        f'backend = "pyspark"\nspark_master = "local[2]"\nspark_parquet = "{parquet}"',
    )
    config.write_text(text, encoding="utf-8")
    return ml.open(ws.root)


def test_spark_reads_the_tables_from_a_storage_url(
    engines: Engines, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``spark_parquet`` may be a URL Spark reads itself (object storage: s3a://, abfss://,
    gs://); file:// stands in for one here. A URL without the tables names the fix."""
    from memberlens.errors import WorkspaceError

    _, _, duck_ws = engines
    tables = tmp_path_factory.mktemp("storage") / "loyalty"
    duck_ws.export_parquet(tables, full_phone=True)
    spark_ws = _spark_workspace(tmp_path_factory.mktemp("url") / "ws", f"file://{tables}/")
    ids = ["buyers", "revenue", "retention_rate"]
    expected = duck_ws.metrics(ids, "2025-11").sort("metric")
    found = spark_ws.metrics(ids, "2025-11").sort("metric")
    assert found["value"].to_list() == pytest.approx(expected["value"].to_list(), rel=1e-9)
    nowhere = _spark_workspace(tmp_path_factory.mktemp("gone") / "ws", f"file://{tables}-gone")
    with pytest.raises(WorkspaceError, match=r"Spark cannot read .*-gone/members\.parquet"):
        nowhere.metrics(ids, "2025-11")


def test_a_catalog_database_without_every_table_names_them(
    engines: Engines, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``spark_database`` must hold every canonical table; the missing ones are named."""
    from memberlens.engine import spark as engine
    from memberlens.errors import WorkspaceError

    _, _, duck_ws = engines
    tables = tmp_path_factory.mktemp("catalog")
    duck_ws.export_parquet(tables, ["members", "orders"], full_phone=True)
    session = engine.session(duck_ws.config)
    session.sql("CREATE DATABASE IF NOT EXISTS partial_loyalty")
    for name in ("members", "orders"):
        session.sql(
            f"CREATE TABLE IF NOT EXISTS partial_loyalty.{name} USING parquet "
            f"LOCATION '{tables / (name + '.parquet')}'"
        )
    folder = tmp_path_factory.mktemp("db") / "ws"
    ws = ml.init(folder)
    config = ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8").replace(
        'backend = "duckdb"', 'backend = "pyspark"\nspark_database = "partial_loyalty"'
    )
    config.write_text(text, encoding="utf-8")
    with pytest.raises(
        WorkspaceError, match=r"lacks the tables campaigns, identities, order_items"
    ):
        ml.open(ws.root).metrics(["buyers"], "2025-11")
    assert session.catalog.currentDatabase() == "default"  # the session is left as it was


def test_spark_workspace_without_tables_names_the_fix(tmp_path: Path) -> None:
    ws = ml.init(tmp_path / "ws")
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('backend = "duckdb"', 'backend = "pyspark"'),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"spark_database .* or spark_parquet"):
        ml.open(ws.root)
