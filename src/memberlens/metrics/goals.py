"""The classic loyalty-program goals as templates of core, related and trend indicators.

A goal selects *core* metrics (what the goal is judged by) and *related* metrics (what moves
them); the *trend* indicators are the 环比 and 同比 change rates of both, which every summary
carries. A goal may name a dimension whose groups are compared on its core metrics — raising
repurchase is read for points users against non-users.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from memberlens.dates.periods import Period
from memberlens.engine.session import Session
from memberlens.errors import unknown_choice
from memberlens.labels import Label


@dataclass(frozen=True)
class Goal:
    id: str
    zh: str
    en: str
    core: tuple[str, ...]
    related: tuple[str, ...]
    compare_by: str | None = None

    def name(self, language: str) -> str:
        return Label(self.zh, self.en)(language)

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.core + self.related


GOALS: dict[str, Goal] = {
    g.id: g
    for g in (
        Goal(
            "raise_repurchase",
            "提升复购",
            "Raise repurchase",
            core=("repurchase_rate", "repurchase_cycle_days", "aov"),
            related=("redemption_rate", "redeemers", "points_issued", "purchase_frequency"),
            compare_by="points_user",
        ),
        Goal(
            "raise_awareness",
            "提升品牌认知",
            "Raise brand awareness",
            core=("shares", "brand_mentions", "campaign_new_members"),
            related=("referral_registrations", "new_members", "campaign_participants"),
        ),
        Goal(
            "raise_loyalty_sales",
            "提升忠诚度与销售",
            "Raise loyalty and sales",
            core=("purchase_frequency", "revenue", "retention_rate"),
            related=(
                "active_members",
                "activity_rate",
                "aov",
                "campaign_conversion_rate",
                "loyalty_index",
            ),
        ),
    )
}


def goal(goal_id: str) -> Goal:
    try:
        return GOALS[goal_id]
    except KeyError:
        raise unknown_choice("goal", goal_id, GOALS) from None


@dataclass(frozen=True)
class GoalReport:
    goal: Goal
    period: Period
    indicators: pl.DataFrame  # summary rows with a "role" column: core or related
    comparison: pl.DataFrame | None  # core metrics by compare_by, when the goal has one


def report(session: Session, goal_id: str, period: Period) -> GoalReport:
    from memberlens.metrics.evaluate import summary, values

    g = goal(goal_id)
    indicators = summary(session, list(g.metrics), period).with_columns(
        role=pl.Series(["core"] * len(g.core) + ["related"] * len(g.related))
    )
    comparison = None
    if g.compare_by:
        comparison = values(session, list(g.core), [period], by=g.compare_by)
    return GoalReport(g, period, indicators, comparison)
