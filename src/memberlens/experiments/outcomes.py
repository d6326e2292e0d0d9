"""Per-member outcomes in each member's own window, summed per arm in the engine.

A *unit* is a member with a start time (``assigned_at`` of an experiment, the first touch
of a campaign) and the columns it is grouped by (the arm). Its outcomes count in
[start, start + W) and its pre-period in [start − W, start), with W = ``window_days``
(DESIGN §12); a member with no activity has 0. :func:`arm_sums` is one grouped query: per
group, n and, per metric, Σx, Σx², the pre-period's Σ and Σ² and Σ post·pre (and Σ
revenue·orders for the ratio ``aov``), which :func:`statistic` turns into the dataclasses of
:mod:`memberlens.stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.engine.expr import SECONDS_PER_DAY
from memberlens.engine.session import Session
from memberlens.errors import InputError, unknown_choice
from memberlens.facts.orders import paid_orders
from memberlens.facts.points import REDEEM, entries
from memberlens.stats import (
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)


class Outcome(StrEnum):
    """The per-member outcomes of an experiment (DESIGN §12)."""

    conversion = "conversion"  # ≥ 1 paid order, 0/1
    orders = "orders"
    revenue = "revenue"  # paid amount
    repurchase = "repurchase"  # ≥ 2 paid orders, 0/1
    redemption = "redemption"  # ≥ 1 redeem entry, 0/1
    points_redeemed = "points_redeemed"
    aov = "aov"  # revenue / orders over members (delta method)


BINARY = frozenset({Outcome.conversion, Outcome.repurchase, Outcome.redemption})
#: The per-member values of every outcome but the ratio.
VALUES = tuple(o for o in Outcome if o is not Outcome.aov)
DEFAULT_WINDOW_DAYS = 14


def parse_metrics(metrics: Sequence[str] | None) -> list[Outcome]:
    """The outcomes named (all of them when None), or an error naming the unknown one."""
    if not metrics:
        return list(Outcome)
    chosen: list[Outcome] = []
    for name in metrics:
        if name not in Outcome.__members__:
            raise unknown_choice(
                "experiment metric",
                name,
                Outcome.__members__,
                "Experiments read per-member outcomes in each member's window; catalog "
                "metrics such as repurchase_rate are not defined per member.",
                parameter="metrics",
            )
        if Outcome(name) not in chosen:
            chosen.append(Outcome(name))
    return chosen


def check_window(window_days: int) -> None:
    if window_days < 1:
        raise InputError(
            f"window_days {window_days}: a window is at least one day; try 14.",
            parameter="window_days",
            value=str(window_days),
        )


@dataclass(frozen=True)
class Columns:
    """The names of one outcome's sums in :func:`arm_sums`'s result."""

    total: str
    squares: str
    pre_total: str
    pre_squares: str
    products: str


def columns(outcome: Outcome) -> Columns:
    name = outcome.value
    return Columns(
        total=f"{name}__sum",
        squares=f"{name}__sum_squares",
        pre_total=f"{name}__pre_sum",
        pre_squares=f"{name}__pre_sum_squares",
        products=f"{name}__sum_post_pre",
    )


AOV_PRODUCTS = "aov__sum_revenue_orders"


def member_outcomes(
    session: Session,
    units: ir.Table,
    keys: Sequence[str],
    window_days: int,
    starts: tuple[datetime, datetime] | None = None,
) -> ir.Table:
    """``units`` (``keys``, member_id, start) with every outcome in the window (named as
    :class:`Outcome`) and in the pre-period (``pre_`` + the name), 0 without activity.

    ``starts`` (the earliest and the latest ``start``, when the caller knows them) bounds the
    facts read to [earliest − W, latest + W) before they meet the members: the same result,
    and a warehouse whose facts are stored in time order reads only those weeks.
    """
    check_window(window_days)
    unit = [*keys, "member_id"]
    # W as an exact count of seconds (a day-time interval): the same instants on every
    # engine, whatever a session's time zone does to calendar days.
    width = ibis.interval(seconds=window_days * SECONDS_PER_DAY)
    u = units.select(*unit, _start=units.start, _low=units.start - width, _high=units.start + width)
    low = high = None
    if starts is not None:
        low = ibis.timestamp(starts[0] - timedelta(days=window_days))
        high = ibis.timestamp(starts[1] + timedelta(days=window_days))

    def windowed(facts: ir.Table, at: str) -> ir.Table:
        # the facts' own timestamps compared with each unit's bounds: nothing is computed
        # per fact row before the join
        joined = facts.inner_join(u, "member_id")
        moment = joined[at]
        return joined.filter((moment >= joined._low) & (moment < joined._high)).mutate(
            _post=moment >= joined._start
        )

    o = paid_orders(session, low, high)
    o = windowed(o.mutate(_amount=o.amount.cast("float64")), "ordered_at")
    by_orders = o.group_by(unit).aggregate(
        _orders=o._post.cast("int64").sum(),
        _pre_orders=(~o._post).cast("int64").sum(),
        _revenue=ibis.ifelse(o._post, o._amount, 0.0).sum(),
        _pre_revenue=ibis.ifelse(o._post, 0.0, o._amount).sum(),
    )
    r = entries(session, (REDEEM,), low, high)
    r = windowed(r, "at")
    points = (-r.points).cast("float64")
    by_points = r.group_by(unit).aggregate(
        _redeems=r._post.cast("int64").sum(),
        _pre_redeems=(~r._post).cast("int64").sum(),
        _points=ibis.ifelse(r._post, points, 0.0).sum(),
        _pre_points=ibis.ifelse(r._post, 0.0, points).sum(),
    )
    t = u.left_join(by_orders, unit).select(*(u[c] for c in unit), *_measures(by_orders, unit))
    t = t.left_join(by_points, unit).select(t, *_measures(by_points, unit))
    filled = {c: t[c].fill_null(0) for c in t.columns if c.startswith("_")}
    t = t.mutate(**filled)
    values: dict[str, Any] = {}
    for prefix, lead in (("", "_"), ("pre_", "_pre_")):
        count = t[lead + "orders"]
        values[prefix + Outcome.conversion] = (count >= 1).cast("int64")
        values[prefix + Outcome.orders] = count
        values[prefix + Outcome.revenue] = t[lead + "revenue"]
        values[prefix + Outcome.repurchase] = (count >= 2).cast("int64")
        values[prefix + Outcome.redemption] = (t[lead + "redeems"] >= 1).cast("int64")
        values[prefix + Outcome.points_redeemed] = t[lead + "points"]
    return t.select(*unit, **values)


def _measures(aggregated: ir.Table, unit: Sequence[str]) -> list[ir.Column]:
    return [aggregated[c] for c in aggregated.columns if c not in unit]


def arm_sums(outcomes: ir.Table, keys: Sequence[str], metrics: Sequence[Outcome]) -> ir.Table:
    """Per group of ``keys``: n and the sums of :func:`columns` for ``metrics``."""
    t = outcomes
    sums: dict[str, Any] = {"n": t.member_id.count()}
    needed = set(metrics)
    if Outcome.aov in needed:
        needed |= {Outcome.revenue, Outcome.orders}
        sums[AOV_PRODUCTS] = (t[Outcome.revenue] * t[Outcome.orders]).sum()
    for outcome in VALUES:
        if outcome not in needed:
            continue
        post, pre = t[outcome.value].cast("float64"), t["pre_" + outcome.value].cast("float64")
        c = columns(outcome)
        sums[c.total] = post.sum()
        sums[c.squares] = (post * post).sum()
        sums[c.pre_total] = pre.sum()
        sums[c.pre_squares] = (pre * pre).sum()
        sums[c.products] = (post * pre).sum()
    return t.group_by(list(keys)).aggregate(**sums)


def statistic(row: dict[str, Any], outcome: Outcome, *, cuped: bool) -> Any:
    """The :mod:`memberlens.stats` statistic of ``outcome`` from one row of :func:`arm_sums`:
    a ratio for ``aov``, a regression-adjusted one under CUPED, else a mean or proportion."""
    n = int(row["n"])
    if outcome is Outcome.aov:
        return RatioStatistic(
            _mean(row, Outcome.revenue, n, pre=False),
            _mean(row, Outcome.orders, n, pre=False),
            float(row[AOV_PRODUCTS] or 0.0),
        )
    post = _mean(row, outcome, n, pre=False)
    if not cuped:
        return post
    return RegressionAdjustedStatistic(
        post, _mean(row, outcome, n, pre=True), float(row[columns(outcome).products] or 0.0)
    )


def _mean(row: dict[str, Any], outcome: Outcome, n: int, *, pre: bool) -> SampleMeanStatistic:
    c = columns(outcome)
    total = float(row[c.pre_total if pre else c.total] or 0.0)
    squares = float(row[c.pre_squares if pre else c.squares] or 0.0)
    kind = ProportionStatistic if outcome in BINARY else SampleMeanStatistic
    return kind(n, total, squares)
