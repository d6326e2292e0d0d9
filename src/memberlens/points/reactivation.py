"""Reactivation potential: inactive members who still hold points.

As of the end of D a member is inactive when they have no paid order, no event and no
``earn`` / ``redeem`` points entry in the ``[churn] inactive_days`` days up to the end of D
(the activity of DESIGN ``active_members``); their balance is the sum of all their points
entries up to D. Members with a positive balance are listed, largest balance first, with the
balance's value (``[workspace] point_value``), the time of their last activity (null if
never active) and the whole days since it.

Band summaries count them by balance: with the default edges (100, 500, 1000, 5000) the bands
are ``1–99``, ``100–499``, ``500–999``, ``1000–4999`` and ``5000+``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from memberlens.engine.expr import at_midnight, days_between
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.activity import activity
from memberlens.points.fifo import end_of, ledger
from memberlens.points.vintages import to_polars

if TYPE_CHECKING:
    import polars as pl

BANDS: tuple[int, ...] = (100, 500, 1000, 5000)


@dataclass(frozen=True)
class Reactivation:
    """Inactive members holding points, and their counts by balance band."""

    as_of: date
    inactive_days: int
    members: pl.DataFrame  # member_id, balance, value, last_active_at, days_inactive
    bands: pl.DataFrame  # band, members, points, value (every band, zeros included)


def band_labels(edges: Sequence[int]) -> list[str]:
    """``1–99``, ``100–499``, …, ``5000+`` for edges (100, 500, …, 5000)."""
    lows = [1, *edges]
    return [f"{lo}–{hi - 1}" for lo, hi in zip(lows, edges, strict=False)] + [f"{lows[-1]}+"]


def holders_expression(session: Session, as_of: date) -> ir.Table:
    """Inactive members with a positive balance at the end of ``as_of``."""
    end = end_of(as_of)
    p = ledger(session, as_of)
    balances = p.group_by("member_id").agg(balance=p.points.sum())
    balances = balances.filter(balances.balance > 0)
    facts = activity(session, end=end)
    last = facts.group_by(_member="member_id").agg(last_active_at=facts.at.max())
    t = balances.left_join(last, balances.member_id == last._member).drop("_member")
    cutoff = at_midnight(as_of + timedelta(days=1 - session.config.churn.inactive_days))
    t = t.filter(t.last_active_at.isnull() | (t.last_active_at < cutoff))
    # whole days between local dates, from epoch seconds of the dates (same on every engine)
    days = days_between(at_midnight(as_of), t.last_active_at.truncate("D"))
    return t.select(
        "member_id",
        "balance",
        value=t.balance * session.config.workspace.point_value,
        last_active_at=t.last_active_at,
        days_inactive=days.cast("int64"),
    )


def reactivation(session: Session, as_of: date, bands: Sequence[int] = BANDS) -> Reactivation:
    """Inactive members holding points (largest balance first) and the band summary."""
    import polars as pl

    edges = list(bands)
    if not edges or any(b <= a for a, b in zip([0, *edges], edges, strict=False)):
        raise InputError(
            f"Balance bands {edges}: give increasing positive edges, e.g. 100,500,1000,5000."
        )
    holders = holders_expression(session, as_of)
    labels = band_labels(edges)
    band = ibis.cases(
        *((holders.balance < edge, label) for edge, label in zip(edges, labels, strict=False)),
        else_=labels[-1],
    )
    summary = holders.group_by(band=band).agg(
        members=holders.count(), points=holders.balance.sum(), value=holders.value.sum()
    )
    members = to_polars(session, holders.order_by(ibis.desc("balance"), "member_id"))
    found = to_polars(session, summary)
    table = (
        pl.DataFrame({"band": labels})
        .join(found, on="band", how="left")
        .with_columns(pl.col("members", "points").fill_null(0), pl.col("value").fill_null(0.0))
    )
    return Reactivation(as_of, session.config.churn.inactive_days, members, table)
