"""Compare two groups of a dimension: repurchase rate, AOV and repurchase cycle, with statistics.

"Points users against non-users" is the classic question; any two groups of any dimension
work the same way. The engine computes sufficient statistics per group (buyers and repeat
buyers; order count, sum and sum of squares of amounts; the same for repurchase gaps) and
:mod:`memberlens.stats.groups` does the inference. The result states that a difference
between groups is an association, not an effect of being in the group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from memberlens.dates.periods import Period
from memberlens.engine.expr import SECONDS_PER_DAY
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.metrics.aggregates import chain
from memberlens.metrics.dimensions import dimension
from memberlens.metrics.scope import GROUP, Scope
from memberlens.stats.groups import (
    Difference,
    Proportion,
    Sample,
    difference_of_means,
    difference_of_proportions,
)

CAUTION = {
    "zh": "组间差异只说明相关，不代表因果：使用积分的会员本来就可能是更活跃的会员。"
    "要衡量效果，请用带对照组的活动或 A/B 实验。",
    "en": "A difference between groups is an association, not a cause: members who use points "
    "may simply be the more active members. To measure an effect, use a campaign holdout or "
    "an A/B experiment.",
}


@dataclass(frozen=True)
class Comparison:
    by: str
    groups: tuple[str, str]
    period: Period
    table: pl.DataFrame  # one row per measure
    caution: str


def _group_stats(session: Session, period: Period, by: str) -> dict[str, dict[str, Any]]:
    scope = Scope(session, period, dimension(by))
    orders = scope.tag(scope.paid_in())
    per_member = orders.group_by([GROUP, "member_id"]).agg(n=orders.count())
    buyers = per_member.group_by(GROUP).agg(
        buyers=per_member.count(), repeaters=per_member.count(where=per_member.n >= 2)
    )
    amount = orders.amount.cast("float64")
    spend = orders.group_by(GROUP).agg(
        orders=orders.count(), amount_sum=amount.sum(), amount_squares=(amount * amount).sum()
    )
    gaps = chain(scope)(period.first, period.end)  # stored when the aggregates are current
    gaps = scope.tag(gaps.filter(gaps.previous.notnull()))
    days = (gaps.ordered_at.epoch_seconds() - gaps.previous.epoch_seconds()) / SECONDS_PER_DAY
    cycle = gaps.group_by(GROUP).agg(
        gaps=gaps.count(),
        gap_sum=days.sum(),
        gap_squares=(days * days).sum(),
        gap_median=days.median(),
    )
    result: dict[str, dict[str, Any]] = {}
    for part in (buyers, spend, cycle):
        for row in session.arrow(part).to_pylist():
            result.setdefault(row.pop(GROUP), {}).update(row)
    return result


def compare(
    session: Session,
    by: str,
    period: Period,
    groups: tuple[str, str] | None = None,
    level: float = 0.95,
) -> Comparison:
    """Compare ``groups`` (a, b) of dimension ``by`` in ``period``: differences are a − b."""
    by = dimension(by, parameter="by").id  # an id, or its 中文 / English name
    found = _group_stats(session, period, by)
    if groups is None:
        if len(found) != 2:
            raise InputError(
                f"'{by}' has {len(found)} groups in {period} ({', '.join(sorted(found))}); "
                "choose two with --groups A B."
            )
        ordered = sorted(found, reverse=True)  # yes before no
        groups = (ordered[0], ordered[1])
    for group in groups:
        if group not in found:
            raise InputError(
                f"No buyers in group '{group}' of '{by}' in {period}. "
                f"Groups with data: {', '.join(sorted(found))}."
            )
    a, b = (found[g] for g in groups)
    rows = [
        _row(
            "repurchase_rate",
            difference_of_proportions(
                Proportion(a["buyers"], a["repeaters"]),
                Proportion(b["buyers"], b["repeaters"]),
                level,
            ),
            a["repeaters"] / a["buyers"],
            b["repeaters"] / b["buyers"],
            a["buyers"],
            b["buyers"],
        ),
        _row(
            "aov",
            difference_of_means(
                Sample(a["orders"], a["amount_sum"], a["amount_squares"]),
                Sample(b["orders"], b["amount_sum"], b["amount_squares"]),
                level,
            ),
            _mean(a, "amount_sum", "orders"),
            _mean(b, "amount_sum", "orders"),
            a["orders"],
            b["orders"],
        ),
        _row(
            "repurchase_cycle_days",
            difference_of_means(
                Sample(a.get("gaps") or 0, a.get("gap_sum") or 0.0, a.get("gap_squares") or 0.0),
                Sample(b.get("gaps") or 0, b.get("gap_sum") or 0.0, b.get("gap_squares") or 0.0),
                level,
            ),
            _mean(a, "gap_sum", "gaps"),
            _mean(b, "gap_sum", "gaps"),
            a.get("gaps") or 0,
            b.get("gaps") or 0,
            a.get("gap_median"),
            b.get("gap_median"),
        ),
    ]
    language = session.config.workspace.language
    return Comparison(by, groups, period, pl.DataFrame(rows), CAUTION[language])


def _mean(stats: dict[str, Any], total: str, count: str) -> float | None:
    n = stats.get(count) or 0
    return stats[total] / n if n else None


def _row(
    measure: str,
    d: Difference,
    value_a: float | None,
    value_b: float | None,
    n_a: int,
    n_b: int,
    median_a: float | None = None,
    median_b: float | None = None,
) -> dict[str, Any]:
    return {
        "measure": measure,
        "a": value_a,
        "b": value_b,
        "difference": d.estimate,
        "ci_low": d.low,
        "ci_high": d.high,
        "p_value": d.p_value,
        "n_a": n_a,
        "n_b": n_b,
        "median_a": median_a,
        "median_b": median_b,
        "significant": None if d.p_value is None else d.p_value < 1 - d.level,
    }
