"""Evaluate catalog metrics for periods, with 环比 and 同比 comparisons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl

from memberlens.dates.periods import Period, latest_full_month, parse_period
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.coverage import covered, data_range
from memberlens.metrics.aggregates import ONE_PASS, aggregated, current, series, spread
from memberlens.metrics.catalog import CATALOG, metric
from memberlens.metrics.compute import (
    DEFINITIONS,
    NOT_SPLITTABLE,
    Definition,
    Ratio,
    Scaled,
    Weighted,
)
from memberlens.metrics.dimensions import dimension
from memberlens.metrics.scope import GROUP, Scope
from memberlens.metrics.shared import shared

__all__ = [
    "change",
    "compute",
    "data_range",
    "explain",
    "latest_full_month",
    "parse_period",
    "summary",
    "values",
]


def _plain(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number:  # NaN from an empty median
        return None
    return int(value) if isinstance(value, int) else number


def _scope(session: Session, period: Period, by: str | None) -> Scope:
    return Scope(session, period, dimension(by) if by else None)


def _check(ids: Sequence[str], by: str | None) -> tuple[list[str], str | None]:
    """The metric and dimension ids that ``ids`` and ``by`` name (ids, 中文 or English
    names); an unknown one or an unsplittable metric is an :class:`InputError`."""
    found = [metric(metric_id).id for metric_id in ids]
    split = dimension(by, parameter="by").id if by else None
    for metric_id in found:
        if split and metric_id in NOT_SPLITTABLE:
            raise InputError(
                f"Metric '{metric_id}' cannot be split by '{split}': "
                f"{NOT_SPLITTABLE[metric_id]}. Ask for it without by."
            )
    return found, split


#: whether a period overlaps the order range (:func:`~memberlens.facts.coverage.covered`)
Covered = Callable[[Period], bool]


Known = dict[Period, dict[Definition, list[dict[str, Any]]]]


def compute(
    session: Session,
    ids: Sequence[str],
    period: Period,
    has_data: Covered | None = None,
    known: Known | None = None,
) -> dict[str, float | int | None]:
    """Values of metrics ``ids`` for ``period``; None where there is no data or no denominator.

    ``has_data`` says whether a period overlaps the data, when the caller has it;
    ``known`` holds parts already computed for several periods at once (:func:`ahead`).
    """
    ids, _ = _check(ids, None)
    if not (has_data or covered(session, [period]))(period):
        return dict.fromkeys(ids)
    # a workspace's cached() block shares values between calls (the report's summary and goals)
    memo = session.memo
    scope = Scope(session, period)
    stored = current(session)
    # ratios reuse parts computed here
    parts: dict[Definition, list[dict[str, Any]]] = dict((known or {}).get(period, {}))
    found = {}
    for m in ids:
        key = (m, str(period))
        if memo is not None and key in memo:
            found[m] = memo[key]
            continue
        found[m] = _plain(_rows(session, scope, DEFINITIONS[m], parts, stored)[0]["value"])
        if memo is not None:
            memo[key] = found[m]
    return found


def values(
    session: Session,
    ids: Sequence[str],
    periods: Sequence[Period],
    by: str | None = None,
) -> pl.DataFrame:
    """Rows (metric, period, [by], value) for every metric and period, split by ``by``.

    A period outside the data's date range gives one row with a null value ("no data").
    """
    ids, by = _check(ids, by)
    has_data = covered(session, periods)
    stored = current(session)
    batched = ahead(session, ids, periods, by, has_data, stored)
    rows: list[dict[str, Any]] = []
    for period in periods:
        scope = _scope(session, period, by)
        parts = dict(batched.get(period, {}))  # the rest computed once per period
        for metric_id in ids:
            if not has_data(period):
                rows.append(
                    {"metric": metric_id, "period": str(period), "group": None, "value": None}
                )
                continue
            found = list(_rows(session, scope, DEFINITIONS[metric_id], parts, stored))
            found.sort(key=lambda r: (r.get(GROUP) is None, str(r.get(GROUP))))
            for row in found:
                rows.append(
                    {
                        "metric": metric_id,
                        "period": str(period),
                        "group": row.get(GROUP),
                        "value": _plain(row["value"]),
                    }
                )
    frame = pl.DataFrame(
        rows,
        schema={"metric": pl.String, "period": pl.String, "group": pl.String, "value": pl.Float64},
    )
    return frame.rename({"group": by}) if by else frame.drop("group")


def ahead(
    session: Session,
    ids: Sequence[str],
    periods: Sequence[Period],
    by: str | None,
    has_data: Covered,
    stored: bool,
) -> Known:
    """The parts of metrics ``ids`` that can be computed for all ``periods`` together, by
    period: with the aggregates (``stored``), the parts they hold in a few queries; the
    definitions with an ``over``, in one pass over the raw tables; without aggregates, the
    counts, sums and rates that read the same facts in one pass (:func:`~.shared.shared`).
    The rest is left to the period-by-period path; the values are the same either way."""
    leaves = _leaves([DEFINITIONS[m] for m in ids])
    with_data = [p for p in dict.fromkeys(periods) if has_data(p)]
    split = dimension(by) if by else None
    if not with_data:
        return {}
    if stored:
        batched = series(session, leaves, with_data, split)
    elif len(with_data) <= ONE_PASS:  # counts, sums and rates of the same facts in one pass
        batched = shared(Scope(session, with_data[0], split), leaves, with_data)
    else:
        batched = {}
    left = [d for d in leaves if any(d not in batched.get(p, {}) for p in with_data)]
    for period, one_pass in _over(session, left, with_data, split).items():
        batched.setdefault(period, {}).update(one_pass)
    return batched


def _over(
    session: Session, definitions: Sequence[Definition], periods: Sequence[Period], by: Any
) -> dict[Period, dict[Definition, list[dict[str, Any]]]]:
    """The rows of the definitions that compute many periods in one pass over the raw
    tables (``over``: the repurchase cycle, churn, breakage, NPS), for every period; their
    values are those of the period-by-period expression. Only for the whole program or a
    dimension whose labels do not depend on the period."""
    found: dict[Period, dict[Definition, list[dict[str, Any]]]] = {p: {} for p in periods}
    if not 2 <= len(periods) <= ONE_PASS or not (by is None or by.fixed):
        return found
    scope = Scope(session, periods[0], by)
    for d in dict.fromkeys(definitions):
        over = getattr(d, "over", None)
        if over is None:
            continue
        for period, rows in spread(
            session.arrow(over(scope, periods)).to_pylist(), periods, by
        ).items():
            found[period][d] = rows
    return found


def _leaves(definitions: Sequence[Definition]) -> list[Definition]:
    """The definitions that read tables: ratios and scaled parts by their parts."""
    found: list[Definition] = []
    for d in definitions:
        if isinstance(d, Ratio):
            found += _leaves([d.top, d.bottom])
        elif isinstance(d, Scaled):
            found += _leaves([d.part])
        elif isinstance(d, Weighted):
            found += _leaves([part for _, part, _, _ in d.parts])
        else:
            found.append(d)
    return found


def _rows(
    session: Session,
    scope: Scope,
    definition: Definition,
    parts: dict[Definition, list[dict[str, Any]]],
    stored: bool = False,
) -> list[dict[str, Any]]:
    """A definition's rows; a ratio (or scaled part) whose parts are wanted anyway is
    derived from their rows instead of scanning the tables again. With ``stored`` (the
    daily aggregates are current) a definition they hold is read from them."""
    if definition not in parts:
        if isinstance(definition, Ratio):
            top = _rows(session, scope, definition.top, parts, stored)
            bottom = _rows(session, scope, definition.bottom, parts, stored)
            parts[definition] = Ratio.combine(top, bottom, split=scope.by is not None)
        elif isinstance(definition, Scaled):
            part = _rows(session, scope, definition.part, parts, stored)
            parts[definition] = definition.combine(part, scope.config)
        elif isinstance(definition, Weighted):
            rows = [_rows(session, scope, d, parts, stored) for _, d, _, _ in definition.parts]
            parts[definition] = definition.combine(rows, split=scope.by is not None)
        else:
            expression = aggregated(scope, definition) if stored else None
            if expression is None:
                expression = definition(scope)
            parts[definition] = session.arrow(expression).to_pylist()
    return parts[definition]


def explain(session: Session, metric_id: str, period: Period, by: str | None = None) -> str:
    """The SQL a metric runs for a period (and split), without running it."""
    import ibis

    (metric_id,), by = _check([metric_id], by)
    compiled = replace(session, keep=False)  # a split's labels as SQL, not a kept table
    expression = DEFINITIONS[metric_id](_scope(compiled, period, by))
    return str(ibis.to_sql(expression, dialect=session.engine))


def change(now: float | int | None, before: float | int | None, rate: bool = False) -> float | None:
    """Change from ``before`` to ``now``: relative, (now - before) / |before|, for amounts and
    counts; the plain difference for rates and scores (a repurchase rate going from 30 % to
    33 % is +3 points, not +10 %). None when either is missing or a relative base is 0."""
    if now is None or before is None:
        return None
    if rate:
        return now - before
    if before == 0:
        return None
    return (now - before) / abs(before)


def summary(session: Session, ids: Sequence[str], period: Period) -> pl.DataFrame:
    """Each metric with its 环比 and 同比 values and changes, its target and its status.

    Changes are relative for counts and amounts and absolute for rates and scores (see
    :func:`change`); targets come from ``[targets.<metric>]`` (see :mod:`.targets`).
    """
    from memberlens.metrics.targets import assess, check_targets

    check_targets(session.config)
    ids, _ = _check(ids, None)

    three = [period, period.previous(), period.year_ago()]
    has_data = covered(session, three)  # for every period below
    memo = session.memo
    wanted = [m for m in ids if memo is None or any((m, str(p)) not in memo for p in three)]
    known = ahead(session, wanted, three, None, has_data, current(session)) if wanted else {}
    now, previous, year_ago = (compute(session, ids, p, has_data, known) for p in three)
    language = session.config.workspace.language

    def history_of(metric_id: str) -> Callable[[Period], float | int | None]:
        return lambda p: compute(session, [metric_id], p, has_data)[metric_id]

    assessments = [
        assess(CATALOG[m], now[m], session.config.targets.get(m), period, history_of(m))
        for m in ids
    ]
    return pl.DataFrame(
        {
            "metric": list(ids),
            "name": [CATALOG[m].name(language) for m in ids],
            "unit": [str(CATALOG[m].unit) for m in ids],
            "class": [str(CATALOG[m].klass) for m in ids],
            "period": [str(period)] * len(ids),
            "value": [now[m] for m in ids],
            "previous": [previous[m] for m in ids],
            "change_vs_previous": [change(now[m], previous[m], CATALOG[m].is_rate) for m in ids],
            "year_ago": [year_ago[m] for m in ids],
            "change_vs_year_ago": [change(now[m], year_ago[m], CATALOG[m].is_rate) for m in ids],
            "target_low": [a.band.low if a.band else None for a in assessments],
            "target_high": [a.band.high if a.band else None for a in assessments],
            "status": [str(a.status) for a in assessments],
        },
        schema_overrides=dict.fromkeys(
            ("value", "previous", "year_ago", "target_low", "target_high"), pl.Float64
        ),
    )
