"""Daily aggregates: the additive parts of the catalog per day and group, materialised once.

Two tables in the warehouse, built from the catalog's own definitions (no SQL of their own):

* ``agg_daily`` (dimension, grp, day, part, value): per local day and group of every fixed
  dimension (member attributes; ``dimension = ''`` is the whole program) the value of every
  :class:`~memberlens.metrics.compute.Additive` part (orders, revenue, new members, points
  issued / redeemed / expired, the net points of the day, …) and, valid for that day only,
  the distinct members of every :class:`~memberlens.metrics.compute.Distinct` metric.
* ``agg_member_month`` (fact, member_id, month, n): per member and calendar month the
  number of paid orders, activity facts and redeem entries: the exact structure from which
  distinct members, repurchase and retention of any whole-month period (month, quarter,
  year) follow for every dimension, the ones labelled as of the period's end included.

:func:`refresh` appends new days and re-aggregates the days a later load changed: per day
and source table it keeps a fingerprint (row count and the sum of a 64-bit hash of every
row), and per member a hash of the member's row; a load changes the fingerprint of exactly
the days whose rows it added or replaced, and a changed member attribute moves that member's
facts between groups on the days they happened. :func:`current` says whether the tables
reflect every load; :func:`aggregated` gives a definition's value from them, or None where
the raw tables must answer (medians, days, splits of other periods, stale aggregates).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from memberlens.dates.periods import Grain, Period
from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.engine.warehouse import LOAD_DAYS_TABLE, LOADS_TABLE, quote
from memberlens.errors import InputError
from memberlens.metrics.compute import (
    DEFINITIONS,
    MEMBER_FACTS,
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
    with_previous,
)
from memberlens.metrics.dimensions import DIMENSIONS
from memberlens.metrics.scope import GROUP, Dimension, Scope
from memberlens.progress import Progress, Silent
from memberlens.schema import TABLES, TIME_COLUMNS

if TYPE_CHECKING:
    import duckdb
    import polars as pl

__all__ = [
    "VERSION",
    "Refreshed",
    "aggregated",
    "chain",
    "current",
    "daily_rows",
    "refresh",
    "series",
]

#: The layout of the aggregate tables; a warehouse holding another version is rebuilt
#: (layout 2 is upgraded in place: :func:`_upgrade_2`).
VERSION = 3

DAILY_TABLE = "agg_daily"
MONTHLY_TABLE = "agg_member_month"
DAYS_TABLE = "agg_days"
MEMBERS_TABLE = "agg_members"
STATE_TABLE = "agg_state"
CHAIN_TABLE = "agg_order_chain"

#: source table → its time column: the tables the aggregates read
SOURCES = TIME_COLUMNS
#: the tables whose facts carry a member (a changed member moves them between groups)
MEMBER_SOURCES = ("orders", "points", "events")

_VALUE = "decimal(38, 4)"

#: at most this many periods are computed in one pass (one pair of columns per period)
ONE_PASS = 40

#: a refresh of at most this many days reads them from copies of their rows (:func:`_narrowed`)
NARROW_DAYS = 92


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


@dataclass(frozen=True)
class Refreshed:
    """What :func:`refresh` did: the days re-aggregated, the months of the member structure
    rebuilt, and whether everything was rebuilt (first run or a new layout)."""

    days: tuple[date, ...]
    months: tuple[date, ...]
    rebuilt: bool
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "days": len(self.days),
            "first_day": self.days[0].isoformat() if self.days else None,
            "last_day": self.days[-1].isoformat() if self.days else None,
            "months": len(self.months),
            "rebuilt": self.rebuilt,
            "seconds": round(self.seconds, 3),
        }


# -- state ---------------------------------------------------------------------------------


def _con(session: Session) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = getattr(session.backend, "con", None)
    if not isinstance(con, duckdb.DuckDBPyConnection):
        raise InputError(
            "Daily aggregates are kept in the DuckDB warehouse; with another engine the "
            "metrics read the raw tables.",
            parameter="session",
        )
    return con


def _state(session: Session) -> dict[str, str]:
    if not session.has_table(STATE_TABLE):
        return {}
    t = session.table(STATE_TABLE)
    return {row["key"]: row["value"] for row in session.rows(t)}


def _last_load(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute(f"SELECT coalesce(max(load_id), 0) FROM {LOADS_TABLE}").fetchall()[0][0])


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
    state = _state(session)
    if state.get("version") != str(VERSION):
        return False
    loads = session.table(LOADS_TABLE)
    later = loads.filter(
        (loads.load_id > int(state.get("load_id", "0"))) & loads.table_name.isin(list(SOURCES))
    )
    return int(session.scalar(later.count())) == 0


# -- reading -------------------------------------------------------------------------------


def _aligned(period: Period) -> bool:
    """Whether the period is whole calendar months (month, quarter, year, or such a range)."""
    return period.first.day == 1 and period.end.day == 1


def _dimension_id(by: Dimension | None) -> str:
    return "" if by is None else by.id


def _daily_value(s: Scope, part: str, first: date, end: date | None) -> ir.Table:
    """Sum of ``part`` over the days ``first`` .. before ``end`` (per group when splitting)."""
    t = s.table(DAILY_TABLE)
    keep = (t.dimension == _dimension_id(s.by)) & (t.part == part) & (t.day >= first)
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
    key = ("value_type", definition, _dimension_id(s.by))
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
    t = t.filter((t.dimension == _dimension_id(s.by)) & t.part.isin(list(BREAKAGE_PARTS)))
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
        (t.dimension == _dimension_id(s.by))
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
    t = t.filter((t.dimension == _dimension_id(s.by)) & t.part.isin(list(wanted)))
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


# -- refreshing ----------------------------------------------------------------------------


def _fingerprints(source: str, only: str | None = None) -> str:
    """SQL: per local day of ``source``, its row count and the sum of its rows' hashes
    (``only``: of the days in that table's ``day`` column)."""
    columns = ", ".join(quote(c.name) for c in TABLES[source].columns)
    day = f"CAST({quote(SOURCES[source])} AS DATE)"
    where = f" WHERE {day} IN (SELECT day FROM {only})" if only else ""
    return (
        f"SELECT '{source}' AS source, {day} AS day, count(*) AS n, "
        f"sum(CAST(hash({columns}) AS HUGEINT)) AS h FROM {quote(source)}{where} GROUP BY 2"
    )


def _recorded(con: duckdb.DuckDBPyConnection, source: str, after: int) -> list[date] | None:
    """The days the loads of ``source`` after load ``after`` recorded (added or replaced
    rows), or None when one of them did not record its days (a load by an older version)."""
    loads = con.execute(
        f"SELECT load_id FROM {LOADS_TABLE} WHERE table_name = ? AND load_id > ? "
        f"EXCEPT SELECT load_id FROM {LOAD_DAYS_TABLE} WHERE table_name = ? AND day IS NULL",
        [source, after, source],
    ).fetchall()
    if loads:
        return None
    rows = con.execute(
        f"SELECT DISTINCT day FROM {LOAD_DAYS_TABLE} "
        "WHERE table_name = ? AND load_id > ? AND day IS NOT NULL ORDER BY 1",
        [source, after],
    ).fetchall()
    return [row[0] for row in rows]


def _member_hashes(session: Session) -> str:
    """SQL: per member, a hash of the member's labels in every fixed dimension."""
    today = date.today()
    s = Scope(session, Period(Grain.DAY, today, today))  # fixed labels ignore the period
    m = session.table("members").select("member_id")
    names = []
    for i, d in enumerate(fixed_dimensions()):
        labels = d.labels(s).rename(_member="member_id", **{f"_g{i}": GROUP})
        m = m.left_join(labels, m.member_id == labels._member).drop("_member")
        names.append(quote(f"_g{i}"))
    sql = ibis.to_sql(m, dialect="duckdb")
    return f"SELECT member_id, hash({', '.join(names)}) AS h FROM ({sql})"


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {DAILY_TABLE} (dimension VARCHAR, grp VARCHAR, day DATE, "
        f"part VARCHAR, value DECIMAL(38, 4))"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {MONTHLY_TABLE} "
        "(fact VARCHAR, member_id VARCHAR, month DATE, n BIGINT, previous BOOLEAN)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {DAYS_TABLE} (source VARCHAR, day DATE, n BIGINT, h HUGEINT)"
    )
    con.execute(f"CREATE TABLE IF NOT EXISTS {MEMBERS_TABLE} (member_id VARCHAR, h UBIGINT)")
    con.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (key VARCHAR, value VARCHAR)")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} "
        "(day DATE, member_id VARCHAR, ordered_at TIMESTAMP, previous TIMESTAMP)"
    )


def _drop(con: duckdb.DuckDBPyConnection) -> None:
    for table in (
        DAILY_TABLE,
        MONTHLY_TABLE,
        DAYS_TABLE,
        MEMBERS_TABLE,
        STATE_TABLE,
        CHAIN_TABLE,
    ):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _changed_days(
    con: duckdb.DuckDBPyConnection, sources: Iterable[str], after: int | None
) -> dict[str, set[date]]:
    """Per source, the days whose fingerprint differs from the stored one; the stored
    fingerprints of those days are replaced by the current ones.

    Only the days the loads after load ``after`` recorded can differ, so only theirs are
    computed; every day's when a load did not record them or ``after`` is None (a rebuild)."""
    days: dict[str, set[date]] = {}
    for source in sources:
        recorded = None if after is None else _recorded(con, source, after)
        only = ""
        if recorded is not None:
            con.execute("CREATE OR REPLACE TEMP TABLE _candidates (day DATE)")
            con.executemany("INSERT INTO _candidates VALUES (?)", [[d] for d in recorded])
            only = " AND day IN (SELECT day FROM _candidates)"
        table = None if recorded is None else "_candidates"
        con.execute(f"CREATE OR REPLACE TEMP TABLE _fp AS {_fingerprints(source, table)}")
        rows = con.execute(
            f"""SELECT coalesce(a.day, b.day) FROM _fp a
                FULL JOIN (SELECT * FROM {DAYS_TABLE} WHERE source = ?{only}) b ON a.day = b.day
                WHERE a.n IS DISTINCT FROM b.n OR a.h IS DISTINCT FROM b.h""",
            [source],
        ).fetchall()
        days[source] = {row[0] for row in rows}
        con.execute(f"DELETE FROM {DAYS_TABLE} WHERE source = ?{only}", [source])
        con.execute(f"INSERT INTO {DAYS_TABLE} SELECT * FROM _fp")
        con.execute("DROP TABLE _fp")
        con.execute("DROP TABLE IF EXISTS _candidates")
    return days


def _moved_days(con: duckdb.DuckDBPyConnection, session: Session) -> set[date]:
    """Days with facts of members whose labels in a fixed dimension changed (they moved
    between groups); the stored member hashes are replaced by the current ones."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _mh AS {_member_hashes(session)}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _moved AS
            SELECT member_id FROM _mh ANTI JOIN {MEMBERS_TABLE} USING (member_id, h)"""
    )
    facts = " UNION ".join(
        f"SELECT DISTINCT CAST({quote(SOURCES[s])} AS DATE) FROM {quote(s)} SEMI JOIN _moved "
        "USING (member_id)"
        for s in MEMBER_SOURCES
    )
    days = {row[0] for row in con.execute(facts).fetchall()}
    con.execute(f"DELETE FROM {MEMBERS_TABLE}")
    con.execute(f"INSERT INTO {MEMBERS_TABLE} SELECT * FROM _mh")
    con.execute("DROP TABLE _mh")
    con.execute("DROP TABLE _moved")
    return days


def _runs(months: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive months as (first day, last day) runs."""
    runs: list[tuple[date, date]] = []
    for month in sorted(months):
        last = _next_month(month) - timedelta(days=1)
        if runs and month == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], last)
        else:
            runs.append((month, last))
    return runs


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _daily_selects(session: Session, days: Sequence[date], every: bool) -> Iterable[ir.Table]:
    """Every part of every fixed dimension per day of ``days`` (``every``: all the days
    from the first to the last, so no day filter is needed)."""
    period = Period(Grain.RANGE, days[0], days[-1])
    only = None if every else tuple(days)
    named: dict[str, Definition] = {**parts(), **distinct_parts()}
    for by in [None, *fixed_dimensions()]:
        s = Scope(session, period, by, days=True, only=only)
        for name, definition in named.items():
            t = definition(s)
            yield t.select(
                dimension=ibis.literal(_dimension_id(by)),
                grp=t[GROUP] if by is not None else ibis.literal("", "string"),
                day=t.day,
                part=ibis.literal(name),
                value=t.value.cast(_VALUE),
            )


def _narrowed(session: Session, days: Sequence[date], every: bool) -> Session:
    """A session whose source tables hold only what the parts of ``days`` read: temporary
    copies of the orders, points entries and events of those days, and of the members
    registered on them or with one of those facts, each with the columns the parts name
    (the rest of a wide row costs most to read when the day's rows lie scattered). Every
    part is a fact of its own day and the fixed dimensions label a member from the member's
    own row, so each part has the same value as on the whole tables, at the cost of the
    days' rows, not the history's."""
    used = _named(_daily_selects(session, days, every))
    known: dict[Any, Any] = {}

    def copy(source: str, rows: ir.Table) -> ir.Table:
        kept = [c for c in rows.columns if c in used or c in ("member_id", SOURCES[source])]
        return session.backend.create_table(f"_n_{source}", rows.select(*kept), temp=True)

    for source in MEMBER_SOURCES:
        t = session.table(source)
        time = t[SOURCES[source]]
        known[("table", source)] = copy(
            source,
            t.filter(
                (time >= at_midnight(days[0]))
                & (time < at_midnight(days[-1] + timedelta(days=1)))
                & time.date().isin(list(days))
            ),
        )
    ids = ibis.union(*(known[("table", s)].select("member_id") for s in MEMBER_SOURCES))
    m = session.table("members")
    registered = m.registered_at.date().isin(list(days))
    known[("table", "members")] = copy(
        "members", m.filter(registered | m.member_id.isin(ids.member_id))
    )
    return replace(session, known=known)


def _named(expressions: Iterable[ir.Table]) -> set[str]:
    """The names of the columns ``expressions`` compute with: every field except those a
    projection only passes on under their own name (a filtered, labelled table carries
    every column of its source, and names each in its projection)."""
    import ibis.expr.operations as ops
    from ibis.common.graph import Graph

    used: set[str] = set()
    for expression in expressions:
        for node, children in Graph.from_bfs(expression.op()).items():
            passed = set()
            if isinstance(node, ops.Project | ops.JoinChain):
                passed = {
                    v for k, v in node.values.items() if isinstance(v, ops.Field) and v.name == k
                }
            used |= {c.name for c in children if isinstance(c, ops.Field) and c not in passed}
    return used


def _drop_narrowed(con: duckdb.DuckDBPyConnection) -> None:
    for source in ("members", *MEMBER_SOURCES):
        con.execute(f"DROP TABLE IF EXISTS temp.{quote('_n_' + source)}")


def _monthly_selects(session: Session, first: date, last: date) -> Iterable[ir.Table]:
    """The member structure of the calendar months ``first`` .. ``last``."""
    s = Scope(session, Period(Grain.RANGE, first, last))
    for facts in MEMBER_FACTS:
        t = facts.during(s)
        t = t.filter(t.member_id.notnull())
        month = t[facts.time].truncate("M").date().name("month")
        t = t.group_by([t.member_id, month]).agg(n=ibis._.count())
        yield t.select(fact=ibis.literal(facts.name), member_id=t.member_id, month=t.month, n=t.n)


#: the run of months being rebuilt, before its rows get their ``previous`` flags
_RUN = "_member_months"
_MONTH_ROWS = "(fact VARCHAR, member_id VARCHAR, month DATE, n BIGINT)"


def _flagged(con: duckdb.DuckDBPyConnection, source: str, month: date) -> None:
    """Append ``month``'s rows of the member structure from ``source``, each flagged
    ``previous`` when the member has the same fact in the month before (stored already:
    months are appended in order). Retention reads the flags instead of joining months."""
    before = (month - timedelta(days=1)).replace(day=1)
    con.execute(
        f"INSERT INTO {MONTHLY_TABLE} "
        "SELECT t.fact, t.member_id, t.month, t.n, p.member_id IS NOT NULL "
        f"FROM {source} AS t LEFT JOIN (SELECT fact, member_id FROM {MONTHLY_TABLE} "
        "WHERE month = ?) AS p ON p.fact = t.fact AND p.member_id = t.member_id "
        "WHERE t.month = ?",
        [before, month],
    )


def _reflag(con: duckdb.DuckDBPyConnection, month: date) -> None:
    """Set the ``previous`` flags of the stored ``month`` again (the month before it was
    rebuilt); nothing when that month has no rows."""
    kept = f"_{MONTHLY_TABLE}_kept"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {kept} AS "
        f"SELECT fact, member_id, month, n FROM {MONTHLY_TABLE} WHERE month = ?",
        [month],
    )
    if con.execute(f"SELECT count(*) FROM {kept}").fetchall()[0][0]:
        con.execute(f"DELETE FROM {MONTHLY_TABLE} WHERE month = ?", [month])
        _flagged(con, kept, month)
    con.execute(f"DROP TABLE {kept}")


def _upgrade_2(con: duckdb.DuckDBPyConnection) -> None:
    """Layout 2 → 3: the member structure gains its ``previous`` flags, month by month,
    instead of a rebuild of every aggregate."""
    con.execute(f"ALTER TABLE {MONTHLY_TABLE} ADD COLUMN previous BOOLEAN")
    months = con.execute(f"SELECT DISTINCT month FROM {MONTHLY_TABLE} ORDER BY month").fetchall()
    for (month,) in months:
        _reflag(con, month)


def _rechain(con: duckdb.DuckDBPyConnection, session: Session, first: date) -> None:
    """The chain of paid member orders from ``first`` on, again: a change on a day alters
    the previous order of no order before it. In time order, so a period's rows are read
    from few row groups."""
    s = Scope(session, Period(Grain.DAY, first, first))
    t = with_previous(s, first, date(9999, 12, 31))
    rows = t.select(
        day=t.ordered_at.date(), member_id=t.member_id, ordered_at=t.ordered_at, previous=t.previous
    ).order_by("ordered_at", "member_id")
    con.execute(f"DELETE FROM {CHAIN_TABLE} WHERE day >= ?", [first])
    _insert(con, CHAIN_TABLE, rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, expression: ir.Table) -> None:
    con.execute(f"INSERT INTO {table} {ibis.to_sql(expression, dialect='duckdb')}")


def refresh(
    session: Session, days: Sequence[date] | None = None, progress: Progress | None = None
) -> Refreshed:
    """Bring the daily aggregates up to date with the warehouse, in one transaction.

    New days are appended; days whose rows a later load added or replaced (and the days of
    the facts of members whose attributes changed) are aggregated again, and no others.
    ``days`` names days to re-aggregate in any case (e.g. the day a daily run loaded). The
    session must hold a writable DuckDB connection (``Workspace.refresh_aggregates``).
    """
    import time

    clock = time.perf_counter()
    progress = progress or Silent()
    con = _con(session)
    con.execute("BEGIN TRANSACTION")
    try:
        state = _state(session)
        if state.get("version") == "2":
            _upgrade_2(con)
            state["version"] = str(VERSION)
        rebuilt = state.get("version") != str(VERSION)
        if rebuilt:
            _drop(con)
        _create(con)
        last_seen = 0 if rebuilt else int(state.get("load_id", "0"))
        loaded = {
            row[0]
            for row in con.execute(
                f"SELECT DISTINCT table_name FROM {LOADS_TABLE} WHERE load_id > ?", [last_seen]
            ).fetchall()
        }
        sources = [s for s in SOURCES if s in loaded]
        changed = _changed_days(con, sources, None if rebuilt else last_seen)
        touched = set().union(*changed.values())
        if "members" in sources:
            touched |= _moved_days(con, session)
        touched |= set(days or ())
        ordered = sorted(touched)
        months = sorted({d.replace(day=1) for d in ordered})
        steps = len(parts()) + len(distinct_parts())
        total = (steps * (1 + len(fixed_dimensions())) if ordered else 0) + len(MEMBER_FACTS) * len(
            _runs(months)
        )
        progress.start("aggregates", total=total, unit="steps")
        done = 0
        if ordered:
            con.execute("CREATE OR REPLACE TEMP TABLE _touched (day DATE)")
            con.executemany("INSERT INTO _touched VALUES (?)", [[d] for d in ordered])
            con.execute(f"DELETE FROM {DAILY_TABLE} WHERE day IN (SELECT day FROM _touched)")
            con.execute("DROP TABLE _touched")
            every = (ordered[-1] - ordered[0]).days + 1 == len(ordered)
            few = not rebuilt and len(ordered) <= NARROW_DAYS
            source = _narrowed(session, ordered, every) if few else session
            for expression in _daily_selects(source, ordered, every):
                _insert(con, DAILY_TABLE, expression)
                done += 1
                progress.update(done)
            _drop_narrowed(con)
        for first, last in _runs(months):
            con.execute(
                f"DELETE FROM {MONTHLY_TABLE} WHERE month >= ? AND month <= ?", [first, last]
            )
            con.execute(f"CREATE OR REPLACE TEMP TABLE {_RUN} {_MONTH_ROWS}")
            for expression in _monthly_selects(session, first, last):
                _insert(con, _RUN, expression)
                done += 1
                progress.update(done)
            month = first
            while month <= last:
                _flagged(con, _RUN, month)
                month = _next_month(month)
            con.execute(f"DROP TABLE {_RUN}")
            _reflag(con, month)  # its previous month changed
        chained = set(days or ()) | changed.get("orders", set())
        if rebuilt or chained:
            _rechain(con, session, date.min if rebuilt else min(chained))
        con.execute(f"DELETE FROM {STATE_TABLE}")
        con.executemany(
            f"INSERT INTO {STATE_TABLE} VALUES (?, ?)",
            [["version", str(VERSION)], ["load_id", str(_last_load(con))]],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    progress.finish()
    return Refreshed(tuple(ordered), tuple(months), rebuilt, time.perf_counter() - clock)
