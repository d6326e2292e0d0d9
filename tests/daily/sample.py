"""The exports of the daily tests, and reading run-daily's JSON result."""

from __future__ import annotations

from typing import Any

MEMBERS = """member_id,registered_at,channel
M1,2024-01-05,app
M2,2024-02-10,store
M3,2024-03-01,app
"""
ORDERS_0310 = """order_id,member_id,ordered_at,amount,status
O1,M1,2024-03-10 10:00,100,paid
O2,M2,2024-03-10 12:00,50,paid
"""
ORDERS_0311 = """order_id,member_id,ordered_at,amount,status
O3,M3,2024-03-11 09:00,80,paid
"""


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {s["step"]: s["status"] for s in document["steps"]}


def step(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in document["steps"] if s["step"] == name)
    return found
