"""Value tiers, loyalty, the Pareto view and target lists on Spark equal DuckDB's."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

import memberlens as ml
from memberlens.segments.targets import TargetRule, target_members
from memberlens.segments.value import member_values, pareto
from spark_session import MARKS, spark_backend

pytestmark = MARKS
AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="module")
def engines(
    spark: Any, small_program_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Any, ml.Workspace]]:
    """The small program in DuckDB and, through Parquet, in a local Spark session."""
    backend = spark_backend(spark, small_program_ws, tmp_path_factory.mktemp("value"))
    with small_program_ws.engine() as duck:
        yield duck, backend, small_program_ws


def _rows(backend: Any, expression: Any) -> dict[str, dict[str, Any]]:
    return {r["member_id"]: r for r in backend.to_pyarrow(expression).to_pylist()}


def test_member_values_agree(engines: tuple[Any, Any, ml.Workspace]) -> None:
    duck, spark, ws = engines
    expected = _rows(duck, member_values(duck, ws.config, AS_OF))
    found = _rows(spark, member_values(spark, ws.config, AS_OF))
    assert len(expected) > 50 and found.keys() == expected.keys()
    for member, row in expected.items():
        other = found[member]
        assert other["spend"] == pytest.approx(row["spend"], rel=1e-9)
        keys = ("orders", "value_tier", "active_months", "loyal", "value_group")
        assert {k: other[k] for k in keys} == {k: row[k] for k in keys}, member


def test_pareto_agrees(engines: tuple[Any, Any, ml.Workspace]) -> None:
    duck, spark, ws = engines
    a, b = pareto(duck, ws.config, AS_OF), pareto(spark, ws.config, AS_OF)
    assert b.top_revenue_share == pytest.approx(a.top_revenue_share, rel=1e-9)
    assert b.gini == pytest.approx(a.gini, rel=1e-9)
    assert b.curve["revenue_share"].to_list() == pytest.approx(
        a.curve["revenue_share"].to_list(), rel=1e-9, abs=1e-12
    )


def test_target_list_agrees(engines: tuple[Any, Any, ml.Workspace]) -> None:
    duck, spark, ws = engines
    rule = TargetRule(min_balance=100, last_order_to=date(2025, 5, 31))
    expected = _rows(duck, target_members(duck, ws.config, AS_OF, rule))
    found = _rows(spark, target_members(spark, ws.config, AS_OF, rule))
    assert len(expected) > 10 and found.keys() == expected.keys()
    for member, row in expected.items():
        other = found[member]
        assert other["spend"] == pytest.approx(row["spend"], rel=1e-9)
        keys = ("phone", "tier", "segment", "value_group", "balance", "last_order_date")
        assert {k: other[k] for k in keys} == {k: row[k] for k in keys}, member
