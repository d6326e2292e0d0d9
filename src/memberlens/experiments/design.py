"""Designing an experiment: baseline, sample size per arm and duration (DESIGN §12).

The baseline is each eligible member's outcome over the last ``window_days`` of the data
(members registered before that window, or the members of a segment): its mean and standard
deviation (for ``aov`` the delta-method standard deviation of the ratio). The sample size is
:func:`memberlens.stats.sample_size_per_arm`; the eligible members per day are the eligible
members active in that window (a paid order, a points entry or an event) divided by its days,
and the duration is ``ceil(arms × n_per_arm / eligible_per_day)`` days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import ibis

from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.experiments.outcomes import (
    DEFAULT_WINDOW_DAYS,
    arm_sums,
    member_outcomes,
    parse_metrics,
    statistic,
)
from memberlens.facts.coverage import require_orders
from memberlens.facts.orders import paid_orders
from memberlens.stats import sample_size_per_arm


def design(
    session: Session,
    metric: str,
    mde: float,
    *,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    arms: int = 2,
    members: Sequence[str] | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> dict[str, Any]:
    """Sample size and duration to detect ``mde`` (absolute, or relative to the baseline
    mean with ``relative``) on ``metric``; ``members`` restricts the eligible members (a
    segment)."""
    (outcome,) = parse_metrics([metric])
    if mde <= 0:
        raise InputError(
            f"mde {mde}: give a positive minimum detectable effect (0.01, or 0.05 with relative).",
            parameter="mde",
            value=str(mde),
        )
    if arms < 2:
        raise InputError(
            f"arms {arms}: an experiment has at least two arms.", parameter="arms", value=str(arms)
        )
    _, last = require_orders(session)
    end = last + timedelta(days=1)
    start = end - timedelta(days=window_days)
    m = session.table("members")
    eligible = m.filter(m.registered_at < at_midnight(start))
    if members is not None:
        chosen = ibis.memtable({"member_id": list(members)}, schema={"member_id": "string"})
        eligible = eligible.semi_join(chosen, "member_id")
    units = eligible.select("member_id", arm=ibis.literal("all"), start=at_midnight(start))
    rows = session.rows(
        arm_sums(member_outcomes(session, units, ["arm"], window_days), ["arm"], [outcome])
    )
    if not rows or not rows[0]["n"]:
        raise InputError(
            "No eligible members: none registered before the design window "
            f"({start} to {last}) in the chosen segment; choose another segment.",
            parameter="members",
        )
    moments = statistic(rows[0], outcome, cuped=False).moments()
    mean, sd = moments.mean, math.sqrt(moments.variance)
    mde_abs = mde * mean if relative else mde
    mde_rel = mde if relative else (mde / mean if mean else None)
    if mde_abs == 0 or sd == 0:
        raise InputError(
            f"The baseline of {outcome.value} is constant ({mean:g}) over {start} to {last}; "
            "no effect can be sized from it. Choose another metric or segment.",
            parameter="metric",
            value=outcome.value,
        )
    n = sample_size_per_arm(mde_abs, sd, alpha=alpha, power=power, arms=arms)
    active = _active_members(session, eligible.select("member_id"), start, end)
    per_day = active / window_days
    return {
        "metric": outcome.value,
        "baseline_mean": mean,
        "baseline_sd": sd,
        "mde_abs": mde_abs,
        "mde_rel": mde_rel,
        "n_per_arm": n,
        "eligible_per_day": per_day,
        "days": math.ceil(arms * n / per_day) if per_day else None,
    }


def _active_members(session: Session, eligible: Any, start: Any, end: Any) -> int:
    """Eligible members with a paid order, a points entry or an event in [start, end)."""
    lo, hi = at_midnight(start), at_midnight(end)
    o = paid_orders(session, start, end).select("member_id")
    p = session.table("points")
    e = session.table("events")
    seen = ibis.union(
        o,
        p.filter((p.at >= lo) & (p.at < hi)).select("member_id"),
        e.filter((e.at >= lo) & (e.at < hi)).select("member_id"),
        distinct=True,
    )
    return int(session.scalar(seen.semi_join(eligible, "member_id").count()))
