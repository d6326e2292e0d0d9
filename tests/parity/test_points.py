"""The points expressions on Spark (Ibis's PySpark backend, local mode) give DuckDB's results.

Runs on the 300-member generated program, whose ledger has batches and consumptions ending
at the same cumulative position, adjust entries, expiries and redemptions spanning batches.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from memberlens.points import fifo
from memberlens.points.breakage import breakage
from memberlens.points.expiry import projected_expiry
from memberlens.points.reactivation import reactivation
from memberlens.points.vintages import curves, to_polars, vintages
from parity.conftest import Engines

AS_OF = date(2024, 12, 31)


def _same(a: pl.DataFrame, b: pl.DataFrame, *keys: str) -> None:
    assert_frame_equal(a.sort(keys), b.sort(keys), check_dtypes=False, rel_tol=1e-9)


def test_allocations_and_vintages(engines: Engines) -> None:
    duck, spark, _ = engines
    columns = ("batch_id", "consume_id", "points")
    pieces = [to_polars(b, fifo.allocations(b, AS_OF).select(*columns)) for b in (duck, spark)]
    assert pieces[0].height > 100
    _same(*pieces, "consume_id", "batch_id")
    _same(vintages(duck, AS_OF), vintages(spark, AS_OF), "issue_month")
    _same(curves(duck, AS_OF), curves(spark, AS_OF), "issue_month", "months_since_issue")


def test_expiry_breakage_reactivation(engines: Engines) -> None:
    duck, spark, _ = engines
    _same(*(projected_expiry(b, AS_OF) for b in (duck, spark)), "bucket")
    found, expected = (breakage(b, AS_OF) for b in (spark, duck))
    assert found.summary() == pytest.approx(expected.summary())
    a, b = (reactivation(e, AS_OF) for e in (duck, spark))
    _same(a.members, b.members, "member_id")
    _same(a.bands, b.bands, "band")
