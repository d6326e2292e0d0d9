"""Vintages: each earn batch as of a date, issue-month summaries, and vintage curves.

A batch's consumed points come from the FIFO allocation (:mod:`memberlens.points.fifo`):
``open = issued − redeemed − expired − adjusted`` as of the end of D, where ``adjusted`` is
taken by negative ``adjust`` entries.

The vintage curve of issue month m at k months since issue (k = calendar months between
the batch's month and the consuming entry's month, 0 = the same month) is the cumulative share
of m's issued points redeemed (and expired, adjusted) by then. Rows run from k = 0 to the age
of m at D, so every cell reflects only what had happened by D.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.dates import months
from memberlens.engine.expr import month_index, month_label
from memberlens.engine.session import Session
from memberlens.points.fifo import (
    allocations,
    batches,
    gains,
)

BATCH_COLUMNS = (
    "member_id",
    "batch_id",
    "batch_kind",
    "source",
    "issued_at",
    "expires_at",
    "issue_month",
    "issued",
    "redeemed",
    "expired",
    "adjusted",
    "open",
)


def _consumed_by(t: ir.Table) -> dict[str, ir.Scalar]:
    """Sums of allocated points by the consuming entry's kind."""
    return {
        kind_column: t.points.sum(where=t.consume_kind == kind).fill_null(0)
        for kind_column, kind in (
            ("redeemed", "redeem"),
            ("expired", "expire"),
            ("adjusted", "adjust"),
        )
    }


def batch_vintages(session: Session, as_of: date) -> ir.Table:
    """Every batch as of the end of ``as_of`` with issued / redeemed / expired / adjusted / open."""
    b = batches(session, as_of)
    a = allocations(session, as_of)
    a = a.filter(a.batch_id.notnull())
    used = a.group_by(_batch="batch_id").agg(**_consumed_by(a))
    t = b.left_join(used, b.batch_id == used._batch)
    redeemed, expired, adjusted = (t[c].fill_null(0) for c in ("redeemed", "expired", "adjusted"))
    return t.select(
        "member_id",
        "batch_id",
        "batch_kind",
        "source",
        "issued_at",
        "expires_at",
        issue_month=month_label(month_index(t.issued_at)),
        issued=t.issued,
        redeemed=redeemed,
        expired=expired,
        adjusted=adjusted,
        open=t.issued - redeemed - expired - adjusted,
    )


def month_vintages(session: Session, as_of: date) -> ir.Table:
    """Per issue month: batches, members, issued, redeemed, expired, adjusted, open, shares.

    Issued points come straight from the ledger and consumed ones from the allocation, both
    grouped by issue month, so no per-batch join is needed.
    """
    g = gains(session, as_of)
    issued = g.group_by(issue_month=month_label(month_index(g.at))).agg(
        batches=g.count(), members=g.member_id.nunique(), issued=g.points.sum()
    )
    a = allocations(session, as_of)
    a = a.filter(a.batch_id.notnull())
    used = a.group_by(_month=month_label(month_index(a.issued_at))).agg(**_consumed_by(a))
    t = issued.left_join(used, issued.issue_month == used._month)
    redeemed, expired, adjusted = (t[c].fill_null(0) for c in ("redeemed", "expired", "adjusted"))
    share = t.issued.cast("float64")
    open_ = t.issued - redeemed - expired - adjusted
    return t.select(
        "issue_month",
        "batches",
        "members",
        "issued",
        redeemed=redeemed,
        expired=expired,
        adjusted=adjusted,
        open=open_,
        redeemed_share=redeemed / share,
        expired_share=expired / share,
        open_share=open_ / share,
    ).order_by("issue_month")


def curves_expression(session: Session, as_of: date) -> ir.Table:
    """Cumulative redeemed / expired / adjusted shares per issue month and months since issue."""
    g = gains(session, as_of)
    issued = g.group_by(issue=month_index(g.at)).agg(issued=g.points.sum())
    age_at_d = months.month_index(as_of) - issued.issue
    # one row per issue month and k = 0 … its age at D
    grid = issued.mutate(k=ibis.range(0, age_at_d + 1).unnest())
    a = allocations(session, as_of)
    a = a.filter(a.batch_id.notnull())
    issue = month_index(a.issued_at)
    # a consumption recorded before its batch (a member briefly overdrawn) counts at age 0
    age = ibis.greatest(month_index(a.consumed_at) - issue, 0)
    steps = a.group_by(_issue=issue, _k=age).agg(**_consumed_by(a))
    t = grid.left_join(steps, (grid.issue == steps._issue) & (grid.k == steps._k))
    running = ibis.cumulative_window(group_by="issue", order_by="k")
    cumulative = {
        c: t[c].fill_null(0).sum().over(running) for c in ("redeemed", "expired", "adjusted")
    }
    t = t.select("issue", "k", "issued", **cumulative)
    share = t.issued.cast("float64")
    return t.select(
        issue_month=month_label(t.issue),
        months_since_issue=t.k,
        issued=t.issued,
        redeemed=t.redeemed,
        expired=t.expired,
        adjusted=t.adjusted,
        redeemed_share=t.redeemed / share,
        expired_share=t.expired / share,
        open_share=(t.issued - t.redeemed - t.expired - t.adjusted) / share,
    ).order_by("issue_month", "months_since_issue")


def to_polars(session: Session, expression: ir.Table) -> Any:
    """Run an expression and return a Polars frame."""
    import polars as pl

    frame = pl.from_arrow(session.arrow(expression))
    assert isinstance(frame, pl.DataFrame)
    return frame


def vintages(session: Session, as_of: date, detail: bool = False) -> Any:
    """Issue-month summaries (or every batch with ``detail``) as a Polars frame."""
    if detail:
        v = batch_vintages(session, as_of)
        return to_polars(session, v.order_by("member_id", "issued_at", "batch_id"))
    return to_polars(session, month_vintages(session, as_of))


def curves(session: Session, as_of: date) -> Any:
    """Vintage curves as a Polars frame (long form: issue_month × months_since_issue)."""
    return to_polars(session, curves_expression(session, as_of))
