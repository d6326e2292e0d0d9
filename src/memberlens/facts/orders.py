"""Orders as purchases (DESIGN §4): only paid orders count, members' orders feed member
metrics, and non-member orders count only in member-share metrics."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis.expr.types as ir

from memberlens.engine.expr import bound
from memberlens.engine.session import Session

PAID = "paid"


def paid_orders(session: Session, start: date | Any = None, end: date | Any = None) -> ir.Table:
    """Paid member orders ordered at or after ``start`` and before ``end`` (dates mean their
    midnight; timestamp expressions are taken as they are)."""
    o = session.table("orders")
    condition = (o.status == PAID) & o.member_id.notnull()
    if start is not None:
        condition &= o.ordered_at >= bound(start)
    if end is not None:
        condition &= o.ordered_at < bound(end)
    return o.filter(condition)


def all_paid_orders(session: Session) -> ir.Table:
    """Every paid order, members' and non-members' (for member-share metrics)."""
    o = session.table("orders")
    return o.filter(o.status == PAID)
