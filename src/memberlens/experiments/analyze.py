"""The read-out of an experiment (DESIGN §12): one grouped query, then the inference.

Arms are the ``variant`` values of the experiment's rows; each variant is compared with the
control (``control`` unless named). Outcomes count in each member's own window from
``assigned_at``; a window that runs past the data's end is reported with the days observed
for the last members assigned, never silently truncated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from memberlens.engine.session import Session
from memberlens.errors import InputError, WorkspaceError, unknown_choice
from memberlens.experiments.outcomes import (
    DEFAULT_WINDOW_DAYS,
    Outcome,
    arm_sums,
    member_outcomes,
    parse_metrics,
    statistic,
)
from memberlens.facts.coverage import reaches, require_orders
from memberlens.labels import Label
from memberlens.stats import (
    RegressionAdjustedStatistic,
    benjamini_hochberg,
    compare,
    cuped_theta,
    holm,
    srm,
)

CONTROL = "control"
PAST_END = Label(
    "观察窗口超出数据末日 {end}:最后分组的会员只观察到 {days} 天(要求 {window} 天);"
    "请加载之后的数据或缩短 window_days。",
    "The window runs past the data's end ({end}): the last members assigned were observed "
    "for {days} of {window} days; load later data or pass a shorter window_days.",
)


@dataclass(frozen=True)
class ExperimentResult:
    """The read-out; :meth:`to_dict` is DESIGN §12's JSON."""

    experiment_id: str
    control: str
    window_days: int
    arms: list[dict[str, Any]]
    srm: dict[str, Any]
    results: list[dict[str, Any]]
    days_observed: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "experiment_id": self.experiment_id,
            "control": self.control,
            "window_days": self.window_days,
            "arms": self.arms,
            "srm": self.srm,
            "results": self.results,
        }
        if self.warnings:
            data["days_observed"] = self.days_observed
            data["warnings"] = self.warnings
        return data


def experiment_ids(session: Session) -> list[str]:
    e = session.table("experiments")
    return sorted(r["experiment_id"] for r in session.rows(e.select("experiment_id").distinct()))


def analyze(
    session: Session,
    experiment_id: str,
    *,
    metrics: Sequence[str] | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    cuped: bool = False,
    sequential: bool = False,
    control: str = CONTROL,
    alpha: float = 0.05,
    weights: Mapping[str, float] | None = None,
) -> ExperimentResult:
    """Analyse ``experiment_id``: every metric of every variant against ``control``.

    ``weights`` (variant → share) is the intended split for the sample-ratio check (equal
    when None).
    """
    chosen = parse_metrics(metrics)
    if not 0 < alpha < 1:
        raise InputError(
            f"alpha {alpha}: choose a level between 0 and 1 such as 0.05.",
            parameter="alpha",
            value=str(alpha),
        )
    e = session.table("experiments")
    e = e.filter(e.experiment_id == experiment_id)
    span = session.rows(
        e.aggregate(
            n=e.count(),
            missing=e.assigned_at.isnull().cast("int64").sum(),
            first=e.assigned_at.min(),
            last=e.assigned_at.max(),
        )
    )[0]
    if not span["n"]:  # only then are the other experiments read, to name them
        ids = experiment_ids(session)
        if not ids:
            raise WorkspaceError(
                "The workspace has no experiments; load assignments with "
                "'memberlens -w DIR ingest experiments FILE'."
            )
        raise unknown_choice("experiment", experiment_id, ids, parameter="experiment_id")
    if span["missing"]:
        raise InputError(
            f"Experiment '{experiment_id}' has {span['missing']} members without assigned_at; "
            "the exposure window starts there, so reload the assignments with assigned_at set.",
            parameter="experiment_id",
            value=experiment_id,
        )
    units = e.select("member_id", arm=e.variant, start=e.assigned_at)
    rows = session.rows(
        arm_sums(
            member_outcomes(session, units, ["arm"], window_days, (span["first"], span["last"])),
            ["arm"],
            chosen,
        )
    )
    by_arm = {r["arm"]: r for r in rows}
    _check_arms(experiment_id, by_arm, control, weights)
    variants = sorted(a for a in by_arm if a != control)
    order = [control, *variants]
    counts = [int(by_arm[a]["n"]) for a in order]
    shares = None if weights is None else [float(weights[a]) for a in order]
    ratio = srm(counts, shares)
    warnings, observed = _coverage(session, span["last"], window_days)
    results = []
    for outcome in chosen:
        for variant in variants:
            results.append(
                _result(
                    outcome, variant, by_arm[control], by_arm[variant], cuped, sequential, alpha
                )
            )
    p = [r["p_value"] for r in results]
    for r, h, b in zip(results, holm(p), benjamini_hochberg(p), strict=True):
        r["p_holm"], r["p_bh"] = _clean(h), _clean(b)
        r["p_value"] = _clean(r["p_value"])
    return ExperimentResult(
        experiment_id=experiment_id,
        control=control,
        window_days=window_days,
        arms=[{"variant": a, "n": n} for a, n in zip(order, counts, strict=True)],
        srm={"p_value": ratio.p_value, "flag": ratio.flag},
        results=results,
        days_observed=observed,
        warnings=warnings,
    )


def _check_arms(
    experiment_id: str,
    by_arm: dict[str, Any],
    control: str,
    weights: Mapping[str, float] | None,
) -> None:
    arms = sorted(by_arm)
    if control not in by_arm:
        raise unknown_choice(
            "variant",
            control,
            arms,
            f"Name the control arm of '{experiment_id}' with control=….",
            parameter="control",
        )
    if len(arms) < 2:
        raise InputError(
            f"Experiment '{experiment_id}' has one arm ('{arms[0]}'); a read-out compares at "
            "least two. Check that every variant's assignments were loaded.",
            parameter="experiment_id",
            value=experiment_id,
        )
    if weights is not None:
        for name in weights:
            if name not in by_arm:
                raise InputError(
                    f"Arm '{name}' of experiment '{experiment_id}' has no members; the arms "
                    f"with members are {', '.join(arms)}. Give one weight per arm.",
                    parameter="weights",
                    value=name,
                )
        missing = [a for a in arms if a not in weights]
        if missing:
            raise InputError(
                f"weights: no weight for arm '{missing[0]}'; give one weight per arm "
                f"({', '.join(arms)}).",
                parameter="weights",
                value=missing[0],
            )


def _coverage(session: Session, last: datetime, window_days: int) -> tuple[list[str], int]:
    """A warning when the window of the last members assigned runs past the data.

    The window [last, last + W) is covered when the order range's last day ends at or after
    last + W: when it reaches the day that holds the window's last instant. Only a window that
    is not covered needs the range's end itself (to say how many days were observed)."""
    inside = last + timedelta(days=window_days) - timedelta(microseconds=1)
    if reaches(session, inside.date()):
        return [], window_days
    _, data_end = require_orders(session)
    end = datetime.combine(data_end + timedelta(days=1), datetime.min.time())
    days = max(0, (end - last).days)
    text = PAST_END(session.language).format(end=data_end, days=days, window=window_days)
    return [text], days


def _result(
    outcome: Outcome,
    variant: str,
    control_row: dict[str, Any],
    variant_row: dict[str, Any],
    cuped: bool,
    sequential: bool,
    alpha: float,
) -> dict[str, Any]:
    adjusted = cuped and outcome is not Outcome.aov  # a ratio has no pre-period covariate here
    c = statistic(control_row, outcome, cuped=adjusted)
    t = statistic(variant_row, outcome, cuped=adjusted)
    if isinstance(c, RegressionAdjustedStatistic) and isinstance(t, RegressionAdjustedStatistic):
        theta = cuped_theta(c, t)
        mc, mt = c.adjusted(theta), t.adjusted(theta)
    else:
        mc, mt = c.moments(), t.moments()
    r = compare(mc, mt, alpha=alpha, sequential=sequential)
    return {
        "metric": outcome.value,
        "variant": variant,
        "n": mt.n,
        "mean": mt.unadjusted_mean,
        "control_n": mc.n,
        "control_mean": mc.unadjusted_mean,
        "lift_abs": r.lift_abs,
        "ci_abs": [r.ci_abs[0], r.ci_abs[1]],
        "lift_rel": _clean(r.lift_rel),
        "ci_rel": [_clean(r.ci_rel[0]), _clean(r.ci_rel[1])],
        "p_value": r.p_value,
        "p_holm": None,
        "p_bh": None,
        "chance_to_win": _clean(r.chance_to_win),
        "risk": [_clean(r.risk[0]), _clean(r.risk[1])],
        "cuped": adjusted,
    }


def _clean(value: float) -> float | None:
    """NaN (no relative lift when the control's mean is 0) as None: JSON null."""
    return None if value is None or math.isnan(value) else value
