"""Value tiers, loyalty, the Pareto view and target lists on Spark equal DuckDB's."""

from datetime import date
from typing import Any

import pytest
from polars.testing import assert_frame_equal

from memberlens.engine.session import Session
from memberlens.segments.targets import TargetRule, target_members
from memberlens.segments.value import member_values, pareto
from parity.conftest import Engines

AS_OF = date(2025, 6, 30)


def _rows(backend: Any, expression: Any) -> dict[str, dict[str, Any]]:
    return {r["member_id"]: r for r in backend.arrow(expression).to_pylist()}


def test_member_values_agree(engines: Engines) -> None:
    duck, spark, _ = engines
    expected = _rows(duck, member_values(duck, AS_OF))
    found = _rows(spark, member_values(spark, AS_OF))
    assert len(expected) > 50 and found.keys() == expected.keys()
    for member, row in expected.items():
        other = found[member]
        assert other["spend"] == pytest.approx(row["spend"], rel=1e-9)
        keys = ("orders", "value_tier", "active_months", "loyal", "value_group")
        assert {k: other[k] for k in keys} == {k: row[k] for k in keys}, member


def test_pareto_agrees(engines: Engines) -> None:
    duck, spark, _ = engines
    a, b = pareto(duck, AS_OF), pareto(spark, AS_OF)
    assert b.top_revenue_share == pytest.approx(a.top_revenue_share, rel=1e-9)
    assert b.gini == pytest.approx(a.gini, rel=1e-9)
    assert b.curve["revenue_share"].to_list() == pytest.approx(
        a.curve["revenue_share"].to_list(), rel=1e-9, abs=1e-12
    )


def test_target_list_agrees(engines: Engines) -> None:
    duck, spark, _ = engines
    rule = TargetRule(min_balance=100, last_order_to=date(2025, 5, 31))
    expected = _rows(duck, target_members(duck, AS_OF, rule))
    found = _rows(spark, target_members(spark, AS_OF, rule))
    assert len(expected) > 10 and found.keys() == expected.keys()
    for member, row in expected.items():
        other = found[member]
        assert other["spend"] == pytest.approx(row["spend"], rel=1e-9)
        keys = ("phone", "tier", "segment", "value_group", "balance", "last_order_date")
        assert {k: other[k] for k in keys} == {k: row[k] for k in keys}, member


def test_rfm_scores_summary_and_migration_agree(engines: Engines) -> None:
    """The quintile ranks, the summary and the migration on Spark equal DuckDB's."""
    from memberlens.segments.rfm import Scheme, migration, quintiled, summary

    duck, spark, _ = engines
    d1, d2 = date(2025, 3, 31), date(2025, 6, 30)
    columns = ["member_id", "recency_days", "frequency", "segment", "rfm_score"]

    def scored(session: Session) -> list[dict[str, Any]]:
        return session.rows(quintiled(session, d2).select(*columns).order_by("member_id"))

    assert len(scored(duck)) > 50 and scored(spark) == scored(duck)
    assert_frame_equal(summary(spark, d2), summary(duck, d2), rel_tol=1e-9)
    for chosen in Scheme:
        assert_frame_equal(
            migration(spark, d1, d2, chosen=chosen), migration(duck, d1, d2, chosen=chosen)
        )
