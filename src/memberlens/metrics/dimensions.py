"""Dimensions a member metric can be split by (DESIGN §6), as a registry.

The member attributes (channel, store, city, cohort, source campaign) and points_user are
defined here; the tier (:mod:`memberlens.program.tiers`), the RFM segment
(:mod:`memberlens.segments.rfm`) and the churn risk (:mod:`memberlens.models.churn.model`) are
registered by their own modules with :func:`register`, so imports point one way.

A dimension maps every member to one label as of the end of the period, so a split is a
partition: the groups add up to the whole for counts and sums. Members without a value are
in the group ``(unknown)``; facts without a member (surveys by anonymous respondents) too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import ibis
import ibis.expr.types as ir

from memberlens.labels import resolve
from memberlens.metrics.scope import GROUP, Dimension, Scope


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


DIMENSIONS: dict[str, Dimension] = {
    d.id: d
    for d in (
        Dimension(
            "channel",
            "注册渠道",
            "Channel",
            "the member's registration channel",
            _member_column("channel"),
            fixed=True,
        ),
        Dimension(
            "store_id",
            "门店",
            "Store",
            "the member's home store",
            _member_column("store_id"),
            fixed=True,
        ),
        Dimension("city", "城市", "City", "the member's city", _member_column("city"), fixed=True),
        Dimension(
            "cohort",
            "注册月份",
            "Registration cohort",
            "the month the member registered (YYYY-MM)",
            _cohort,
            fixed=True,
        ),
        Dimension(
            "campaign",
            "来源活动",
            "Source campaign",
            "the campaign that recruited the member",
            _member_column("source_campaign_id"),
            fixed=True,
        ),
        Dimension(
            "points_user",
            "积分使用者",
            "Points user",
            "yes = a redeem entry in the 365 days up to the period end",
            _points_user,
        ),
    )
}


def register(d: Dimension) -> Dimension:
    """Add a dimension defined by a layer above (tiers, RFM segments, churn risk): the
    registry lives here, the definitions where their concept lives."""
    DIMENSIONS[d.id] = d
    return d


#: Other names a person writes for a dimension besides its id, 中文 and English name.
ALSO_CALLED: dict[str, tuple[str, ...]] = {
    "channel": ("渠道", "来源渠道"),
    "store_id": ("门店编号", "store"),
    "cohort": ("注册月", "队列"),
    "tier": ("等级",),
    "rfm_segment": ("RFM", "RFM 分群", "分群"),
}


def dimension(dimension_id: str, parameter: str | None = None) -> Dimension:
    """The dimension named by its id, 中文 or English name (``渠道`` = ``channel``)."""
    names = {d.id: (d.zh, d.en, *ALSO_CALLED.get(d.id, ())) for d in DIMENSIONS.values()}
    return DIMENSIONS[resolve("dimension", dimension_id, names, parameter=parameter)]
