"""The points ledger (DESIGN §4): signed entries of kind earn, redeem, expire or adjust."""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis.expr.types as ir

from memberlens.engine.expr import bound
from memberlens.engine.session import Session

EARN, REDEEM, EXPIRE, ADJUST = "earn", "redeem", "expire", "adjust"
#: Entries that are a member's own doing (activity): earning and redeeming.
ACTIVE_KINDS = (EARN, REDEEM)


def entries(
    session: Session,
    kinds: tuple[str, ...] | None = None,
    start: date | Any = None,
    end: date | Any = None,
) -> ir.Table:
    """Ledger entries of ``kinds`` (all by default) at or after ``start`` and before ``end``."""
    p = session.table("points")
    condition: ir.BooleanValue | None = None
    if kinds is not None:
        condition = p.kind.isin(list(kinds))
    for c in (
        None if start is None else p.at >= bound(start),
        None if end is None else p.at < bound(end),
    ):
        if c is not None:
            condition = c if condition is None else condition & c
    return p if condition is None else p.filter(condition)
