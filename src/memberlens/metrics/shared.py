"""Counts, sums, distinct members, repurchase and retention rates of the same facts for
many periods in one query (:func:`shared`): what the period-by-period definitions of
:mod:`memberlens.metrics.compute` give, computed the way an analyst writes it by hand."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.dates.periods import Period
from memberlens.engine.expr import at_midnight
from memberlens.metrics.compute import (
    Additive,
    Definition,
    Distinct,
    Facts,
    Repeat,
    Retained,
    Row,
    _disjoint,
)
from memberlens.metrics.scope import GROUP, Scope


def shareable(d: Definition) -> bool:
    """Whether :func:`shared` computes ``d``."""
    return isinstance(d, Additive | Distinct | Repeat | Retained)


def shared(
    s: Scope, definitions: Sequence[Definition], periods: Sequence[Period]
) -> dict[Period, dict[Definition, list[Row]]]:
    """The rows of the counts, sums, distinct members, repurchase and retention rates that
    read the same facts, for every period, from one query over those facts: each fact is
    labelled with the period it lies in, and every measure is grouped by that label and the
    member (:func:`_per_member`) — the query an analyst writes for "orders, revenue, buyers and
    the repurchase rate of this month, last month and a year ago". The values are those of
    each definition's own expression for each period (the same aggregates of the same rows).

    Cumulative counts and sums (members, the points balance) take one pass too
    (:func:`_running`). The rest only for periods (with the previous periods that retention
    compares with) that share no day; all only on the whole program or a dimension whose
    labels do not depend on the period. Otherwise, and for a definition of another kind,
    nothing is returned for it."""
    found: dict[Period, dict[Definition, list[Row]]] = {p: {} for p in periods}
    wanted = [d for d in dict.fromkeys(definitions) if shareable(d)]
    if not wanted or not (s.by is None or s.by.fixed):
        return found
    periods = list(dict.fromkeys(periods))
    for facts in dict.fromkeys(d.facts for d in wanted):  # type: ignore[attr-defined]
        group = [d for d in wanted if d.facts == facts]  # type: ignore[attr-defined]
        running = [d for d in group if isinstance(d, Additive) and d.cumulative]
        for d, rows in _running(s, facts, running, periods).items():
            for p in periods:
                found[p][d] = rows[p]
        group = [d for d in group if d not in running]
        windows, pairs = periods, []
        if any(isinstance(d, Retained) for d in group):  # each period and the one before it
            windows = list(dict.fromkeys([*periods, *(p.previous() for p in periods)]))
            pairs = [(windows.index(p), windows.index(p.previous())) for p in periods]
        if not _disjoint(windows):  # retention is left to each period; the rest shares
            group = [d for d in group if not isinstance(d, Retained)]
            windows, pairs = periods, []
        if not group or not _disjoint(windows):
            continue
        t = facts.rows(s)
        first, end = min(w.first for w in windows), max(w.end for w in windows)
        inside = (t[facts.time] >= at_midnight(first)) & (t[facts.time] < at_midnight(end))
        t = t.filter(inside if facts.where is None else facts.where(t) & inside)
        t = t.mutate(
            _k=ibis.cases(*((s.within(t, facts.time, w), j) for j, w in enumerate(windows)))
        )
        t = s.tag(t.filter(t._k.notnull()))
        exact = [d for d in group if not _float_sum(d, t)]  # a float sum: left to each period
        asked = [windows.index(p) for p in periods]
        answer = _per_member(s, t, exact, asked, pairs)
        for d in exact:
            for p in periods:
                found[p][d] = answer(d, windows.index(p))
    return found


def _float_sum(d: Definition, t: ir.Table) -> bool:
    """Whether ``d`` sums floats (whose sum depends on the order of the additions)."""
    return isinstance(d, Additive) and d.value(t).type().is_floating()


def _running(
    s: Scope, facts: Facts, running: Sequence[Additive], periods: Sequence[Period]
) -> dict[Definition, dict[Period, list[Row]]]:
    """Cumulative counts and sums (every fact before each period's end) of ``running`` for
    every period, from one pass: each fact is labelled with the first of the periods' ends
    after it, and each period adds the sums of the labels up to its own end (exact: only
    integer and decimal sums are added in Python, a float sum is left out)."""
    t = facts.rows(s)
    running = [d for d in running if not _float_sum(d, t)]
    if not running:
        return {}
    ends = sorted({p.end for p in periods})
    inside = t[facts.time] < at_midnight(ends[-1])
    t = t.filter(inside if facts.where is None else facts.where(t) & inside)
    t = s.tag(
        t.mutate(_b=ibis.cases(*((t[facts.time] < at_midnight(e), j) for j, e in enumerate(ends))))
    )
    keys = ["_b", GROUP] if s.by is not None else ["_b"]
    cells = s.session.arrow(
        t.group_by(keys).aggregate(**{f"_c{i}": d.value(t) for i, d in enumerate(running)})
    ).to_pylist()
    found: dict[Definition, dict[Period, list[Row]]] = {}
    for i, d in enumerate(running):
        found[d] = {}
        for p in periods:
            upto = ends.index(p.end)
            totals: dict[Any, Any] = {}  # a group with facts, but only null sums: null
            for row in (row for row in cells if row["_b"] <= upto):
                group, value = row.get(GROUP), row[f"_c{i}"]
                before = totals.get(group)
                totals[group] = before if value is None else (before or 0) + value
            if s.by is None:
                found[d][p] = [{"value": totals.get(None, 0 if d.zero else None)}]
            else:
                found[d][p] = [{GROUP: g, "value": v} for g, v in totals.items()]
    return found


def _within(value: ir.Scalar, inside: ir.BooleanValue) -> ir.Scalar:
    """``value`` (an aggregate of facts) over the facts where ``inside`` holds only: every
    reduction in it gains the condition (``count()`` becomes ``count(where=inside)``)."""
    import ibis.expr.operations as ops

    def narrowed(node: ops.Node, kwargs: dict[str, Any], **_: Any) -> ops.Node:
        node = node.__recreate__(kwargs) if kwargs else node
        if isinstance(node, ops.Reduction) and "where" in node.__argnames__:
            where = node.where
            condition = inside.op() if where is None else ops.And(where, inside.op())
            node = node.copy(where=condition)
        return node

    return value.op().replace(narrowed).to_expr()


def _per_member(
    s: Scope,
    t: ir.Table,
    group: Sequence[Definition],
    windows: Sequence[int],
    pairs: Sequence[tuple[int, int]],
) -> Callable[[Definition, int], list[Row]]:
    """The rows of ``group`` for window k of the labelled facts ``t``, from one query: per
    member (and group) the count of facts and each sum in each window (a sum's reductions
    narrowed to the window), then one aggregate of those over the members: per window the
    sums of the members' sums (counts and sums add up exactly: integers and decimals), the
    members with a fact (distinct members), the share of them with two or more
    (repurchase), and per (window, previous window) of ``pairs`` the share of the previous
    window's members with a fact in the window too (retention) — the query an analyst
    writes by hand."""
    by = [GROUP] if s.by is not None else []
    sums = [(i, d) for i, d in enumerate(group) if isinstance(d, Additive)]
    counted = sorted({*windows, *(j for pair in pairs for j in pair)})
    per_member = t.group_by([*by, "member_id"]).aggregate(
        **{f"_n{j}": t.count(where=t._k == j) for j in counted},
        **{f"_c{i}_{j}": _within(d.value(t), t._k == j) for i, d in sums for j in windows},
    )
    m = per_member
    columns: dict[str, ir.Scalar] = {}
    for j in windows:
        present = m[f"_n{j}"] > 0
        columns[f"_p{j}"] = m.count(where=present)
        columns[f"_members{j}"] = m.count(where=present & m.member_id.notnull())
        columns[f"_repeat{j}"] = m.count(where=m[f"_n{j}"] >= 2) / m.count(where=present).nullif(0)
        columns |= {f"_c{i}_{j}": m[f"_c{i}_{j}"].sum() for i, _ in sums}
    for now, before in pairs:
        had = m[f"_n{before}"] > 0
        kept = m.count(where=had & (m[f"_n{now}"] > 0))
        columns[f"_retained{now}"] = kept / m.count(where=had).nullif(0)
        columns[f"_before{now}"] = m.count(where=had)
    wide = m.group_by(by).aggregate(**columns) if by else m.aggregate(**columns)
    rows = s.session.arrow(wide).to_pylist()

    def found(d: Definition, k: int) -> list[Row]:
        if isinstance(d, Retained):
            column, shown = f"_retained{k}", f"_before{k}"
        else:
            shown = f"_p{k}"
            if isinstance(d, Additive):
                column = f"_c{group.index(d)}_{k}"
            else:
                column = f"_repeat{k}" if isinstance(d, Repeat) else f"_members{k}"
        if s.by is None:
            row = rows[0]
            if isinstance(d, Additive) and not row[shown]:  # no facts: what the sum gives
                return [{"value": 0 if d.zero else None}]
            return [{"value": row[column]}]
        return [{GROUP: row[GROUP], "value": row[column]} for row in rows if row[shown]]

    return found
