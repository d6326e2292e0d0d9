"""Dimensions a member metric can be split by (DESIGN §6).

A dimension maps every member to one label as of the end of the period, so a split is a
partition: the groups add up to the whole for counts and sums. Members without a value are
in the group ``(unknown)``; facts without a member (surveys by anonymous respondents) too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from memberlens.errors import unknown_choice

if TYPE_CHECKING:
    from memberlens.metrics.compute import Scope

UNKNOWN = "(unknown)"
GROUP = "_group"


@dataclass(frozen=True)
class Dimension:
    id: str
    zh: str
    en: str
    definition: str
    labels: Callable[[Scope], ir.Table]  # member_id, group

    def name(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


def _member_column(column: str) -> Callable[[Scope], ir.Table]:
    def labels(s: Scope) -> ir.Table:
        m = s.table("members")
        return m.select("member_id", **{GROUP: m[column].cast("string")})

    return labels


def _cohort(s: Scope) -> ir.Table:
    m = s.table("members")
    return m.select("member_id", **{GROUP: m.registered_at.strftime("%Y-%m")})


def _points_user(s: Scope) -> ir.Table:
    """yes = a redeem entry in the 365 days up to the end of the period."""
    from memberlens.dates.periods import Grain, Period

    p = s.table("points")
    year = Period(Grain.RANGE, s.period.end - timedelta(days=365), s.period.last)
    users = (
        p.filter((p.kind == "redeem") & s.within(p, "at", year))
        .select("member_id")
        .distinct()
        .mutate(uses=ibis.literal(1))
    )
    m = s.table("members").select("member_id")
    joined = m.left_join(users, "member_id")
    return joined.select("member_id", **{GROUP: ibis.ifelse(joined.uses.notnull(), "yes", "no")})


def _tier(s: Scope) -> ir.Table:
    from memberlens.segments.tiers import tiers_expression

    t = tiers_expression(s.backend, s.config, s.period.last)
    return t.select("member_id", **{GROUP: t.tier})


def _rfm_segment(s: Scope) -> ir.Table:
    """Members without a paid order in the RFM window are not scored: (unknown)."""
    from memberlens.segments.rfm import segmented

    t = segmented(s.backend, s.config, s.period.last)
    return t.select("member_id", **{GROUP: t.segment})


def _churn_risk(s: Scope) -> ir.Table:
    """The latest scores written by 'memberlens churn' (members not scored: (unknown))."""
    from memberlens.errors import InputError
    from memberlens.models.results import CHURN_TABLE, has_table

    if not has_table(s.backend, CHURN_TABLE):
        raise InputError(
            "No churn scores in this workspace yet: run 'memberlens -w DIR churn' first, "
            "then split by churn_risk."
        )
    t = s.table(CHURN_TABLE)
    return t.select("member_id", **{GROUP: t.level})


DIMENSIONS: dict[str, Dimension] = {
    d.id: d
    for d in (
        Dimension(
            "channel",
            "注册渠道",
            "Channel",
            "the member's registration channel",
            _member_column("channel"),
        ),
        Dimension(
            "store_id", "门店", "Store", "the member's home store", _member_column("store_id")
        ),
        Dimension("city", "城市", "City", "the member's city", _member_column("city")),
        Dimension(
            "cohort",
            "注册月份",
            "Registration cohort",
            "the month the member registered (YYYY-MM)",
            _cohort,
        ),
        Dimension(
            "campaign",
            "来源活动",
            "Source campaign",
            "the campaign that recruited the member",
            _member_column("source_campaign_id"),
        ),
        Dimension(
            "points_user",
            "积分使用者",
            "Points user",
            "yes = a redeem entry in the 365 days up to the period end",
            _points_user,
        ),
        Dimension("tier", "会员等级", "Tier", "the member's tier as of the period end", _tier),
        Dimension(
            "rfm_segment",
            "RFM 分群",
            "RFM segment",
            "the member's RFM segment as of the period end ((unknown): not scored)",
            _rfm_segment,
        ),
        Dimension(
            "churn_risk",
            "流失风险",
            "Churn risk",
            "high / medium / low from the latest 'memberlens churn' scores ((unknown): not scored)",
            _churn_risk,
        ),
    )
}


def dimension(dimension_id: str) -> Dimension:
    try:
        return DIMENSIONS[dimension_id]
    except KeyError:
        raise unknown_choice("dimension", dimension_id, DIMENSIONS) from None
