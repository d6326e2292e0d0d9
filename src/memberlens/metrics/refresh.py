"""Building and updating the daily aggregates (:mod:`memberlens.metrics.aggregates` reads them).

:func:`refresh` appends new days and re-aggregates the days a later load changed: per day
and source table it keeps a fingerprint (row count and the sum of a 64-bit hash of every
row), and per member a hash of the member's row; a load changes the fingerprint of exactly
the days whose rows it added or replaced (``_load_days`` names the candidates), and a
changed member attribute moves that member's facts between groups on the days they
happened. The months containing those days are rebuilt in the member structure, with their
``previous`` flags, and the chain of orders from the first changed day on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from memberlens.dates.periods import Grain, Period
from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.engine.warehouse import LOAD_DAYS_TABLE, LOADS_TABLE, quote
from memberlens.errors import InputError
from memberlens.metrics import aggregates
from memberlens.metrics.aggregates import (
    CHAIN_TABLE,
    DAILY_TABLE,
    DAYS_TABLE,
    MEMBERS_TABLE,
    MONTHLY_TABLE,
    SOURCES,
    STATE_TABLE,
    dimension_id,
    distinct_parts,
    fixed_dimensions,
    parts,
    state,
)
from memberlens.metrics.compute import MEMBER_FACTS, Definition, with_previous
from memberlens.metrics.scope import GROUP, Scope
from memberlens.progress import Progress, Silent
from memberlens.schema import TABLES

if TYPE_CHECKING:
    import duckdb

__all__ = ["Refreshed", "refresh"]

#: the tables whose facts carry a member (a changed member moves them between groups)
MEMBER_SOURCES = ("orders", "points", "events")

_VALUE = "decimal(38, 4)"

#: a refresh of at most this many days reads them from copies of their rows (:func:`_narrowed`)
NARROW_DAYS = 92


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


def _last_load(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute(f"SELECT coalesce(max(load_id), 0) FROM {LOADS_TABLE}").fetchall()[0][0])


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
                dimension=ibis.literal(dimension_id(by)),
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
        stored = state(session)
        if stored.get("version") == "2":
            _upgrade_2(con)
            stored["version"] = str(aggregates.VERSION)
        rebuilt = stored.get("version") != str(aggregates.VERSION)
        if rebuilt:
            _drop(con)
        _create(con)
        last_seen = 0 if rebuilt else int(stored.get("load_id", "0"))
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
            [["version", str(aggregates.VERSION)], ["load_id", str(_last_load(con))]],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    progress.finish()
    return Refreshed(tuple(ordered), tuple(months), rebuilt, time.perf_counter() - clock)
