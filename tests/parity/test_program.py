"""Tiers (qualification with invitations) and the replayed tier history on Spark equal
DuckDB's, member for member."""

from datetime import date

from polars.testing import assert_frame_equal

from memberlens.program.history import tier_history
from memberlens.program.tiers import tiers, tiers_expression
from parity.conftest import Engines

AS_OF = date(2025, 6, 30)


def test_tiers_agree(engines: Engines) -> None:
    duck, spark, _ = engines
    expected = tiers(duck, AS_OF).sort("member_id")
    found = tiers(spark, AS_OF).sort("member_id")
    assert expected.height > 100 and expected["tier"].n_unique() > 1
    assert_frame_equal(found, expected)
    # the measures behind them too (spend, orders, …), not only the resulting tier
    measures = tiers_expression(duck, AS_OF).columns
    a = duck.frame(tiers_expression(duck, AS_OF)).sort("member_id")
    b = spark.frame(tiers_expression(spark, AS_OF)).sort("member_id").select(measures)
    assert_frame_equal(b, a, check_dtypes=False, rel_tol=1e-9)


def test_tier_history_agrees(engines: Engines) -> None:
    duck, spark, _ = engines
    start, end = date(2024, 1, 1), date(2025, 6, 30)
    a, b = tier_history(duck, start, end), tier_history(spark, start, end)
    assert a.evaluations == b.evaluations
    keys = ["member_id", "valid_from"]
    assert a.history.height > 100
    assert_frame_equal(b.history.sort(keys), a.history.sort(keys), check_dtypes=False)
    assert_frame_equal(b.movements(), a.movements(), check_dtypes=False)
