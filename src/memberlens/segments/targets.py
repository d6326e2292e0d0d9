"""Target lists: the members of a segment, tier or rule as of a date, for a campaign.

A :class:`TargetRule` combines filters (all must hold; several values of one filter are
alternatives): RFM segment, member tier, value group and value tier, points balance, spend,
last order date, city, channel and store. The list covers the members registered by the end
of D, with their contact and value columns (:data:`COLUMNS`); phone numbers are masked
(138****1234: the first three and last four characters kept) unless the full number is asked
for.

* balance: the sum of points of all entries at or before the end of D (as points_outstanding);
* spend, value_tier and value_group: paid spend in the ``[value]`` window, the value tier and
  the value × loyalty group (members without an order in the window: spend 0, no tier or group);
* segment: the RFM segment (members without an order in the RFM window: none);
* last_order_date: the local date of the last paid order at or before the end of D.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from pathlib import Path

import ibis
import ibis.expr.types as ir
import polars as pl

from memberlens.engine.expr import at_midnight
from memberlens.engine.output import write_frame
from memberlens.engine.session import Session
from memberlens.errors import InputError, did_you_mean
from memberlens.facts.orders import paid_orders
from memberlens.pii import mask_phone_expr
from memberlens.program.tiers import tiers_expression
from memberlens.segments.rfm import SEGMENTS, Scheme, segment_names, segmented
from memberlens.segments.value import ValueGroup, ValueTier, member_values

COLUMNS = (
    "member_id",
    "phone",
    "city",
    "channel",
    "store_id",
    "tier",
    "tier_name",
    "segment",
    "segment_name",
    "value_tier",
    "value_group",
    "balance",
    "last_order_date",
    "spend",
)


@dataclass(frozen=True)
class TargetRule:
    """Filters of a target list; empty means "any". Amounts and dates are inclusive."""

    segments: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    value_groups: tuple[str, ...] = ()
    value_tiers: tuple[str, ...] = ()
    min_balance: float | None = None
    max_balance: float | None = None
    min_spend: float | None = None
    max_spend: float | None = None
    last_order_from: date | None = None
    last_order_to: date | None = None
    cities: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    stores: tuple[str, ...] = ()

    def describe(self, everyone: str = "all members") -> str:
        """The filters in use, as ``segment=important_winback, min_balance=500`` (``everyone``
        when there is none)."""
        parts = []
        for f in fields(self):
            given = getattr(self, f.name)
            if given is None or given == ():
                continue
            shown = "|".join(given) if isinstance(given, tuple) else str(given)
            parts.append(f"{f.name}={shown}")
        return ", ".join(parts) or everyone


def _unknown(
    kind: str,
    plural: str,
    values: Iterable[str],
    choices: Iterable[str],
    also: Iterable[str] = (),
) -> list[str]:
    """One message per value not among ``choices``; ``also`` (the names of the choices)
    joins the did-you-mean."""
    options = sorted(set(choices))
    names = [*options, *also]
    return [
        f"Unknown {kind} '{v}'.{did_you_mean(v, names)} Valid {plural}: {', '.join(options)}."
        for v in values
        if v not in options
    ]


def named(session: Session, rule: TargetRule) -> TargetRule:
    """``rule`` with its segments, tiers, value groups and tiers and channels written as ids
    (a person may write 重要挽留客户, 金卡会员, 小程序 or the English names); names that match
    nothing are kept for :func:`check` to report."""
    from memberlens.labels import CHANNELS, Label, find
    from memberlens.program.tiers import tier_labels
    from memberlens.segments.value import GROUP_NAMES
    from memberlens.segments.value import TIER_NAMES as VALUE_TIER_NAMES

    Names = Mapping[str, Label | Iterable[str]]

    def ids(values: tuple[str, ...], choices: Names) -> tuple[str, ...]:
        return tuple(find(v, choices) or v for v in values)

    return replace(
        rule,
        segments=ids(rule.segments, {s.id: Label(s.zh, s.en) for s in SEGMENTS}),
        tiers=ids(rule.tiers, tier_labels(session.config)),
        value_groups=ids(rule.value_groups, {str(g): n for g, n in GROUP_NAMES.items()}),
        value_tiers=ids(rule.value_tiers, {str(t): n for t, n in VALUE_TIER_NAMES.items()}),
        channels=ids(rule.channels, CHANNELS),
    )


def check(session: Session, rule: TargetRule) -> None:
    """Raise one :class:`InputError` naming every unknown id and value with the valid choices."""
    problems = [
        *_unknown(
            "segment",
            "segments",
            rule.segments,
            (s.id for s in SEGMENTS),
            [n for s in SEGMENTS for n in (s.zh, s.en)],
        ),
        *_unknown(
            "tier",
            "tiers",
            rule.tiers,
            (level.id for level in session.config.tiers.levels),
            [n for level in session.config.tiers.levels for n in (level.name, level.label.en)],
        ),
        *_unknown("value group", "value groups", rule.value_groups, (g.value for g in ValueGroup)),
        *_unknown("value tier", "value tiers", rule.value_tiers, (t.value for t in ValueTier)),
    ]
    asked = {"city": rule.cities, "channel": rule.channels, "store_id": rule.stores}
    m = session.table("members")
    for column, values in asked.items():
        if values:
            present = session.arrow(m.select(v=m[column]).distinct().drop_null("v"))
            kind = column.removesuffix("_id")
            plural = {"city": "cities", "channel": "channels", "store": "stores"}[kind]
            problems += _unknown(kind, plural, values, present.column("v").to_pylist())
    for low, high, name in (
        (rule.min_balance, rule.max_balance, "balance"),
        (rule.min_spend, rule.max_spend, "spend"),
        (rule.last_order_from, rule.last_order_to, "last order date"),
    ):
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            problems.append(f"The {name} range {low} … {high} is empty: the minimum is larger.")
    if problems:
        raise InputError(" ".join(problems))


def target_members(
    session: Session, as_of: date, rule: TargetRule, full_phone: bool = False
) -> ir.Table:
    """The members matching ``rule`` as of the end of ``as_of`` with :data:`COLUMNS`."""
    end = at_midnight(as_of + timedelta(days=1))
    m = session.table("members")
    tiers = tiers_expression(session, as_of).select("member_id", "tier")
    rfm = segmented(session, as_of).select("member_id", "segment")
    values = member_values(session, as_of).select("member_id", "spend", "value_tier", "value_group")
    values = values.rename(value_spend="spend")
    p = session.table("points")
    balances = p.filter(p.at < end).group_by("member_id").agg(balance=p.points.sum())
    paid = paid_orders(session, end=end)
    last = paid.group_by("member_id").agg(last_order_at=paid.ordered_at.max())
    t = tiers.join(m.select("member_id", "phone", "city", "channel", "store_id"), "member_id")
    for part in (rfm, values, balances, last):
        t = t.left_join(part, "member_id").drop("member_id_right")
    t = t.mutate(
        phone=t.phone if full_phone else mask_phone_expr(t.phone),
        balance=t.balance.fill_null(0),
        spend=t.value_spend.fill_null(0.0),
        last_order_date=t.last_order_at.date(),
    )
    return _apply(t, rule).select(*(c for c in COLUMNS if not c.endswith("_name")))


def _apply(t: ir.Table, rule: TargetRule) -> ir.Table:
    conditions: list[ir.BooleanValue] = []
    for column, wanted in (
        ("segment", rule.segments),
        ("tier", rule.tiers),
        ("value_group", rule.value_groups),
        ("value_tier", rule.value_tiers),
        ("city", rule.cities),
        ("channel", rule.channels),
        ("store_id", rule.stores),
    ):
        if wanted:
            conditions.append(t[column].isin(wanted))
    if rule.min_balance is not None:
        conditions.append(t.balance >= rule.min_balance)
    if rule.max_balance is not None:
        conditions.append(t.balance <= rule.max_balance)
    if rule.min_spend is not None:
        conditions.append(t.spend >= rule.min_spend)
    if rule.max_spend is not None:
        conditions.append(t.spend <= rule.max_spend)
    if rule.last_order_from is not None:
        conditions.append(t.last_order_at >= at_midnight(rule.last_order_from))
    if rule.last_order_to is not None:
        conditions.append(t.last_order_at < at_midnight(rule.last_order_to + timedelta(days=1)))
    return t.filter(*conditions) if conditions else t


def target_list(
    session: Session,
    as_of: date,
    rule: TargetRule,
    full_phone: bool = False,
    language: str = "zh",
) -> pl.DataFrame:
    """The target list as a Polars frame with :data:`COLUMNS`, highest spend first.

    >>> rule = TargetRule(segments=("important_winback",), min_balance=500)
    >>> ws.segments.targets("2025-06-30", rule)  # doctest: +SKIP
    """
    rule = named(session, rule)
    check(session, rule)
    expression = target_members(session, as_of, rule, full_phone)
    frame = pl.from_arrow(session.arrow(expression.order_by(ibis.desc("spend"), "member_id")))
    assert isinstance(frame, pl.DataFrame)
    tier_names = {level.id: level.label(language) for level in session.config.tiers.levels}
    segments = segment_names(Scheme.threshold, language)
    return frame.with_columns(
        tier_name=pl.col("tier").replace_strict(tier_names, default=None),
        segment_name=pl.col("segment").replace_strict(segments, default=None),
    ).select(COLUMNS)


def write_list(frame: pl.DataFrame, path: Path) -> None:
    """Write a target list to .csv (UTF-8 with BOM, so Excel reads 中文), .xlsx or .parquet."""
    write_frame(frame, path, bom=True, sheet="targets")
