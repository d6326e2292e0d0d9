"""Daily aggregates: the additive parts of the catalog per day and group, materialised once.

Three tables in the warehouse, built from the catalog's own definitions (no SQL of their own):

* ``agg_daily`` (dimension, grp, day, part, value): per local day and group of every fixed
  dimension (member attributes; ``dimension = ''`` is the whole program) the value of every
  :class:`~memberlens.metrics.compute.Additive` part (orders, revenue, new members, points
  issued / redeemed / expired, the net points of the day, …) and, valid for that day only,
  the distinct members of every :class:`~memberlens.metrics.compute.Distinct` metric.
* ``agg_member_month`` (fact, member_id, month, n, previous): per member and calendar month
  the number of paid orders, activity facts and redeem entries, flagged ``previous`` when
  the member has the same fact in the month before: the exact structure from which
  distinct members, repurchase and retention of any whole-month period (month, quarter,
  year) follow for every dimension, the ones labelled as of the period's end included.
* ``agg_order_chain`` (day, member_id, ordered_at, previous): every paid member order with
  the member's previous one, for the repurchase cycle and churned members.

:mod:`memberlens.metrics.refresh` builds and updates the tables. Here they are read:
:func:`current` says whether they reflect every load; :func:`aggregated` gives a
definition's value from them, or None where the raw tables must answer (medians, days,
splits of other periods, stale aggregates); :func:`series` gives many periods at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from memberlens.dates.periods import Grain, Period
from memberlens.engine.session import Session
from memberlens.engine.warehouse import LOADS_TABLE
from memberlens.metrics.compute import (
    DEFINITIONS,
    Additive,
    Breakage,
    Chain,
    CycleDays,
    Definition,
    Distinct,
    Lapsed,
    Repeat,
    Retained,
    points_expired,
    points_outstanding,
    points_redeemed,
    raw_chain,
)
from memberlens.metrics.dimensions import DIMENSIONS
from memberlens.metrics.scope import GROUP, Dimension, Scope
from memberlens.schema import TIME_COLUMNS

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "VERSION",
    "aggregated",
    "chain",
    "current",
    "daily_rows",
    "series",
    "spread",
    "state",
]

#: The layout of the aggregate tables; a warehouse holding another version is rebuilt
#: (layout 2 is upgraded in place: ``refresh._upgrade_2``).
VERSION = 3

DAILY_TABLE = "agg_daily"
MONTHLY_TABLE = "agg_member_month"
DAYS_TABLE = "agg_days"
MEMBERS_TABLE = "agg_members"
STATE_TABLE = "agg_state"
CHAIN_TABLE = "agg_order_chain"

#: source table → its time column: the tables the aggregates read
SOURCES = TIME_COLUMNS
#: at most this many periods are computed in one pass (one pair of columns per period)
ONE_PASS = 40


def parts() -> dict[str, Additive]:
    """The additive parts of the catalog by name (a cumulative metric shares its daily part)."""
    found: dict[str, Additive] = {}
    for definition in DEFINITIONS.values():
        if isinstance(definition, Additive):
            found.setdefault(definition.part, replace(definition, cumulative=False))
    return found


def distinct_parts() -> dict[str, Distinct]:
    """The per-day distinct members of each :class:`Distinct` metric, by part name."""
    return {f"distinct_{d.facts.name}": d for d in DEFINITIONS.values() if isinstance(d, Distinct)}


def fixed_dimensions() -> list[Dimension]:
    """The dimensions whose labels do not depend on the period: aggregated per day."""
    return [d for d in DIMENSIONS.values() if d.fixed]


# -- state ---------------------------------------------------------------------------------


def state(session: Session) -> dict[str, str]:
    """The stored ``agg_state`` (layout version, last load reflected); empty before any."""
    if not session.has_table(STATE_TABLE):
        return {}
    t = session.table(STATE_TABLE)
    return {row["key"]: row["value"] for row in session.rows(t)}


def current(session: Session) -> bool:
    """Whether the aggregates exist in this layout and no load into a table they read has
    happened since they were refreshed."""
    import duckdb

    if not isinstance(getattr(session.backend, "con", None), duckdb.DuckDBPyConnection):
        return False
    memo, key = session.memo, ("_aggregates", "current")
    if memo is not None and key in memo:
        return bool(memo[key])
    found = _current(session)
    if memo is not None:
        memo[key] = found
    return found


def _current(session: Session) -> bool:
    stored = state(session)
    if stored.get("version") != str(VERSION):
        return False
    loads = session.table(LOADS_TABLE)
    later = loads.filter(
        (loads.load_id > int(stored.get("load_id", "0"))) & loads.table_name.isin(list(SOURCES))
    )
    return int(session.scalar(later.count())) == 0


# -- reading -------------------------------------------------------------------------------


def _aligned(period: Period) -> bool:
    """Whether the period is whole calendar months (month, quarter, year, or such a range)."""
    return period.first.day == 1 and period.end.day == 1


def dimension_id(by: Dimension | None) -> str:
    """The ``dimension`` column of ``agg_daily`` for a split ('' for the whole program)."""
    return "" if by is None else by.id


def _daily_value(s: Scope, part: str, first: date, end: date | None) -> ir.Table:
    """Sum of ``part`` over the days ``first`` .. before ``end`` (per group when splitting)."""
    t = s.table(DAILY_TABLE)
    keep = (t.dimension == dimension_id(s.by)) & (t.part == part) & (t.day >= first)
    if end is not None:
        keep &= t.day < end
    t = t.filter(keep)
    if s.by is None:
        return t.aggregate(value=t.value.sum())
    return t.group_by(t.grp.name(GROUP)).aggregate(value=t.value.sum())


def _members(s: Scope, fact: str, period: Period) -> ir.Table:
    """(member_id, n) of the member structure over the months of ``period``."""
    t = s.table(MONTHLY_TABLE)
    t = t.filter((t.fact == fact) & (t.month >= period.first) & (t.month < period.end))
    return t.select("member_id", "n")


def _value_type(s: Scope, definition: Definition) -> Any:
    """The type of ``definition``'s value on the raw tables (the aggregates answer in it),
    worked out once per session and split."""
    key = ("value_type", definition, dimension_id(s.by))
    if key not in s.session.known:
        s.session.known[key] = definition(s).schema()["value"]
    return s.session.known[key]


def aggregated(s: Scope, definition: Definition) -> ir.Table | None:
    """``definition``'s rows for the scope, read from the aggregates; None where the raw
    tables must answer. The caller checks that the aggregates are :func:`current`."""
    if s.days:
        return None
    fixed = s.by is None or s.by.fixed
    if isinstance(definition, Additive) and fixed:
        first = date.min if definition.cumulative else s.period.first
        t = _daily_value(s, definition.part, first, s.period.end)
        dtype = _value_type(s, definition)
        value = t.value.fill_null(0) if definition.zero else t.value
        return t.mutate(value=value.cast(dtype))
    if isinstance(definition, Distinct):
        if s.period.grain is Grain.DAY and fixed:
            t = _daily_value(s, f"distinct_{definition.facts.name}", s.period.first, s.period.end)
            dtype = _value_type(s, definition)
            return t.mutate(value=t.value.fill_null(0).cast(dtype))
        if _aligned(s.period):
            members = s.tag(_members(s, definition.facts.name, s.period))
            return Distinct.count(s, members)
        return None
    if isinstance(definition, Breakage) and fixed:
        return _breakage(s, [s.period]).drop("k")
    if isinstance(definition, CycleDays):
        return definition(s, _stored_chain(s))
    if isinstance(definition, Lapsed):
        wide = definition.chained(s, _stored_chain(s)(date.min, s.period.end), [s.period])
        if s.by is None:
            return wide.select(value=wide._v0)
        return wide.filter(wide._n0 > 0).select(GROUP, value=wide._v0)
    if isinstance(definition, Repeat) and _aligned(s.period):
        m = _members(s, definition.facts.name, s.period)
        return Repeat.rate(s, m.group_by("member_id").agg(n=m.n.sum()))
    if isinstance(definition, Retained) and s.period.grain is Grain.MONTH:
        t = _retained(s, definition.facts.name, [(s.period.previous().first, s.period.first)])
        return _retained_rate(s, t)
    if isinstance(definition, Retained) and _aligned(s.period):
        previous = s.period.previous()
        if not _aligned(previous):
            return None
        before = _members(s, definition.facts.name, previous).select("member_id").distinct()
        now = _members(s, definition.facts.name, s.period).select("member_id").distinct()
        return Retained.rate(s, before, now)
    return None


def _retained(s: Scope, fact: str, months: Sequence[tuple[date, date]]) -> ir.Table:
    """For each (earlier, later) pair of consecutive months: the members with ``fact`` in the
    earlier month (``base`` 1) and those of the later month who had it the month before
    (``kept`` 1: the stored ``previous`` flag), both labelled with the later month and
    tagged. No join of two months' members: the refresh set the flags."""
    m = s.table(MONTHLY_TABLE)
    shift = ibis.memtable({"earlier": [a for a, _ in months], "later": [b for _, b in months]})
    b = m.filter((m.fact == fact) & m.month.isin([a for a, _ in months]))
    b = b.join(shift, b.month == shift.earlier)
    before = b.select("member_id", month=b.later, base=ibis.literal(1), kept=ibis.literal(0))
    now = m.filter((m.fact == fact) & m.month.isin([b for _, b in months]) & m.previous)
    now = now.select("member_id", "month", base=ibis.literal(0), kept=ibis.literal(1))
    return s.tag(before.union(now))


def _retained_share(t: ir.Table) -> ir.FloatingScalar:
    """Retention from :func:`_retained`'s rows: as :meth:`Retained.share` (kept / earlier
    members, null without earlier members)."""
    return t.kept.sum() / t.base.sum().nullif(0)


def _retained_rate(s: Scope, t: ir.Table) -> ir.Table:
    """One period's retention rows from :func:`_retained`'s rows: only groups with earlier
    members, as the raw tables give them."""
    if s.by is None:
        return t.aggregate(value=_retained_share(t))
    grouped = t.group_by(GROUP).aggregate(value=_retained_share(t), _base=t.base.sum())
    return grouped.filter(grouped._base > 0).drop("_base")


def chain(s: Scope) -> Chain:
    """Paid member orders, each with the member's previous one (``compute.Chain``): the
    stored chain when the aggregates are current, else :func:`with_previous` over the raw
    orders. The same rows either way."""
    return _stored_chain(s) if current(s.session) else raw_chain(s)


def _stored_chain(s: Scope) -> Chain:
    """The stored chain of paid member orders, each with the member's previous one."""
    t = s.table(CHAIN_TABLE)

    def rows(first: date, end: date) -> ir.Table:
        keep = t.day < end if first == date.min else (t.day >= first) & (t.day < end)
        return t.filter(keep).drop("day")

    return rows


#: the parts breakage is derived from: points expired, redeemed, and every entry (its groups)
BREAKAGE_PARTS = (points_expired.part, points_redeemed.part, points_outstanding.part)


def _breakage(s: Scope, periods: Sequence[Period]) -> ir.Table:
    """The breakage rate up to the end of each of ``periods`` (column k: its position) from
    the daily parts: the same integers as the raw points, so the same value. A group is
    listed when it has any points entry by then, as on the raw table."""
    expired, redeemed, entries = BREAKAGE_PARTS
    ends = ibis.memtable({"k": list(range(len(periods))), "hi": [p.end for p in periods]})
    t = s.table(DAILY_TABLE)
    t = t.filter((t.dimension == dimension_id(s.by)) & t.part.isin(list(BREAKAGE_PARTS)))
    t = t.join(ends, t.day < ends.hi)

    def total(part: str) -> ir.IntegerScalar:
        return t.value.sum(where=t.part == part).fill_null(0).cast("int64")

    sums = {"e": total(expired), "r": total(redeemed), "n": t.count(where=t.part == entries)}
    keys = [t.k, *([t.grp.name(GROUP)] if s.by is not None else [])]
    per = t.group_by(keys).aggregate(**sums)
    if s.by is not None:
        per = per.filter(per.n > 0)
    else:  # one row per period, also before any entry (as the raw aggregate gives)
        per = ends.select("k").left_join(per, "k").drop("k_right")
        per = per.mutate(e=per.e.fill_null(0), r=per.r.fill_null(0))
    columns = [per.k, *([per[GROUP]] if s.by is not None else [])]
    return per.select(*columns, value=Breakage.rate(per.e, per.r))


def daily_rows(s: Scope, part: str, definition: Definition) -> pl.DataFrame:
    """Rows (day, [group], value) of a definition on a per-day scope: from the aggregates
    when they are current and the split is fixed, else from the raw tables."""
    import polars as pl

    session = s.session
    fixed = s.by is None or s.by.fixed
    name = (
        definition.part
        if isinstance(definition, Additive)
        else f"distinct_{definition.facts.name}"
        if isinstance(definition, Distinct)
        else None
    )
    if name is None or not fixed or not current(session):
        return session.frame(definition(s))
    t = session.table(DAILY_TABLE)
    t = t.filter(
        (t.dimension == dimension_id(s.by))
        & (t.part == name)
        & (t.day >= s.period.first)
        & (t.day < s.period.end)
    )
    dtype = _value_type(s, definition)
    columns: dict[str, Any] = {"day": t.day}
    if s.by is not None:
        columns[GROUP] = t.grp
    frame = session.frame(t.select(**columns, value=t.value.cast(dtype)))
    return frame.with_columns(pl.col("day").cast(pl.Date))


# -- many periods at once ------------------------------------------------------------------

Rows = list[dict[str, Any]]


def series(
    session: Session,
    definitions: Iterable[Definition],
    periods: Sequence[Period],
    by: Dimension | None = None,
) -> dict[Period, dict[Definition, Rows]]:
    """The rows of those ``definitions`` the aggregates can give for all ``periods`` at once,
    by period: one query for every additive part together and one per member-structure
    metric, where :func:`aggregated` runs one per definition and period (a year of monthly
    headline values: five queries instead of a hundred). The values are :func:`aggregated`'s
    to the last digit: sums of exact decimals, converted in Python to the definition's
    integer or decimal type (a part of another type is left to :func:`aggregated`), and the
    same ratio expressions grouped by month. A definition not answered here is missing from
    a period's dict; the caller checks that the aggregates are :func:`current`."""
    found: dict[Period, dict[Definition, Rows]] = {p: {} for p in periods}
    if len(periods) < 2 or not (by is None or by.fixed):
        return found
    unique = list(dict.fromkeys(definitions))
    s = Scope(session, periods[0], by)
    _additive_series(s, unique, periods, found)
    for d in unique:
        if isinstance(d, Breakage):
            rows = s.session.arrow(_breakage(s, periods)).to_pylist()
            for i, period in enumerate(periods):
                found[period][d] = [
                    {k: v for k, v in row.items() if k != "k"} for row in rows if row["k"] == i
                ]
    for d in unique if len(periods) <= ONE_PASS else ():
        if isinstance(d, CycleDays):
            wide = d.over(s, periods, _stored_chain(s))
        elif isinstance(d, Lapsed):
            wide = d.chained(s, _stored_chain(s)(date.min, max(p.end for p in periods)), periods)
        else:
            continue
        for period, rows in spread(session.arrow(wide).to_pylist(), periods, by).items():
            found[period][d] = rows
    if all(p.grain is Grain.MONTH and _aligned(p) for p in periods):
        _monthly_series(s, unique, periods, found)
    return found


def spread(wide: Rows, periods: Sequence[Period], by: Dimension | None) -> dict[Period, Rows]:
    """The rows of each period from one pass's wide rows (:meth:`Scope.each`: the value of
    period k in ``_v{k}``; a group without facts in period k is no row of it)."""
    if by is None:
        return {p: [{"value": wide[0][f"_v{k}"]}] for k, p in enumerate(periods)}
    return {
        p: [{GROUP: row[GROUP], "value": row[f"_v{k}"]} for row in wide if row[f"_n{k}"]]
        for k, p in enumerate(periods)
    }


def _exact(dtype: Any) -> bool:
    """Whether a decimal sum converts to ``dtype`` exactly (integers; decimals with at
    least the stored scale)."""
    return bool(dtype.is_integer() or (dtype.is_decimal() and (dtype.scale or 0) >= 4))


def _additive_series(
    s: Scope,
    definitions: Sequence[Definition],
    periods: Sequence[Period],
    found: dict[Period, dict[Definition, Rows]],
) -> None:
    """Additive parts (and per-day distinct members of day periods) for every period: the
    daily sums of each period in one query; a cumulative part adds the periods' sums to
    what came before the first (periods one after another only)."""
    days = all(p.grain is Grain.DAY for p in periods)
    consecutive = all(a.end == b.first for a, b in pairwise(periods))
    wanted: dict[str, list[tuple[Definition, bool, bool]]] = {}  # part: (definition, zero, cum.)
    for d in definitions:
        if isinstance(d, Additive) and (consecutive or not d.cumulative):
            entry = (d.part, d.zero, d.cumulative)
        elif isinstance(d, Distinct) and days:
            entry = (f"distinct_{d.facts.name}", True, False)
        else:
            continue
        if _exact(_value_type(s, d)):
            wanted.setdefault(entry[0], []).append((d, entry[1], entry[2]))
    if not wanted:
        return
    spans = [(k, p.first, p.end) for k, p in enumerate(periods)]
    if any(cumulative for entries in wanted.values() for _, _, cumulative in entries):
        spans.append((-1, date.min, periods[0].first))
    k, lo, hi = zip(*spans, strict=True)
    bounds = ibis.memtable({"k": list(k), "lo": list(lo), "hi": list(hi)})
    t = s.table(DAILY_TABLE)
    t = t.filter((t.dimension == dimension_id(s.by)) & t.part.isin(list(wanted)))
    j = t.join(bounds, (t.day >= bounds.lo) & (t.day < bounds.hi))
    sums = j.group_by([j.part, j.k, j.grp]).aggregate(value=j.value.sum())
    per: dict[tuple[str, int], dict[str, Any]] = {}
    for row in s.session.arrow(sums).to_pylist():
        per.setdefault((row["part"], row["k"]), {})[row["grp"]] = row["value"]
    for name, entries in wanted.items():
        for d, zero, cumulative in entries:
            integer = _value_type(s, d).is_integer()
            running: dict[str, Any] = dict(per.get((name, -1), {})) if cumulative else {}
            for i, period in enumerate(periods):
                sums_of = per.get((name, i), {})
                if cumulative:
                    for group, value in sums_of.items():
                        running[group] = running.get(group, 0) + value
                    sums_of = running
                found[period][d] = _summed_rows(sums_of, s.by is not None, zero, integer)


def _summed_rows(sums: dict[str, Any], split: bool, zero: bool, integer: bool) -> Rows:
    """Rows of summed values by group ('' without a split), as :func:`aggregated` gives
    them: no facts give 0 (``zero``) or null, and only groups with facts are listed."""

    def plain(value: Any) -> Any:
        return None if value is None else int(value) if integer else value

    if not split:
        value = sums.get("")
        return [{"value": plain(0 if value is None and zero else value)}]
    return [{GROUP: group, "value": plain(value)} for group, value in sums.items()]


def _monthly_series(
    s: Scope,
    definitions: Sequence[Definition],
    periods: Sequence[Period],
    found: dict[Period, dict[Definition, Rows]],
) -> None:
    """Distinct members, repurchase and retention of every calendar month of ``periods``
    from the member structure, one query per definition grouped by month. A member has at
    most one row per fact and month, so the members of a month are its rows (a count, not
    a distinct count) and no row needs de-duplicating."""
    months = [p.first for p in periods]
    m = s.table(MONTHLY_TABLE)
    for d in definitions:
        if isinstance(d, Distinct | Repeat):
            t = m.filter((m.fact == d.facts.name) & m.month.isin(months))
            t = s.tag(t.select("member_id", "month", "n"))
            value = t.count() if isinstance(d, Distinct) else Repeat.share(t)
        elif isinstance(d, Retained):
            t = _retained(s, d.facts.name, [(p.previous().first, p.first) for p in periods])
            value = _retained_share(t)
        else:
            continue
        keys = [t.month, *([t[GROUP]] if s.by is not None else [])]
        grouped = t.group_by(keys).aggregate(value=value)
        if isinstance(d, Retained):  # the months' groups with earlier members only
            grouped = t.group_by(keys).aggregate(value=value, _base=t.base.sum())
            grouped = grouped.filter(grouped._base > 0).drop("_base")
        by_month: dict[date, Rows] = {}
        for row in s.session.arrow(grouped).to_pylist():
            kept = {GROUP: row[GROUP]} if s.by is not None else {}
            by_month.setdefault(row["month"], []).append({**kept, "value": row["value"]})
        empty = [{"value": 0 if isinstance(d, Distinct) else None}] if s.by is None else []
        for period in periods:
            found[period][d] = by_month.get(period.first, empty)
