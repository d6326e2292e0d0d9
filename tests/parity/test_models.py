"""The CLV summary and the lapse durations on Spark (Ibis's PySpark backend) equal DuckDB's."""

from datetime import date
from typing import Any

import pytest

from memberlens.models.churn.survival import durations
from memberlens.models.clv.summary import member_summary, pull
from parity.conftest import Engines


def _rows(backend: Any, expression: Any) -> list[tuple[Any, ...]]:
    rows = backend.arrow(expression).to_pylist()
    return sorted(tuple(r.values()) for r in rows)


def test_summary_is_the_same_on_spark(engines: Engines) -> None:
    duck, spark, _ = engines
    end = date(2025, 6, 30)
    expected = _rows(duck, member_summary(duck, end))
    found = _rows(spark, member_summary(spark, end))
    assert len(found) == len(expected) > 100
    for a, b in zip(found, expected, strict=True):
        assert a[:4] == b[:4] and a[4] == pytest.approx(b[4], rel=1e-12) and a[5] == b[5]
    # the hash partitions cover every member once on Spark too (its hash is signed)
    parted = pull(spark, end, ordered=True, parts=3)
    assert sorted(parted.member_id.to_list()) == [r[0] for r in expected]


def test_lapse_durations_are_the_same_on_spark(engines: Engines) -> None:
    duck, spark, _ = engines
    end = date(2025, 12, 31)
    expected = _rows(duck, durations(duck, end))
    found = _rows(spark, durations(spark, end))
    assert found == expected and any(r[3] == 1 for r in found)
