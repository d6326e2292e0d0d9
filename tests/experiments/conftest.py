"""A tiny hand-made experiment: ten members, 2024-03-01, a seven-day window."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import memberlens as ml

MEMBERS = "member_id,registered_at\n" + "".join(f"E{i},2024-01-01\n" for i in range(10))
# window [03-01, 03-08), pre-period [02-23, 03-01)
ORDERS = """order_id,member_id,ordered_at,amount,status
X1,E0,2024-02-25 10:00,20,paid
X2,E0,2024-03-02 10:00,30,paid
X3,E1,2024-03-03 10:00,10,paid
X4,E1,2024-03-05 10:00,10,paid
X5,E3,2024-03-08 00:00,70,paid
X6,E3,2024-02-23 00:00,40,paid
X7,E4,2024-03-04 10:00,50,refunded
X8,E5,2024-03-02 10:00,60,paid
X9,E6,2024-03-02 10:00,30,paid
X10,E6,2024-03-06 10:00,30,paid
X11,E6,2024-02-28 10:00,30,paid
X12,E7,2024-03-07 23:00,20,paid
X13,E9,2024-03-01 00:00,40,paid
X14,E9,2024-02-22 23:00,99,paid
X15,E2,2024-03-20 10:00,5,paid
"""
POINTS = """entry_id,member_id,at,kind,points
Q1,E5,2024-03-03 10:00,redeem,-100
Q2,E0,2024-02-27 10:00,redeem,-50
Q3,E5,2024-02-01 10:00,earn,200
"""
ASSIGNED = "2024-03-01 00:00"
EXPERIMENTS = "experiment_id,member_id,variant,assigned_at\n" + "".join(
    f"T1,E{i},{'control' if i < 5 else 'treatment'},{ASSIGNED}\n" for i in range(10)
)


@pytest.fixture
def tiny(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(
        ("members", MEMBERS), ("orders", ORDERS), ("points", POINTS), ("experiments", EXPERIMENTS)
    )
