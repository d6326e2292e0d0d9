"""First-in-first-out allocation of consumed points to earn batches, as Ibis expressions.

Model (as of D, i.e. every ``points`` entry before the end of day D):

* a **batch** is an entry that adds points (``points > 0``): every ``earn`` entry and every
  ``adjust`` entry with positive points (a goodwill credit is a batch like an earn);
* a **consumption** is an entry that removes points (``points < 0``): ``redeem``, ``expire``
  and ``adjust`` entries with negative points (a correction is consumed FIFO like a
  redemption). The ledger's own ``expire`` entries are used as they are; nothing is
  re-derived from ``expires_at``.

Per member, batches are laid end to end in the order (at, entry_id): batch i covers the
interval (E(i−1), E(i)] of cumulative points added. Consumptions likewise cover
(C(j−1), C(j)] of cumulative points removed. First-in-first-out means consumption j takes
from batch i exactly the overlap of the two intervals.

The overlaps are found without an inequality join (quadratic for members with thousands of
entries). The interval ends of both streams are merged into one list sorted by position per
member; the segment (p(k−1), p(k)] between consecutive ends lies in batch number
#{i : E(i) < p(k)} and consumption number #{j : C(j) < p(k)} (numbers from 0). Both are
running counts over the merged list (when a batch and a consumption end at the same
position, the second of the two rows has an empty segment and is dropped), so segments join
batches and consumptions on equality (member_id, number): rows and work stay linear in the
number of entries, and the same expression runs on DuckDB and Spark.

Consumption beyond the points a member has earned (an overdrawn member) falls past the last
batch: its segments keep ``batch_id`` null and are reported as unallocated. A consumption
recorded before the batch it is allocated to (a member briefly below zero) is allocated to the
next batch earned, like a debt repaid from the next points.

Example
-------
Batches 100, 50 and consumptions 30, 100: breakpoints 30, 100, 130, 150. Segment (0, 30]
is batch 0 / consumption 0 (30 points); (30, 100] batch 0 / consumption 1 (70);
(100, 130] batch 1 / consumption 1 (30); (130, 150] is past the last consumption (open).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session

ORDER = ("at", "entry_id")  # FIFO order of entries within a member


def end_of(as_of: date) -> ir.Scalar:
    """The first instant after day ``as_of`` (entries strictly before it count)."""
    return at_midnight(as_of + timedelta(days=1))


def ledger(session: Session, as_of: date) -> ir.Table:
    """Points entries recorded before the end of ``as_of``."""
    p = session.table("points")
    return p.filter(p.at < end_of(as_of))


def scalar(session: Session, expression: ir.Scalar) -> Any:
    """A scalar expression's value as a Python object (through Arrow, not pandas)."""
    return session.arrow(expression).as_py()


def gains(session: Session, as_of: date) -> ir.Table:
    """Ledger entries that add points (the batches, without FIFO numbering)."""
    p = ledger(session, as_of)
    return p.filter(p.points > 0)


def batches(session: Session, as_of: date) -> ir.Table:
    """Entries that add points, numbered per member in FIFO order (``seq`` from 0).

    Columns: member_id, batch_id, batch_kind, source, issued_at, expires_at, issued,
    seq, upper (cumulative points added up to and including the batch).
    """
    g = gains(session, as_of)
    return g.select(
        "member_id",
        batch_id=g.entry_id,
        batch_kind=g.kind,
        source=g.source,
        issued_at=g.at,
        expires_at=g.expires_at,
        issued=g.points,
        seq=ibis.row_number().over(group_by="member_id", order_by=list(ORDER)),
        upper=g.points.cumsum(group_by="member_id", order_by=list(ORDER)),
    )


def consumptions(session: Session, as_of: date) -> ir.Table:
    """Entries that remove points (as positive amounts), numbered per member in FIFO order.

    Columns: member_id, consume_id, consume_kind, consumed_at, amount, seq, upper.
    """
    p = ledger(session, as_of)
    c = p.filter(p.points < 0)
    amount = -c.points
    return c.select(
        "member_id",
        consume_id=c.entry_id,
        consume_kind=c.kind,
        consumed_at=c.at,
        amount=amount,
        seq=ibis.row_number().over(group_by="member_id", order_by=list(ORDER)),
        upper=amount.cumsum(group_by="member_id", order_by=list(ORDER)),
    )


def allocations(session: Session, as_of: date) -> ir.Table:
    """Consumed points split into (batch, consumption) pieces, first in first out.

    Columns: member_id, batch_id, issued_at, expires_at, consume_id, consume_kind,
    consumed_at, points (> 0). ``batch_id`` (and the batch columns) are null for consumption
    beyond everything the member has earned.
    """
    b = batches(session, as_of)
    c = consumptions(session, as_of)
    # every interval end of both streams; at a shared position the batch end sorts first
    ends = b.select("member_id", pos=b.upper, b_end=ibis.literal(1), c_end=ibis.literal(0)).union(
        c.select("member_id", pos=c.upper, b_end=ibis.literal(0), c_end=ibis.literal(1))
    )
    order = [ends.pos, ends.c_end]
    running = ibis.cumulative_window(group_by="member_id", order_by=order)
    # ends strictly before each end = running count minus the row's own end; the second of
    # two ends at the same position gets an empty segment (lower = pos) and is dropped
    segments = ends.select(
        "member_id",
        "pos",
        batch_seq=ends.b_end.sum().over(running) - ends.b_end,
        consume_seq=ends.c_end.sum().over(running) - ends.c_end,
        lower=ends.pos.lag().over(group_by="member_id", order_by=order).fill_null(0),
    )
    segments = segments.filter(segments.pos > segments.lower)
    # segments past the last consumption (open points) find no consumption in the inner join
    cs = c.select(
        _member="member_id", _seq="seq", consume_id="consume_id", consume_kind="consume_kind",
        consumed_at="consumed_at",
    )  # fmt: skip
    with_consumption = segments.join(
        cs, (segments.member_id == cs._member) & (segments.consume_seq == cs._seq)
    )
    bs = b.select(
        _member="member_id", _seq="seq", batch_id="batch_id", issued_at="issued_at",
        expires_at="expires_at",
    )  # fmt: skip
    joined = with_consumption.left_join(
        bs, (with_consumption.member_id == bs._member) & (with_consumption.batch_seq == bs._seq)
    )
    return joined.select(
        "member_id",
        "batch_id",
        "issued_at",
        "expires_at",
        "consume_id",
        "consume_kind",
        "consumed_at",
        points=(joined.pos - joined.lower),
    )


def overdrawn(session: Session, as_of: date) -> ir.Table:
    """Per overdrawn member: points consumed beyond everything earned (``unallocated``)."""
    a = allocations(session, as_of)
    over = a.filter(a.batch_id.isnull())
    return over.group_by("member_id").agg(unallocated=over.points.sum())
