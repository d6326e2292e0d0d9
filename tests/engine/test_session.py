"""Session's way of running DuckDB queries: the same Arrow results as Ibis's own
``to_pyarrow``, and no pandas imported on the way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import ibis
import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.facts.coverage import (
    PROBED,
    check_as_of,
    covered,
    data_range,
    has_orders,
    reaches,
)

ORDERS = """order_id,member_id,ordered_at,amount,status
A1,M1,2024-03-01 10:00,12.50,paid
A2,M2,2024-03-05 09:00,30,paid
A3,M1,2024-03-09 18:00,99,refunded
"""
MEMBERS = "member_id,registered_at\nM1,2024-01-01\nM2,2024-02-01\n"


@pytest.fixture
def tiny(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(("members", MEMBERS), ("orders", ORDERS))


def test_results_equal_ibis_own(tiny: ml.Workspace) -> None:
    with tiny.session() as s:
        o = s.table("orders")
        memtable = ibis.memtable({"member_id": ["M1", "M9"], "flag": [1, 2]})
        joined = o.left_join(memtable, "member_id").select("order_id", "amount", "flag")
        cases = [
            o.order_by("order_id"),  # decimals, timestamps, strings
            joined.order_by("order_id"),  # an in-memory table, registered before the query
            o.select("order_id", nothing=ibis.null()),  # a null-typed column
            o.amount.sum(),  # a scalar
            o.order_by("order_id").ordered_at,  # a column
        ]
        for expression in cases:
            ours, theirs = s._pyarrow(expression), s.backend.to_pyarrow(expression)
            assert ours.equals(theirs), expression
        assert s.scalar(o.count()) == 3
        first = s.rows(joined.order_by("order_id"))[0]
        assert first == {"order_id": "A1", "amount": Decimal("12.50"), "flag": 1}


def test_the_order_range_probe(tiny: ml.Workspace) -> None:
    with tiny.session() as s:
        assert data_range(s) == (date(2024, 3, 1), date(2024, 3, 5))  # the refund is not paid
        assert reaches(s, date(2024, 3, 5)) and not reaches(s, date(2024, 3, 6))
    with tiny.cached(), tiny.session() as s:
        data_range(s)  # now in the block's memo: the probe answers from it
        assert s.memo is not None and ("_coverage", "data_range") in s.memo
        assert reaches(s, date(2024, 3, 5)) and not reaches(s, date(2024, 3, 6))


def test_periods_overlapping_the_order_range_by_probes_or_by_the_range(tiny: ml.Workspace) -> None:
    """A few periods are checked with probes that stop at the first order (the range is
    not read); many, with the range. The answers are the same; the refund after the last
    paid order does not count."""
    from memberlens.dates.periods import parse_period

    answers = {
        "2024-02": False,
        "2024-W09": True,  # 26 February to 3 March
        "2024-03": True,
        "2024-03-05": True,
        "2024-03-06": False,
        "2024-03-09": False,  # the refund's day
        "2024-04": False,
        "2024": True,
    }
    periods = [parse_period(p) for p in answers]
    assert len(periods) > PROBED
    with tiny.session() as s:
        probed = [covered(s, [p])(p) for p in periods]
        assert ("_coverage", "data_range") not in s.known  # probes only
        by_range = covered(s, periods)
        assert ("_coverage", "data_range") in s.known
        assert probed == [by_range(p) for p in periods] == list(answers.values())


def test_an_as_of_date_inside_the_range_is_accepted_by_probes(tiny: ml.Workspace) -> None:
    """Inside the order range two probes accept a date without reading the range; a date
    past the last paid order but within the last record (the refund of 03-09) is accepted
    by the range and the records; one outside is refused naming the range."""
    with tiny.session() as s:
        for day in (date(2024, 3, 1), date(2024, 3, 3), date(2024, 3, 5)):
            check_as_of(s, day)
        assert ("_coverage", "data_range") not in s.known  # probes only
        assert has_orders(s)
    with tiny.session() as s:
        check_as_of(s, date(2024, 3, 9))  # the refund is the last record
        assert ("_coverage", "data_range") in s.known
        assert has_orders(s)  # answered from the range now
    for day in (date(2024, 2, 29), date(2024, 3, 10)):
        with (
            tiny.session() as s,
            pytest.raises(InputError, match=r"from 2024-03-01 .* to 2024-03-09"),
        ):
            check_as_of(s, day)


def test_no_orders_is_no_orders(load_csv: Callable[..., ml.Workspace]) -> None:
    ws = load_csv(("members", MEMBERS), ("orders", ORDERS.replace(",paid", ",refunded")))
    with ws.session() as s:
        assert not has_orders(s)
        with pytest.raises(InputError, match="no orders yet"):
            check_as_of(s, date(2024, 3, 1))


def test_a_query_imports_no_pandas_and_no_churn_model(tiny: ml.Workspace) -> None:
    code = (
        "import sys, memberlens as ml\n"
        f"ws = ml.open({str(tiny.root)!r})\n"
        "ws.metrics(['buyers', 'revenue'], '2024-03')\n"
        "print(sorted(m for m in ('pandas', 'memberlens.models.churn.model') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stderr[-2000:]
