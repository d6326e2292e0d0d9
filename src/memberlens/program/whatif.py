"""What-if: replay the order and points history under candidate program rules.

Both the current rules (the workspace's ``[tiers]`` and ``[points]``) and a candidate are
replayed over the same history with the same machinery, so their difference is the effect
of the rules alone:

1. Tiers: :func:`~memberlens.segments.history.tier_history` from the first day of data to
   ``end`` under each ladder and its rules.
2. Purchase points: every paid order earns ``floor(amount × earn_rate × earn_multiplier)`` of
   the tier held on the order's day (the qualifying order of an immediate upgrade earns at the
   new rate). Other earn entries (campaign bonuses, sign-ins, referrals), positive
   adjustments, redemptions and negative adjustments are kept as they are in the data.
3. Expiry by the ``[points] expiry`` policy (:mod:`memberlens.dates.expiry`: points earned in
   Y lapse at 23:59:59 on 31 December of Y + 1), first-in first-out. Batches expire in the order
   they were issued, so the points expired by time t are
   ``max(0, max over batches i expiring by t of (E_i − C(τ_i)))``, where E_i is the member's
   cumulative earned points through batch i, τ_i its expiry time and C(τ) the member's
   cumulative consumption (redemptions, negative adjustments) up to τ: each expiry brings the
   member's consumed total up to the batch boundary when it is below it.
4. Benefit cost: paid spend × the ``benefit_rate`` of the tier held on the order's day.

Reported per rule set: members per tier at ``end``, upgrades and downgrades in the period,
points issued on purchases in the period, points expired in the period, the outstanding
balance and liability at ``end`` (``point_value``), benefit cost in the period, and the
members whose recorded redemptions exceed their replayed balance (the data's redemptions are
kept, so a stingier candidate can leave a balance below zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from memberlens.config import Config
from memberlens.dates.expiry import lapse_expr
from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.orders import paid_orders
from memberlens.program.history import TierHistory, tier_history

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Replay:
    """One rule set replayed: the figures of the comparison."""

    history: TierHistory
    tiers: pl.DataFrame  # tier, members at the end
    figures: dict[str, float]


@dataclass(frozen=True)
class WhatIf:
    start: date
    end: date
    current: Replay
    candidate: Replay
    moves: pl.DataFrame  # tier at the end under the current rules (rows) × candidate (columns)

    def comparison(self) -> pl.DataFrame:
        """One row per figure: current, candidate, difference."""
        import polars as pl

        rows = []
        for key, now in self.current.figures.items():
            then = self.candidate.figures[key]
            rows.append({"figure": key, "current": now, "candidate": then, "change": then - now})
        tiers = self.current.tiers.join(
            self.candidate.tiers, on="tier", how="full", coalesce=True, suffix="_candidate"
        ).fill_null(0)
        for tier, now, then in tiers.iter_rows():
            rows.append(
                {
                    "figure": f"members_{tier}",
                    "current": float(now),
                    "candidate": float(then),
                    "change": float(then - now),
                }
            )
        return pl.DataFrame(rows)


FIGURES = (
    "upgrades",
    "downgrades",
    "points_issued_purchases",
    "points_expired",
    "points_outstanding",
    "points_liability",
    "benefit_cost",
    "members_over_redeemed",
)


def candidate_config(current: Path, candidate: Path) -> Config:
    """The workspace config with the ``[tiers]`` and ``[points]`` sections of ``candidate``
    (a TOML file holding either or both) in place of its own."""
    import tomllib

    from memberlens.config import parse_config

    try:
        changes = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{candidate} not found: write the candidate rules to it.") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{candidate} is not valid TOML: {error}") from None
    other = sorted(set(changes) - {"tiers", "points"})
    if other or not changes:
        raise InputError(
            f"{candidate}: a candidate holds [tiers] and/or [points] only "
            f"(found: {', '.join(other) or 'nothing'})."
        )
    data = tomllib.loads(current.read_text(encoding="utf-8"))
    data.update(changes)
    return parse_config(data, candidate)


def what_if(session: Session, candidate: Config, start: date, end: date) -> WhatIf:
    """Replay history under the session's rules and ``candidate``'s; compare ``start``..``end``."""
    from dataclasses import replace

    import polars as pl

    from memberlens.facts.coverage import data_range

    if end < start:
        raise InputError(
            f"start {start} is after end {end}; give the earlier date first.", parameter="start"
        )
    span = data_range(session)
    first = None if span is None else span[0]
    if first is None or first > end:
        raise InputError(f"No orders on or before {end}; choose dates inside the data.")
    replays = [
        _replay(replace(session, config=c), min(first, start), start, end)
        for c in (session.config, candidate)
    ]
    a = replays[0].history.on(end).rename({"tier": "current"})
    b = replays[1].history.on(end).rename({"tier": "candidate"})
    wide = (
        a.join(b, on="member_id")
        .group_by("current", "candidate")
        .len("members")
        .pivot(on="candidate", index="current", values="members")
        .fill_null(0)
    )
    # rows in the current ladder's order, columns in the candidate's
    rows = {level.id: i for i, level in enumerate(session.config.tiers.levels)}
    columns = [lv.id for lv in candidate.tiers.levels if lv.id in wide.columns]
    moves = (
        wide.with_columns(rank=pl.col("current").replace_strict(rows, default=len(rows)))
        .sort("rank")
        .select("current", *columns)
    )
    return WhatIf(start, end, replays[0], replays[1], moves)


def _replay(session: Session, origin: date, start: date, end: date) -> Replay:
    import polars as pl

    history = tier_history(session, origin, end)
    levels = session.config.tiers.levels
    begin, stop = at_midnight(start), at_midnight(end + timedelta(days=1))
    held = ibis.memtable(history.history.to_arrow())
    o = paid_orders(session, end=stop)
    paid = o.select("member_id", "ordered_at", amount=o.amount.cast("float64"))
    day = paid.ordered_at.date()
    priced = paid.join(
        held,
        [
            paid.member_id == held.member_id,
            day >= held.valid_from,
            held.valid_to.isnull() | (day <= held.valid_to),
        ],
    )

    def per_tier(values: dict[str, float]) -> ir.FloatingValue:
        return ibis.cases(*[(priced.tier == t, v) for t, v in values.items()], else_=0.0)

    multiplier = per_tier({lv.id: lv.earn_multiplier for lv in levels})
    rate = session.config.points.earn_rate
    priced = priced.mutate(
        earned=(priced.amount * rate * multiplier).floor().cast("int64"),
        benefit=priced.amount * per_tier({lv.id: lv.benefit_rate for lv in levels}),
        in_period=priced.ordered_at >= begin,
    )
    totals = priced.aggregate(
        issued=priced.earned.sum(where=priced.in_period),
        benefit=priced.benefit.sum(where=priced.in_period),
    )
    ledger = _ledger(session, priced, stop)
    balances = _balances(ledger, session.config, begin, stop)
    summary = balances.aggregate(
        expired=balances.expired_in_period.sum(),
        outstanding=balances.balance.sum(),
        over=(balances.balance < 0).sum(),
    )
    got = session.arrow(totals.cross_join(summary)).to_pylist()[0]
    moves = history.movements().filter(
        (pl.col("month") >= start.strftime("%Y-%m")) & (pl.col("month") <= end.strftime("%Y-%m"))
    )
    outstanding = float(got["outstanding"] or 0)
    figures = {
        "upgrades": float(moves["upgrades"].sum()),
        "downgrades": float(moves["downgrades"].sum()),
        "points_issued_purchases": float(got["issued"] or 0),
        "points_expired": float(got["expired"] or 0),
        "points_outstanding": outstanding,
        "points_liability": outstanding * session.config.workspace.point_value,
        "benefit_cost": float(got["benefit"] or 0),
        "members_over_redeemed": float(got["over"] or 0),
    }
    at_end = history.on(end).group_by("tier").len("members")
    order = {lv.id: i for i, lv in enumerate(levels)}
    tiers = (
        at_end.with_columns(rank=pl.col("tier").replace_strict(order))
        .sort("rank")
        .select("tier", pl.col("members").cast(pl.Int64))
    )
    return Replay(history, tiers, figures)


def _ledger(session: Session, priced: ir.Table, stop: Any) -> ir.Table:
    """member_id, at, earned (≥ 0), consumed (≥ 0): the replayed ledger up to ``stop``."""
    p = session.table("points")
    p = p.filter(p.at < stop)
    kept = p.filter(
        ((p.kind == "earn") & (p.source.isnull() | (p.source != "purchase")))
        | p.kind.isin(["redeem", "adjust"])
    )
    positive = kept.points > 0
    others = kept.select(
        "member_id",
        at=kept.at.cast("timestamp"),
        earned=ibis.ifelse(positive, kept.points, 0).cast("int64"),
        consumed=ibis.ifelse(positive, 0, -kept.points).cast("int64"),
    )
    purchases = priced.select(
        "member_id",
        at=priced.ordered_at.cast("timestamp"),
        earned=priced.earned,
        consumed=ibis.literal(0, "int64"),
    )
    return ibis.union(purchases, others)


def _balances(ledger: ir.Table, config: Config, begin: Any, stop: Any) -> ir.Table:
    """Per member: balance at ``stop`` and points expired in [begin, stop) under the policy."""
    order = ibis.cumulative_window(group_by="member_id", order_by=["at", "consumed"])
    running = ledger.mutate(
        earned_total=ledger.earned.sum().over(order),
        consumed_total=ledger.consumed.sum().over(order),
    )
    totals = ledger.group_by("member_id").agg(
        earned=ledger.earned.sum(), consumed=ledger.consumed.sum()
    )
    expiry = lapse_expr(running.at, config.points.expiry, config.points.expiry_months)
    if expiry is None:
        return totals.mutate(
            balance=totals.earned - totals.consumed, expired_in_period=ibis.literal(0, "int64")
        )
    # each batch's expiry as an event: E_i (cumulative earned through it) at τ_i; the
    # consumption C(τ_i) comes from the running sum over the batches and the consumption rows
    batches = running.filter(running.earned > 0).select(
        "member_id",
        at=expiry.cast("timestamp"),
        boundary=running.earned_total.cast("int64"),
        kind=ibis.literal(1, "int8"),
    )
    consuming = ledger.filter(ledger.consumed > 0)
    uses = consuming.select(
        "member_id",
        at=consuming.at.cast("timestamp"),
        boundary=ibis.literal(0, "int64"),
        kind=ibis.literal(0, "int8"),
        used=consuming.consumed,
    )
    events = ibis.union(batches.mutate(used=ibis.literal(0, "int64")), uses)
    events = events.filter(events.at < stop)
    timeline = ibis.cumulative_window(group_by="member_id", order_by=["at", "kind"])
    events = events.mutate(consumed_by=events.used.sum().over(timeline))
    shortfall = events.filter(events.kind == 1).mutate(gap=ibis._.boundary - ibis._.consumed_by)
    expired = shortfall.group_by("member_id").agg(
        by_stop=ibis.greatest(shortfall.gap.max(), 0),
        by_begin=ibis.greatest(shortfall.gap.max(where=shortfall.at < begin).fill_null(0), 0),
    )
    t = totals.left_join(expired, "member_id").drop("member_id_right")
    by_stop = t.by_stop.fill_null(0)
    return t.select(
        "member_id",
        balance=t.earned - t.consumed - by_stop,
        expired_in_period=by_stop - t.by_begin.fill_null(0),
    )
