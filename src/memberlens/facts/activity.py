"""Member activity (DESIGN §6 active_members): a paid order, an event, or an earn or redeem
points entry. One definition, used by the activity metrics, the daily series and the tier
ladder's active days."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.engine.expr import bound
from memberlens.engine.session import Session
from memberlens.facts.orders import paid_orders
from memberlens.facts.points import ACTIVE_KINDS, entries


def activity(session: Session, start: date | Any = None, end: date | Any = None) -> ir.Table:
    """(member_id, at) of every activity fact at or after ``start`` and before ``end``."""
    o = paid_orders(session, start, end)
    e = session.table("events")
    if start is not None or end is not None:
        condition = ibis.literal(True)
        if start is not None:
            condition &= e.at >= bound(start)
        if end is not None:
            condition &= e.at < bound(end)
        e = e.filter(condition)
    p = entries(session, ACTIVE_KINDS, start, end)
    return ibis.union(
        o.select("member_id", at=o.ordered_at),
        e.select("member_id", "at"),
        p.select("member_id", "at"),
    )
