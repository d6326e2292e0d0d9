"""Value tiers, the Pareto view and the value × loyalty matrix as of a date.

As of D (end of day D), the *scored* members are those with at least one paid order whose
local date lies in (D − window, D], the window being ``[value] window_days`` (default
``[rfm] window_days``). Their spend is the amount of those orders.

* **Value tier** (high / medium / low). Buyers are ranked by spend, highest first (ties by
  member id). With ``cut_by = "members"`` a buyer is *high* when the share of buyers ranked
  before them is below ``high`` (0.2: the top 20 %, the member who crosses the line included),
  *medium* below ``high + medium``, else *low*; ``cut_by = "revenue"`` does the same with the
  share of revenue ranked before them (ABC analysis); ``cut_by = "spend"`` uses amounts:
  high when spend ≥ ``high``, medium when spend ≥ ``medium``.
* **Loyalty.** The n = ``loyalty_window_months`` "months" are the 30-day blocks ending on D:
  block b holds the local dates D − 30b − 29 … D − 30b. A member is *loyal* when they have a
  paid order in at least k = ``loyal_min_months`` of the n blocks (frequency and retention in
  one rule: buying often, and month after month).
* **Value group** (2 × 2): high value & loyal = core, other tiers & loyal = potential,
  high value & not loyal = at_risk, the rest = low. Only the *high* tier counts as high value.
* **Pareto.** The concentration curve: the share of revenue brought by the top x of buyers,
  linear within each member's slice of the axis, at x = 0, 1/G, …, 1 (G = 100), the headline
  "the top 20 % bring y % of revenue", and the Gini coefficient 2·A − 1 (A = area under the
  curve).

Everything per member is one Ibis expression; only about G rows (the members at the grid
points) and a handful of aggregates leave the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import ibis
import ibis.expr.types as ir
import polars as pl

from memberlens.config import Config
from memberlens.engine.expr import at_midnight, days_between
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.orders import paid_orders
from memberlens.labels import Label

MONTH_DAYS = 30
CURVE_POINTS = 100


class ValueTier(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class ValueGroup(StrEnum):
    core = "core"
    potential = "potential"
    at_risk = "at_risk"
    low = "low"


TIER_NAMES: dict[ValueTier, tuple[str, str]] = {
    ValueTier.high: ("高价值会员", "High value"),
    ValueTier.medium: ("中价值会员", "Medium value"),
    ValueTier.low: ("低价值会员", "Low value"),
}
GROUP_NAMES: dict[ValueGroup, tuple[str, str]] = {
    ValueGroup.core: ("核心会员", "Core"),
    ValueGroup.potential: ("潜力会员", "Potential"),
    ValueGroup.at_risk: ("流失风险会员", "At risk"),
    ValueGroup.low: ("低价值会员", "Low"),
}


def label(item: ValueTier | ValueGroup, language: str) -> str:
    """The 中文 or English name of a value tier or value group."""
    return Label(*(TIER_NAMES[item] if isinstance(item, ValueTier) else GROUP_NAMES[item]))(
        language
    )


def window_days(config: Config) -> int:
    """The spend window of value tiers: ``[value] window_days``, else ``[rfm] window_days``."""
    return config.value.window_days or config.rfm.window_days


def _paid_between(session: Session, first: date, last: date) -> ir.Table:
    """Paid member orders with local date in [first, last]."""
    return paid_orders(session, first, last + timedelta(days=1))


def ranked(session: Session, as_of: date) -> ir.Table:
    """Scored members ranked by spend: member_id, spend (exact), orders, position (0-based),
    buyers, revenue_before (exact) and revenue (exact, all buyers)."""
    paid = _paid_between(session, as_of - timedelta(days=window_days(session.config) - 1), as_of)
    per_member = paid.group_by("member_id").agg(spend=paid.amount.sum(), orders=paid.count())
    order = [ibis.desc(per_member.spend), per_member.member_id]
    return per_member.mutate(
        position=ibis.row_number().over(order_by=order),
        buyers=per_member.count().over(),
        revenue_before=per_member.spend.cumsum(order_by=order) - per_member.spend,
        revenue=per_member.spend.sum().over(),
    )


def _tier(t: ir.Table, config: Config) -> ir.StringValue:
    v = config.value
    if v.cut_by == "spend":
        measure: ir.NumericValue = t.spend.cast("float64")
        high, medium = ibis.literal(v.high), ibis.literal(v.medium)
        is_high, is_medium = measure >= high, measure >= medium
    else:
        # the share ranked before this member: exact integers / decimals divided once, so a
        # share equal to the cut point (7 of 10 buyers against 0.7) compares as equal
        if v.cut_by == "members":
            before = t.position.cast("float64") / t.buyers.cast("float64")
        else:
            before = t.revenue_before.cast("float64") / t.revenue.cast("float64").nullif(0.0)
        is_high = before < v.high
        is_medium = before < round(v.high + v.medium, 12)
    return ibis.cases(
        (is_high.fill_null(False), ValueTier.high.value),
        (is_medium.fill_null(False), ValueTier.medium.value),
        else_=ValueTier.low.value,
    )


def _active_months(session: Session, as_of: date) -> ir.Table:
    """member_id, active_months: 30-day blocks up to D with a paid order (loyalty window)."""
    n = session.config.value.loyalty_window_months
    paid = _paid_between(session, as_of - timedelta(days=MONTH_DAYS * n - 1), as_of)
    # whole days back from D, from epoch seconds of local dates (same on every engine)
    days_back = days_between(at_midnight(as_of), paid.ordered_at.truncate("D"))
    block = (days_back / MONTH_DAYS).floor().cast("int64")
    blocks = paid.select("member_id", block=block)
    return blocks.group_by("member_id").agg(active_months=blocks.block.nunique())


def member_values(session: Session, as_of: date) -> ir.Table:
    """Per scored member: member_id, spend, orders, value_tier, active_months, loyal,
    value_group (one expression; see the module docstring for the rules)."""
    r = ranked(session, as_of)
    r = r.mutate(value_tier=_tier(r, session.config))
    months = _active_months(session, as_of)
    t = r.left_join(months, "member_id").drop("member_id_right")
    active = t.active_months.fill_null(0)
    loyal = active >= session.config.value.loyal_min_months
    high = t.value_tier == ValueTier.high.value
    group = ibis.cases(
        (high & loyal, ValueGroup.core.value),
        (loyal, ValueGroup.potential.value),
        (high, ValueGroup.at_risk.value),
        else_=ValueGroup.low.value,
    )
    return t.select(
        "member_id",
        spend=t.spend.cast("float64"),
        orders=t.orders,
        value_tier=t.value_tier,
        active_months=active,
        loyal=loyal,
        value_group=group,
    )


@dataclass(frozen=True)
class Pareto:
    """How concentrated revenue is among the scored members."""

    top: float  # the share of buyers of the headline, 0.2
    top_revenue_share: float | None  # the share of revenue they bring (None: no revenue)
    gini: float | None
    curve: pl.DataFrame  # member_share, revenue_share: 0 … 1 in 1/CURVE_POINTS steps

    def headline(self, language: str = "en") -> str:
        if self.top_revenue_share is None:
            return Label("没有消费额", "No revenue in the window")(language)
        top, share = f"{self.top:.0%}", f"{self.top_revenue_share:.1%}"
        return Label(
            f"消费额最高的 {top} 会员贡献了 {share} 的消费额",
            f"The top {top} of buyers bring {share} of revenue",
        )(language)


@dataclass(frozen=True)
class ValueReport:
    """Value tiers, the value × loyalty matrix and the Pareto view as of a date."""

    as_of: date
    window_days: int
    scored: int  # members with a paid order in the window
    revenue: float
    tiers: pl.DataFrame  # value_tier, name, members, member_share, revenue, revenue_share,
    #                      min_spend, max_spend, loyal
    matrix: pl.DataFrame  # value_group, name, high_value, loyal, members, member_share,
    #                       revenue, revenue_share
    pareto: Pareto


def pareto(session: Session, as_of: date, top: float = 0.2) -> Pareto:
    """The concentration curve of revenue over buyers ranked by spend (see module docstring).

    The member at 0-based position q covers (q/n, (q+1)/n] of the member axis; the grid
    points i/G in it have revenue share (before_q + (i·n/G − q)·spend_q) / revenue.
    """
    step = round(top * CURVE_POINTS)
    if not 0 < top <= 1 or abs(top * CURVE_POINTS - step) > 1e-9:
        raise InputError(f"top = {top}: give a share in (0, 1] in steps of 0.01, e.g. 0.2.")
    r = ranked(session, as_of)
    g = CURVE_POINTS
    r = r.mutate(
        first=(r.position * g / r.buyers).floor().cast("int64") + 1,
        last=((r.position + 1) * g / r.buyers).floor().cast("int64"),
        # the area under the curve, Σ (before + spend / 2), over all buyers in the same query
        area=(r.revenue_before + r.spend / 2).sum().over().cast("float64"),
    )
    at_points = r.filter(r["last"] >= r["first"]).select(
        "position",
        "buyers",
        "first",
        "last",
        "area",
        spend=r.spend.cast("float64"),
        before=r.revenue_before.cast("float64"),
        revenue=r.revenue.cast("float64"),
    )
    rows = session.arrow(at_points).to_pylist()
    shares = [0.0] * (g + 1)
    for row in rows:
        if not row["revenue"]:
            break
        for i in range(row["first"], row["last"] + 1):
            inside = i * row["buyers"] / g - row["position"]
            shares[i] = (row["before"] + inside * row["spend"]) / row["revenue"]
    curve = pl.DataFrame({"member_share": [i / g for i in range(g + 1)], "revenue_share": shares})
    if not rows or not rows[0]["revenue"]:
        return Pareto(top, None, None, curve.with_columns(revenue_share=None))
    totals = rows[0]
    gini = 2 * totals["area"] / (totals["buyers"] * totals["revenue"]) - 1
    return Pareto(top, shares[step], gini, curve)


def _no_buyers(session: Session, as_of: date) -> InputError:
    from memberlens.facts.coverage import data_range

    days = window_days(session.config)
    span = data_range(session)
    seen = (
        "The warehouse has no orders yet."
        if span is None
        else (f"Orders span {span[0]} … {span[1]}; choose as_of within it.")
    )
    return InputError(
        f"No paid member orders in the {days}-day value window up to {as_of}: nothing to "
        f"score. {seen}"
    )


def value(session: Session, as_of: date, language: str = "zh") -> ValueReport:
    """Value tiers, the value × loyalty matrix and the Pareto view as of the end of ``as_of``.

    Raises :class:`InputError` when no member bought in the window (a date outside the data).

    >>> shop.segments.value("2024-03-31").pareto.headline("en")  # doctest: +SKIP
    'The top 20% of buyers bring 67.6% of revenue'
    """
    m = member_values(session, as_of)
    cells = m.group_by("value_tier", "loyal").agg(
        members=m.count(),
        revenue=m.spend.sum(),
        min_spend=m.spend.min(),
        max_spend=m.spend.max(),
    )
    frame = pl.from_arrow(session.arrow(cells))
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        raise _no_buyers(session, as_of)
    scored = int(frame["members"].sum())
    revenue = float(frame["revenue"].sum())
    share = {
        "member_share": pl.col("members") / scored,
        "revenue_share": pl.col("revenue") / revenue if revenue else pl.lit(None, pl.Float64),
    }
    tiers = (
        pl.DataFrame({"value_tier": [t.value for t in ValueTier]})
        .join(
            frame.group_by("value_tier").agg(
                pl.col("members").sum(),
                pl.col("revenue").sum(),
                pl.col("min_spend").min(),
                pl.col("max_spend").max(),
                loyal=pl.col("members").filter(pl.col("loyal")).sum(),
            ),
            on="value_tier",
            how="left",
            maintain_order="left",
        )
        .with_columns(pl.col("members", "loyal").fill_null(0), pl.col("revenue").fill_null(0.0))
        .with_columns(**share)
        .select(
            "value_tier",
            name=pl.col("value_tier").replace_strict(
                {t.value: label(t, language) for t in ValueTier}
            ),
            members="members",
            member_share="member_share",
            revenue="revenue",
            revenue_share="revenue_share",
            min_spend="min_spend",
            max_spend="max_spend",
            loyal="loyal",
        )
    )
    high = pl.col("value_tier") == ValueTier.high.value
    layout = pl.DataFrame(
        {
            "value_group": [g.value for g in ValueGroup],
            "high_value": [True, False, True, False],
            "loyal": [True, True, False, False],
        }
    )
    cells_2x2 = frame.group_by(high_value=high, loyal=pl.col("loyal")).agg(
        pl.col("members").sum(), pl.col("revenue").sum()
    )
    matrix = (
        layout.join(cells_2x2, on=["high_value", "loyal"], how="left", maintain_order="left")
        .with_columns(pl.col("members").fill_null(0), pl.col("revenue").fill_null(0.0))
        .with_columns(**share)
        .select(
            "value_group",
            name=pl.col("value_group").replace_strict(
                {g.value: label(g, language) for g in ValueGroup}
            ),
            high_value="high_value",
            loyal="loyal",
            members="members",
            member_share="member_share",
            revenue="revenue",
            revenue_share="revenue_share",
        )
    )
    return ValueReport(
        as_of=as_of,
        window_days=window_days(session.config),
        scored=scored,
        revenue=revenue,
        tiers=tiers,
        matrix=matrix,
        pareto=pareto(session, as_of),
    )


def values_frame(session: Session, as_of: date) -> pl.DataFrame:
    """Rows (member_id, spend, orders, value_tier, active_months, loyal, value_group)."""
    expression = member_values(session, as_of).order_by(ibis.desc("spend"), "member_id")
    frame = pl.from_arrow(session.arrow(expression))
    assert isinstance(frame, pl.DataFrame)
    return frame
