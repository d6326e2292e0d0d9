"""Kaplan-Meier curves of time to lapse, by tier.

For every member who bought by D: the clock starts at the first purchase day; the event is
the member's first lapse — the first purchase day after which no purchase follows within
the member's lapse threshold (see :mod:`memberlens.models.churn.lapse`), at that day + the
threshold. Members who have not lapsed by D are censored at D. Groups are tiers as of D.
The durations come from the engine; lifelines' ``KaplanMeierFitter`` estimates S(t), the
share of members not yet lapsed t days after their first purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import numpy as np
import polars as pl

from memberlens.engine.session import Session
from memberlens.models.churn.lapse import DEFAULT_K, thresholds
from memberlens.models.clv.summary import day_number, purchase_days

#: days after the first purchase at which the curves are reported
GRID = (30, 60, 90, 180, 270, 365, 540, 730)


@dataclass(frozen=True)
class Survival:
    as_of: date
    curves: pl.DataFrame  # tier, day, survival, at_risk
    medians: pl.DataFrame  # tier, members, lapsed, median_days (null: not reached)


def durations(session: Session, as_of: date, k: float = DEFAULT_K) -> Any:
    """member_id, tier, duration_days, lapsed (0/1) as an Ibis expression."""
    from memberlens.program.tiers import tiers_expression

    t = thresholds(session, as_of, k)
    days = purchase_days(session, None, as_of)
    following = days.day.lead().over(group_by="member_id", order_by="day")
    end = day_number(as_of)
    gaps = days.mutate(gap=following.fill_null(end) - days.day)
    j = gaps.join(t.select("member_id", "first_day", "threshold_days"), "member_id")
    lapse = j.filter(j.gap > j.threshold_days)
    first_lapse = lapse.group_by("member_id").agg(lapse_day=lapse.day.min())
    m = t.left_join(first_lapse, "member_id").drop("member_id_right")
    lapsed = m.lapse_day.notnull()
    duration = ibis.ifelse(
        lapsed,
        (m.lapse_day - m.first_day) + m.threshold_days,
        (end - m.first_day).cast("float64"),
    )
    tiers = tiers_expression(session, as_of).select("member_id", "tier")
    m = m.mutate(duration_days=duration, lapsed=lapsed.cast("int8"))
    m = m.left_join(tiers, "member_id").drop("member_id_right")
    return m.select("member_id", "tier", "duration_days", "lapsed")


def kaplan_meier(session: Session, as_of: date, k: float = DEFAULT_K) -> Survival:
    """Kaplan-Meier S(t) of time to first lapse per tier, on the :data:`GRID` days."""
    import warnings

    from lifelines import KaplanMeierFitter  # type: ignore[import-untyped]

    frame = pl.from_arrow(session.arrow(durations(session, as_of, k)))
    assert isinstance(frame, pl.DataFrame)
    order = [level.id for level in session.config.tiers.levels]
    curves: list[dict[str, Any]] = []
    medians: list[dict[str, Any]] = []
    for tier in [t for t in order if t in set(frame["tier"].to_list())]:
        group = frame.filter(pl.col("tier") == tier)
        fitter = KaplanMeierFitter()
        with warnings.catch_warnings():  # lifelines calls pandas APIs pandas deprecates
            warnings.simplefilter("ignore", category=FutureWarning)
            warnings.simplefilter("ignore", category=DeprecationWarning)
            fitter.fit(group["duration_days"].to_numpy(), group["lapsed"].to_numpy())
            survival = fitter.survival_function_at_times(list(GRID)).to_numpy()
        durations_ = group["duration_days"].to_numpy()
        for day, value in zip(GRID, survival, strict=True):
            curves.append(
                {
                    "tier": tier,
                    "day": day,
                    "survival": float(value),
                    "at_risk": int(np.sum(durations_ >= day)),
                }
            )
        median = float(fitter.median_survival_time_)
        medians.append(
            {
                "tier": tier,
                "members": group.height,
                "lapsed": int(group["lapsed"].sum()),
                "median_days": median if np.isfinite(median) else None,
            }
        )
    return Survival(as_of, pl.DataFrame(curves), pl.DataFrame(medians))
