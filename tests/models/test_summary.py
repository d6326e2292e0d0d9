"""The DESIGN §8 per-member summary on tiny order tables worked out by hand."""

from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl
import pytest

import memberlens as ml
from memberlens.models.clv.summary import holdout_summary, member_summary

MEMBERS = """member_id,registered_at
A,2024-12-01
B,2024-12-01
C,2024-12-01
"""
# A buys twice on 01-01 (10 + 5 = 15), twice on 01-03 (30), once on 01-10 just after
# midnight (40): three purchase days. The refund on 01-05 is not a purchase; 01-11, 01-20
# and 01-21 are after the calibration end 2025-01-10. B's only calibration order is late on
# the calibration end day. C buys only after it.
ORDERS = """order_id,member_id,ordered_at,amount,status
A1,A,2025-01-01 09:00,10,paid
A2,A,2025-01-01 20:00,5,paid
A3,A,2025-01-03 23:59,20,paid
A4,A,2025-01-03 08:00,10,paid
A5,A,2025-01-05 12:00,99,refunded
A6,A,2025-01-10 00:30,40,paid
A7,A,2025-01-11 10:00,100,paid
A8,A,2025-01-20 23:00,1,paid
A9,A,2025-01-21 10:00,1,paid
B1,B,2025-01-10 23:00,7,paid
B2,B,2025-01-15 10:00,8,paid
B3,B,2025-01-15 18:00,9,cancelled
C1,C,2025-01-12 10:00,50,paid
N1,,2025-01-02 10:00,70,paid
"""

CALIBRATION_END = date(2025, 1, 10)


@pytest.fixture
def tiny(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(("members", MEMBERS), ("orders", ORDERS))


def _frame(ws: ml.Workspace, expression: Callable[..., object]) -> pl.DataFrame:
    with ws.session() as session:
        frame = pl.from_arrow(session.arrow(expression(session)))
    assert isinstance(frame, pl.DataFrame)
    return frame.sort("member_id")


def test_summary_groups_purchases_per_local_day(tiny: ml.Workspace) -> None:
    frame = _frame(tiny, lambda b: member_summary(b, CALIBRATION_END).drop("first_day"))
    # A: days 01-01 (15), 01-03 (30), 01-10 (40) → x = 2, t_x = 9, T = 10 − 1 = 9,
    #    monetary = (30 + 40) / 2 = 35 (the first day is left out)
    # B: one day, the calibration end itself → x = 0, t_x = 0, T = 0, monetary = 0
    assert frame.rows() == [("A", 2, 9, 9, 35.0), ("B", 0, 0, 0, 0.0)]


def test_summary_of_the_hand_made_shop(shop: ml.Workspace) -> None:
    frame = _frame(shop, lambda b: member_summary(b, date(2024, 3, 5)).drop("first_day"))
    # M0: 2023-06-01 only → T = 2024-03-05 − 2023-06-01 = 278 days
    # M1: 01-10 (100), 02-15 (50), 03-01 (40); 03-10 is later → x = 2, t_x = 51, T = 55,
    #     monetary = (50 + 40) / 2 = 45
    # M2: 02-20 (80); the 03-25 order is refunded → T = 14
    # M3: 03-05, the calibration end day → T = 0; M4 buys after it
    assert frame.rows() == [
        ("M0", 0, 0, 278, 0.0),
        ("M1", 2, 51, 55, 45.0),
        ("M2", 0, 0, 14, 0.0),
        ("M3", 0, 0, 0, 0.0),
    ]


def test_holdout_counts_purchase_days_after_the_calibration_end(tiny: ml.Workspace) -> None:
    frame = _frame(tiny, lambda b: holdout_summary(b, CALIBRATION_END, date(2025, 1, 20)))
    # (01-10, 01-20]: A on 01-11 and 01-20 (01-21 is after), B on 01-15 (the cancelled order
    # is not a purchase), C on 01-12
    assert frame.rows() == [("A", 2), ("B", 1), ("C", 1)]


def test_summary_in_parts_equals_the_whole(demo_ws: ml.Workspace) -> None:
    from memberlens.models.clv.summary import pull

    with demo_ws.session() as session:
        whole = pull(session, date(2025, 6, 30), ordered=True)
        parts = pull(session, date(2025, 6, 30), ordered=True, parts=3)
    assert parts.member_id.equals(whole.member_id)
    for name in ("frequency", "recency_days", "t_days"):
        assert (getattr(parts, name) == getattr(whole, name)).all(), name
    # float sums in another order: equal to rounding
    np.testing.assert_allclose(parts.monetary, whole.monetary, rtol=1e-12)
