"""Campaigns with holdouts (DESIGN §12): treated against holdout, cost and ROI.

Each member's first touch of a campaign decides the group (treatment / holdout) and starts
the window [at, at + W) (W = ``window_days``, 14 by default). Per campaign (and tier with
``by_tier``): conversion (≥ 1 paid order) and revenue per member, compared by Welch's t;
incremental conversion is the difference of rates, incremental revenue the difference of
revenue per member × treated members. Cost = the campaign's ``cost`` + the points it issued
(positive entries with its campaign_id) × ``point_value``; with tiers the campaign's cost is
shared in proportion to treated members and points are counted per tier.
ROI = (incremental revenue − cost) / cost; cost is known, so ROI is a linear function of the
incremental revenue and its interval is the revenue interval mapped through it (exact given
the delta-method/Welch interval of revenue). Rows are ranked by incremental revenue per unit
of cost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.engine.session import Session
from memberlens.errors import InputError, WorkspaceError, unknown_choice
from memberlens.experiments.adapters import tiers_on
from memberlens.experiments.outcomes import (
    DEFAULT_WINDOW_DAYS,
    Outcome,
    arm_sums,
    member_outcomes,
    statistic,
)
from memberlens.stats import compare

TREATMENT, HOLDOUT = "treatment", "holdout"


def first_touches(session: Session, campaign_ids: Sequence[str]) -> ir.Table:
    """campaign_id, member_id, start (first touch) and arm (its group)."""
    t = session.table("campaign_touches")
    t = t.filter(t.campaign_id.isin(list(campaign_ids)))
    return t.group_by(["campaign_id", "member_id"]).aggregate(
        start=t.at.min(), arm=t.group.argmin(t.at)
    )


def analyze_campaigns(
    session: Session,
    campaign_ids: Sequence[str] | None = None,
    *,
    by_tier: bool = False,
    window_days: int = DEFAULT_WINDOW_DAYS,
    alpha: float = 0.05,
) -> list[dict[str, Any]]:
    """One row per campaign (and tier), ranked by incremental revenue per unit of cost."""
    touches = session.table("campaign_touches")
    known = sorted(r["campaign_id"] for r in session.rows(touches.select("campaign_id").distinct()))
    if not known:
        raise WorkspaceError(
            "No campaign touches are loaded; load them with "
            "'memberlens -w DIR ingest campaign_touches FILE'."
        )
    chosen = list(campaign_ids) if campaign_ids else known
    for cid in chosen:
        if cid not in known:
            raise unknown_choice(
                "campaign",
                cid,
                known,
                "Only campaigns with touches can be analysed.",
                parameter="campaign_ids",
            )
    units = first_touches(session, chosen)
    keys = ["campaign_id", "arm"]
    if by_tier:
        units = _with_tiers(session, units, chosen)
        keys.append("tier")
    # three queries read the units (the outcomes, the points cost, the treated counts); with
    # tiers they hold one tier evaluation per campaign: computed once, not once per query
    built = units
    units = session.kept(("campaign units", tuple(chosen), by_tier), lambda: built)
    metrics = [Outcome.conversion, Outcome.revenue]
    sums = session.rows(arm_sums(member_outcomes(session, units, keys, window_days), keys, metrics))
    costs = _costs(session, units, chosen, keys)
    groups: dict[tuple[Any, ...], dict[str, dict[str, Any]]] = {}
    for row in sums:
        group: tuple[Any, ...] = (
            (row["campaign_id"], row["tier"]) if by_tier else (row["campaign_id"],)
        )
        groups.setdefault(group, {})[row["arm"]] = row
    out = []
    for group, arms in sorted(groups.items(), key=lambda g: tuple(str(x) for x in g[0])):
        row = _row(
            arms, costs.get(group, (0.0, 0.0)), alpha
        )  # a group with no treated member costs nothing
        if by_tier:
            row = {"campaign_id": group[0], "tier": group[1], **row}
        else:
            row = {"campaign_id": group[0], **row}
        if campaign_ids and row["holdout"] == 0 and not by_tier:
            raise InputError(
                f"Campaign '{group[0]}' has no holdout group; its lift cannot be measured. "
                "Keep a holdout (group = holdout) in its touches.",
                parameter="campaign_ids",
                value=str(group[0]),
            )
        out.append(row)
    return sorted(out, key=_rank)


def _rank(row: dict[str, Any]) -> tuple[int, float]:
    revenue, cost = row["incremental_revenue"], row["cost"]
    if revenue is None or not cost:
        return 1, 0.0
    return 0, -revenue / cost


def _with_tiers(session: Session, units: ir.Table, campaign_ids: Sequence[str]) -> ir.Table:
    """Each unit's tier as of the day before its campaign's first touch (the tiers of all
    those days in one pass over the facts)."""
    firsts = session.rows(units.group_by("campaign_id").aggregate(first=units.start.min()))
    before = {r["campaign_id"]: r["first"].date() - timedelta(days=1) for r in firsts}
    tier = tiers_on(session, list(before.values()))
    day = ibis.cases(*[(units.campaign_id == c, ibis.literal(d)) for c, d in before.items()])
    joined = units.mutate(day=day).left_join(tier, ["member_id", "day"])
    return joined.select(
        "campaign_id", "member_id", "start", "arm", tier=joined.tier.fill_null("(unknown)")
    )


def _costs(
    session: Session, units: ir.Table, campaign_ids: Sequence[str], keys: Sequence[str]
) -> dict[tuple[Any, ...], tuple[float, float]]:
    """(campaign cost share, points cost) per group."""
    by = [k for k in keys if k != "arm"]
    c = session.table("campaigns")
    listed = {
        r["campaign_id"]: float(r["cost"] or 0.0)
        for r in session.rows(
            c.filter(c.campaign_id.isin(list(campaign_ids))).select("campaign_id", "cost")
        )
    }
    p = session.table("points")
    issued = p.filter(p.campaign_id.isin(list(campaign_ids)) & (p.points > 0))
    issued = issued.group_by(["campaign_id", "member_id"]).aggregate(points=issued.points.sum())
    treated = units.filter(units.arm == TREATMENT)
    if "tier" in by:
        # the campaign's points per tier of the members who got them (untouched members: unknown)
        tiered = issued.left_join(
            units.select("campaign_id", "member_id", "tier"), ["campaign_id", "member_id"]
        )
        issued = tiered.select("campaign_id", "points", tier=tiered.tier.fill_null("(unknown)"))
    points = {
        tuple(r[k] for k in by): float(r["points"] or 0)
        for r in session.rows(issued.group_by(by).aggregate(points=issued.points.sum()))
    }
    counts = {
        tuple(r[k] for k in by): int(r["n"])
        for r in session.rows(treated.group_by(by).aggregate(n=treated.member_id.count()))
    }
    per_campaign: dict[str, int] = {}
    for group, n in counts.items():
        per_campaign[group[0]] = per_campaign.get(group[0], 0) + n
    value = session.config.workspace.point_value
    out: dict[tuple[Any, ...], tuple[float, float]] = {}
    for group in set(counts) | set(points):
        share = counts.get(group, 0) / per_campaign[group[0]] if per_campaign.get(group[0]) else 0
        out[group] = (listed.get(group[0], 0.0) * share, points.get(group, 0.0) * value)
    return out


def _row(
    arms: dict[str, dict[str, Any]], cost: tuple[float, float] | None, alpha: float
) -> dict[str, Any]:
    treated, holdout = arms.get(TREATMENT), arms.get(HOLDOUT)
    campaign_cost, points_cost = cost or (0.0, 0.0)
    total = campaign_cost + points_cost
    row: dict[str, Any] = {
        "treated": int(treated["n"]) if treated else 0,
        "holdout": int(holdout["n"]) if holdout else 0,
        "conversion_treated": None,
        "conversion_holdout": None,
        "incremental_conversion": None,
        "ci": [None, None],
        "incremental_revenue": None,
        "revenue_ci": [None, None],
        "cost": total,
        "points_cost": points_cost,
        "roi": None,
        "roi_ci": [None, None],
    }
    if treated is None or holdout is None:
        return row
    ct = statistic(treated, Outcome.conversion, cuped=False).moments()
    ch = statistic(holdout, Outcome.conversion, cuped=False).moments()
    conversion = compare(ch, ct, alpha=alpha)
    rt = statistic(treated, Outcome.revenue, cuped=False).moments()
    rh = statistic(holdout, Outcome.revenue, cuped=False).moments()
    revenue = compare(rh, rt, alpha=alpha)
    n = row["treated"]
    incremental = revenue.lift_abs * n
    low, high = revenue.ci_abs[0] * n, revenue.ci_abs[1] * n
    row.update(
        conversion_treated=ct.mean,
        conversion_holdout=ch.mean,
        incremental_conversion=conversion.lift_abs,
        ci=list(conversion.ci_abs),
        incremental_revenue=incremental,
        revenue_ci=[low, high],
    )
    if total > 0 and not math.isnan(incremental):
        row.update(
            roi=(incremental - total) / total,
            roi_ci=[(low - total) / total, (high - total) / total],
        )
    return row
