"""Daily series of the core metrics that have a daily meaning, in one query per source table.

Cumulative metrics (members_total, points_outstanding, liability) and metrics defined across
periods (retention, repurchase cycle, churn) are left out: their daily change is another
metric's daily value (new members, points issued and redeemed). NPS is left out too: a day
rarely has enough responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import polars as pl

from memberlens.dates.periods import Grain, Period
from memberlens.engine.session import Session
from memberlens.metrics.compute import DEFINITIONS, Ratio
from memberlens.metrics.scope import GROUP, Dimension, Scope

#: daily metric → how it is computed from the per-day parts
DAILY = (
    "new_members",
    "buyers",
    "active_members",
    "orders",
    "revenue",
    "aov",
    "purchase_frequency",
    "points_issued",
    "points_redeemed",
    "redemption_rate",
    "redeemers",
)

#: the per-day parts, each the catalog's definition computed per day
PARTS = (
    "orders",
    "revenue",
    "buyers",
    "new_members",
    "points_issued",
    "points_redeemed",
    "redeemers",
    "active_members",
)
_SUMS = ("revenue", "points_issued", "points_redeemed")


def daily_parts(
    session: Session,
    first: date,
    last: date,
    by: Dimension | None = None,
    scope: Any = None,
    parts: Sequence[str] = PARTS,
) -> pl.DataFrame:
    """Per day (and group): the additive parts the daily metrics are computed from (all of
    them, or ``parts``: one query each; :func:`parts_of` names those some metrics need).

    Each part is the catalog's definition on a per-day scope over ``first`` .. ``last``; a
    split labels members as of the end of ``scope``'s period (default: of ``last``).
    """
    from memberlens.metrics.aggregates import daily_rows

    keys = ["day", GROUP] if by else ["day"]
    labels_at = scope.period if isinstance(scope, Scope) else None
    s = Scope(session, Period(Grain.RANGE, first, last), by, days=True, labels_at=labels_at)
    result: pl.DataFrame | None = None
    for part in parts:
        frame = daily_rows(s, part, DEFINITIONS[part]).rename({"value": part})
        if part in _SUMS:
            frame = frame.with_columns(pl.col(part).cast(pl.Float64))
        result = frame if result is None else result.join(frame, on=keys, how="full", coalesce=True)
    assert result is not None
    return result.with_columns([pl.col(c).fill_null(0) for c in parts]).sort(keys)


def parts_of(metrics: Iterable[str]) -> tuple[str, ...]:
    """The parts the daily ``metrics`` are computed from (a ratio: its two), in PARTS order."""
    ratios = _ratios()
    needed: set[str] = set()
    for metric in metrics:
        needed.update(ratios.get(metric, (metric,)))
    return tuple(p for p in PARTS if p in needed)


def _ratios() -> dict[str, tuple[str, str]]:
    """The daily ratio metrics and the ids of their parts, from the catalog's definitions."""
    ids = {definition: metric for metric, definition in DEFINITIONS.items()}
    return {
        metric: (ids[d.top], ids[d.bottom])
        for metric in DAILY
        if isinstance(d := DEFINITIONS[metric], Ratio)
    }


def daily_series(parts: pl.DataFrame) -> pl.DataFrame:
    """Long frame (day, [group], metric, value) of the DAILY metrics from their parts (those
    whose parts the frame holds)."""
    have = set(parts.columns)
    derived = parts.with_columns(
        **{
            metric: pl.when(pl.col(bottom) > 0).then(pl.col(top) / pl.col(bottom))
            for metric, (top, bottom) in _ratios().items()
            if top in have and bottom in have
        }
    )
    index = [c for c in ("day", GROUP) if c in derived.columns]
    shown = [m for m in DAILY if m in derived.columns]
    return derived.unpivot(index=index, on=shown, variable_name="metric", value_name="value")
