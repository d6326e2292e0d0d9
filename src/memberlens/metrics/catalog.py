"""The metric catalog: every metric as data (DESIGN §6).

A :class:`Metric` carries its id, 中文 and English names, unit, direction, class and a
one-line definition. How it is computed lives in :mod:`memberlens.metrics.compute`, keyed by
the same id; a test checks that the two agree.

Areas above the metric layer (the service metrics of the voice of the customer) add their
entries with :func:`register` and their definitions with
:func:`memberlens.metrics.compute.define`, as dimensions are registered: the catalog lives
here, the definition where its concept lives, and imports point one way. This module
imports no Ibis: ``metrics list`` and ``--help`` start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from memberlens.labels import Label, resolve


class Unit(StrEnum):
    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"  # 0..1, shown as a percentage
    TIMES = "times"  # orders per buyer
    PER_THOUSAND = "per_thousand"  # complaints per 1,000 orders
    HOURS = "hours"
    DAYS = "days"
    POINTS = "points"
    SCORE = "score"  # NPS: -100..100


class Direction(StrEnum):
    UP = "higher_is_better"
    DOWN = "lower_is_better"
    NEUTRAL = "neutral"


class MetricClass(StrEnum):
    CORE = "core"
    RELATED = "related"
    TREND = "trend"


@dataclass(frozen=True)
class Metric:
    id: str
    zh: str
    en: str
    unit: Unit
    direction: Direction
    klass: MetricClass
    definition: str

    @property
    def is_rate(self) -> bool:
        """Rates and scores change in points (pp), not in percent of themselves."""
        return self.unit in (Unit.RATIO, Unit.SCORE, Unit.PER_THOUSAND)

    def name(self, language: str) -> str:
        return Label(self.zh, self.en)(language)

    def to_dict(self) -> dict[str, str]:
        """The metric as a row of ``metrics list`` and of the HTTP catalog."""
        return {
            "id": self.id,
            "中文": self.zh,
            "name": self.en,
            "unit": str(self.unit),
            "direction": str(self.direction),
            "class": str(self.klass),
            "definition": self.definition,
        }


_U, _D, _N = Direction.UP, Direction.DOWN, Direction.NEUTRAL
_CORE, _REL, _TREND = MetricClass.CORE, MetricClass.RELATED, MetricClass.TREND

# fmt: off
#: Every metric, those registered by the areas above included (a list: :func:`register`
#: appends, so a module that imported it sees them too).
METRICS: list[Metric] = [
    # DESIGN §6
    Metric("members_total", "会员总数", "Total members", Unit.COUNT, _U, _CORE,
           "members registered at or before the end of the period"),
    Metric("new_members", "新增会员数", "New members", Unit.COUNT, _U, _CORE,
           "members registered in the period"),
    Metric("buyers", "消费会员数", "Buying members", Unit.COUNT, _U, _CORE,
           "distinct members with at least one paid order in the period"),
    Metric("active_members", "活跃会员数", "Active members", Unit.COUNT, _U, _CORE,
           "distinct members with a paid order, an event, or an earn/redeem points entry"),
    Metric("activity_rate", "会员活跃率", "Activity rate", Unit.RATIO, _U, _CORE,
           "active_members / members_total"),
    Metric("orders", "订单数", "Orders", Unit.COUNT, _U, _CORE,
           "paid member orders in the period"),
    Metric("revenue", "会员消费额", "Member revenue", Unit.MONEY, _U, _CORE,
           "sum of amount of paid member orders in the period"),
    Metric("member_revenue_share", "会员消费占比", "Member revenue share", Unit.RATIO, _U, _REL,
           "revenue / (revenue + paid non-member revenue)"),
    Metric("aov", "客单价", "Average order value", Unit.MONEY, _U, _CORE, "revenue / orders"),
    Metric("arpu", "人均消费额", "Revenue per buyer", Unit.MONEY, _U, _REL, "revenue / buyers"),
    Metric("purchase_frequency", "购买频次", "Purchase frequency", Unit.TIMES, _U, _CORE,
           "orders / buyers"),
    Metric("repurchase_rate", "复购率", "Repurchase rate", Unit.RATIO, _U, _CORE,
           "members with at least 2 paid orders in the period / buyers"),
    Metric("retention_rate", "留存率", "Retention rate", Unit.RATIO, _U, _CORE,
           "buyers of the previous period who also bought in this one / buyers of the previous"),
    Metric("repurchase_cycle_days", "复购周期(天)", "Repurchase cycle (days)", Unit.DAYS, _D, _CORE,
           "median days since the member's previous paid order, over repeat orders in the period"),
    Metric("churned_members", "流失会员数", "Churned members", Unit.COUNT, _D, _CORE,
           "members who bought before the period end but not in the last churn.inactive_days "
           "(a fixed window; the churn model's lapse follows each member's own gap)"),
    Metric("points_issued", "积分发放量", "Points issued", Unit.POINTS, _N, _CORE,
           "sum of points of earn entries in the period"),
    Metric("points_redeemed", "积分兑换量", "Points redeemed", Unit.POINTS, _U, _CORE,
           "minus the sum of points of redeem entries in the period"),
    Metric("points_expired", "积分过期量", "Points expired", Unit.POINTS, _D, _REL,
           "minus the sum of points of expire entries in the period"),
    Metric("redemption_rate", "积分使用率", "Redemption rate", Unit.RATIO, _U, _CORE,
           "points_redeemed / points_issued"),
    Metric("redeemers", "积分兑换会员数", "Redeeming members", Unit.COUNT, _U, _CORE,
           "distinct members with a redeem entry in the period"),
    Metric("points_outstanding", "积分余额", "Points outstanding", Unit.POINTS, _N, _CORE,
           "sum of points of all entries at or before the period end"),
    Metric("points_liability", "积分负债", "Points liability", Unit.MONEY, _D, _CORE,
           "points_outstanding × point_value"),
    Metric("breakage_rate", "积分沉淀率", "Breakage rate", Unit.RATIO, _N, _REL,
           "expired / (redeemed + expired), all entries at or before the period end"),
    Metric("nps", "净推荐值", "Net promoter score", Unit.SCORE, _U, _CORE,
           "% promoters (9-10) minus % detractors (0-6) of survey responses in the period"),
    # campaigns, awareness, service and the composite
    Metric("campaign_participants", "活动参与会员数", "Campaign participants", Unit.COUNT, _U, _REL,
           "distinct members touched (treatment group) by a campaign in the period"),
    Metric("campaign_conversion_rate", "活动转化率", "Campaign conversion rate", Unit.RATIO, _U,
           _REL, "participants with a paid order within campaigns.attribution_days after a "
           "touch in the period / participants"),
    Metric("attributed_revenue", "活动归因销售额", "Attributed revenue", Unit.MONEY, _U, _REL,
           "amount of distinct paid orders placed within campaigns.attribution_days after a "
           "treatment touch in the period"),
    Metric("campaign_cost", "活动成本", "Campaign cost", Unit.MONEY, _D, _REL,
           "cost of the campaigns that start in the period"),
    Metric("campaign_roi", "活动投资回报率", "Campaign ROI", Unit.RATIO, _U, _REL,
           "(attributed_revenue - campaign_cost) / campaign_cost"),
    Metric("campaign_new_members", "活动拉新数", "New members from campaigns", Unit.COUNT, _U,
           _REL, "members registered in the period with a source campaign"),
    Metric("referral_registrations", "推荐注册数", "Referral registrations", Unit.COUNT, _U, _REL,
           "members registered in the period with a referrer"),
    Metric("shares", "分享次数", "Shares", Unit.COUNT, _U, _REL,
           "share events of members in the period"),
    Metric("brand_mentions", "品牌提及量", "Brand mentions", Unit.COUNT, _U, _REL,
           "posts (message boards, Weibo, WeChat, reviews) in the period"),
    Metric("complaint_rate", "投诉率(‰)", "Complaint rate (‰)", Unit.PER_THOUSAND, _D, _REL,
           "complaint tickets opened in the period per 1,000 paid member orders"),
    Metric("resolution_hours", "平均解决时长(小时)", "Mean resolution hours", Unit.HOURS, _D, _REL,
           "mean hours from opened to resolved of tickets resolved in the period"),
    Metric("csat", "满意度", "Customer satisfaction (CSAT)", Unit.SCORE, _U, _REL,
           "mean CSAT (1-5) of survey responses in the period"),
    Metric("loyalty_index", "忠诚度指数", "Loyalty index", Unit.SCORE, _U, _TREND,
           "100 × (0.3 repurchase_rate + 0.3 retention_rate + 0.2 activity_rate "
           "+ 0.2 (nps + 100) / 200); none when a part has no value"),
]
# fmt: on

CATALOG: dict[str, Metric] = {m.id: m for m in METRICS}

#: The headline KPIs: what the demo prints and the report's cards show.
HEADLINE: tuple[str, ...] = (
    "members_total",
    "new_members",
    "active_members",
    "activity_rate",
    "buyers",
    "orders",
    "revenue",
    "aov",
    "purchase_frequency",
    "repurchase_rate",
    "retention_rate",
    "repurchase_cycle_days",
    "churned_members",
    "points_issued",
    "points_redeemed",
    "redemption_rate",
    "points_liability",
    "breakage_rate",
    "nps",
    "loyalty_index",
)


def register(entry: Metric) -> Metric:
    """Add the catalog entry of a metric an area above this layer defines; its definition
    goes beside the catalog's own with :func:`memberlens.metrics.compute.define` (in a module
    of its own, so the catalog is listed without Ibis). Registering the same metric again (a
    module reloaded) keeps it; another metric under a catalog id is an error."""
    known = CATALOG.get(entry.id)
    if known is not None and known != entry:
        raise ValueError(f"metric id '{entry.id}' is already in the catalog")
    if known is None:
        METRICS.append(entry)
        CATALOG[entry.id] = entry
    return entry


def metric(metric_id: str) -> Metric:
    """The metric named by its id, 中文 or English name (``复购率`` = ``repurchase_rate``)."""
    names = {m.id: Label(m.zh, m.en) for m in CATALOG.values()}
    return CATALOG[resolve("metric", metric_id, names, "See 'memberlens metrics list'.")]
