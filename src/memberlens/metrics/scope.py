"""What a metric definition is computed over: the session, the period and a split.

A :class:`Scope` holds the warehouse session, the period being computed and optionally a
:class:`Dimension` to split by. A dimension maps every member to one label (the column
:data:`GROUP`) as of the end of the period; members without a value are ``(unknown)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import ibis.expr.types as ir

from memberlens.config import Config
from memberlens.dates.periods import Period
from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.facts.orders import paid_orders
from memberlens.labels import Label

UNKNOWN = "(unknown)"
GROUP = "_group"


@dataclass(frozen=True)
class Dimension:
    """A way to label every member once as of a period's end (DESIGN §6 splits)."""

    id: str
    zh: str
    en: str
    definition: str
    labels: Callable[[Scope], ir.Table]  # member_id, GROUP
    #: True when the labels do not depend on the period (a member attribute): facts can then
    #: be aggregated per day and group once (the daily aggregates), whatever period is asked.
    fixed: bool = False

    def name(self, language: str) -> str:
        return Label(self.zh, self.en)(language)


@dataclass(frozen=True)
class Scope:
    """The tables of one warehouse, the period being computed and an optional split."""

    session: Session
    period: Period
    by: Dimension | None = None
    #: per day: every measure is grouped by the local date of its facts (column ``day``)
    days: bool = False
    #: the period whose end the labels are taken at (default: ``period``)
    labels_at: Period | None = None
    #: only these days of the period (the days a refresh of the daily aggregates redoes)
    only: tuple[date, ...] | None = None

    @property
    def config(self) -> Config:
        return self.session.config

    def table(self, name: str) -> ir.Table:
        return self.session.table(name)

    def within(self, t: ir.Table, column: str, period: Period | None = None) -> ir.BooleanValue:
        p = period or self.period
        inside = (t[column] >= at_midnight(p.first)) & (t[column] < at_midnight(p.end))
        if period is None and self.only is not None:
            inside &= t[column].date().isin(self.only)
        return inside

    def before_end(self, t: ir.Table, column: str, period: Period | None = None) -> ir.BooleanValue:
        return t[column] < at_midnight((period or self.period).end)

    def paid(self) -> ir.Table:
        return paid_orders(self.session)

    def paid_in(self, period: Period | None = None) -> ir.Table:
        o = self.paid()
        return o.filter(self.within(o, "ordered_at", period))

    def points_in(self, kind: str) -> ir.Table:
        p = self.table("points")
        return p.filter((p.kind == kind) & self.within(p, "at"))

    def tag(self, t: ir.Table) -> ir.Table:
        """Add the member's group (when splitting) to a table with a member_id column."""
        if self.by is None:
            return t
        at = self if self.labels_at is None else replace(self, period=self.labels_at)
        by = self.by
        if by.fixed:  # a member attribute: a plain projection, cheaper to read than to keep
            labels = by.labels(at)
        else:  # a tier or a segment as of the period end: computed once per session
            key = ("labels", by.id, at.period.grain, at.period.first, at.period.last)
            labels = self.session.kept(key, lambda: by.labels(at))
        labels = labels.rename(_member="member_id")
        joined = t.left_join(labels, t.member_id == labels._member).drop("_member")
        return joined.mutate(**{GROUP: joined[GROUP].fill_null(UNKNOWN)})

    def count(self, name: str, where: Callable[[ir.Table], ir.BooleanValue]) -> ir.Table:
        """How many rows of table ``name`` satisfy ``where`` (per group when splitting)."""
        t = self.table(name)
        t = self.tag(t.filter(where(t)))
        return self.measure(t, t.count())

    def each(
        self,
        t: ir.Table,
        periods: Sequence[Period],
        value: Callable[[int, Period], ir.Scalar],
        present: Callable[[int, Period], ir.Scalar],
    ) -> ir.Table:
        """Many periods in one pass over ``t`` (tagged): one row, or one per group, with
        the value of period k in column ``_v{k}`` and, in ``_n{k}``, whether the period has
        facts of the group (a count; a group without any is no row of that period)."""
        columns = {f"_v{k}": value(k, p) for k, p in enumerate(periods)}
        columns |= {f"_n{k}": present(k, p) for k, p in enumerate(periods)}
        if self.by is None:
            return t.aggregate(**columns)
        return t.group_by(t[GROUP]).aggregate(**columns)

    def measure(self, t: ir.Table, value: ir.Scalar, time: str | None = None) -> ir.Table:
        """``value`` aggregated over ``t``: one row, or one per group; per day of column
        ``time`` as well when the scope is per day."""
        keys: list[Any] = [t[GROUP]] if self.by is not None else []
        if self.days and time is not None:
            keys = [t[time].date().name("day"), *keys]
        if not keys:
            return t.aggregate(value=value)
        return t.group_by(keys).aggregate(value=value)
