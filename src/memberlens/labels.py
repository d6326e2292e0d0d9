"""Bilingual strings: one :class:`Label` per thing a person reads, in 中文 and English.

Besides the class this module holds the vocabulary of ids a person reads in tables
(channels, holidays, order statuses, points and ticket kinds, churn levels, column headers,
"unknown"), and :func:`resolve`, the one place where a name typed by a person (an id, its
中文 or its English label) becomes an id. The tier names come from the workspace's
``[tiers]`` levels (:func:`memberlens.program.tiers.tier_labels`), the RFM segments from
:mod:`memberlens.segments.rfm`, the metrics and dimensions from their catalogs.

>>> Label("会员等级", "Tier")("en")
'Tier'
>>> resolve("channel", "小程序", CHANNELS)
'mini_program'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from memberlens.errors import unknown_choice

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


@dataclass(frozen=True)
class Label:
    """A string in both languages; call it with the workspace language."""

    zh: str
    en: str

    def __call__(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def __str__(self) -> str:
        return self.en


#: The group of members without a value for a split (no channel, no tier …) and of facts
#: without a member; its id in every result is ``(unknown)``.
UNKNOWN_ID = "(unknown)"
UNKNOWN = Label("(未知)", "(unknown)")
#: Members without a paid order in the RFM window: not scored. The one label the CLI, the
#: report and the dashboard show for the ``(unknown)`` group of ``rfm_segment`` and for the
#: ``(not scored)`` row of a segment migration.
NOT_SCORED = Label("(未评分)", "(not scored)")

CHANNELS: dict[str, Label] = {
    "store": Label("门店", "Store"),
    "mini_program": Label("小程序", "Mini program"),
    "app": Label("App", "App"),
    "ecommerce": Label("电商", "E-commerce"),
}

#: Retail calendar days (official holidays and shopping festivals) by id.
HOLIDAYS: dict[str, Label] = {  # the retail calendar's occasions (memberlens.dates.calendar)
    "new_year": Label("元旦", "New Year's Day"),
    "spring_festival": Label("春节", "Spring Festival"),
    "qingming": Label("清明节", "Qingming Festival"),
    "labour_day": Label("劳动节", "Labour Day"),
    "dragon_boat": Label("端午节", "Dragon Boat Festival"),
    "mid_autumn": Label("中秋节", "Mid-Autumn Festival"),
    "national_day": Label("国庆节", "National Day"),
    "womens_day": Label("38女神节", "Women's Day (3.8)"),
    "520": Label("520", "520 (Love Day)"),
    "618": Label("618", "618"),
    "qixi": Label("七夕", "Qixi (Chinese Valentine's Day)"),
    "double11": Label("双11", "Double 11"),
    "double12": Label("双12", "Double 12"),
    "member_day": Label("会员日", "Member day"),
    "makeup_workday": Label("调休上班", "Make-up working day"),
}

#: The churn model's features (models/churn/lapse.py, the VoC ones from voc/members.py).
CHURN_FEATURES: dict[str, Label] = {
    "recency_days": Label("距上次购买天数", "Days since the last purchase"),
    "recency_share": Label("距上次购买 / 常规间隔", "Days since last purchase / typical gap"),
    "purchase_days": Label("购买天数", "Purchase days"),
    "orders_365": Label("近一年订单数", "Orders, last 365 days"),
    "spend_365": Label("近一年消费额", "Spend, last 365 days"),
    "typical_gap": Label("常规复购间隔(天)", "Typical repurchase gap (days)"),
    "tenure_days": Label("入会天数", "Days since registration"),
    "tier_rank": Label("会员等级", "Tier rank"),
    "points_balance": Label("积分余额", "Points balance"),
    "points_earned_365": Label("近一年获得积分", "Points earned, last 365 days"),
    "redemptions_365": Label("近一年兑换次数", "Redemptions, last 365 days"),
    "campaign_responses_365": Label("近一年活动响应", "Campaign responses, last 365 days"),
    "touches_365": Label("近一年营销触达", "Campaign touches, last 365 days"),
    "complaints_365": Label("近一年投诉数", "Complaints, last 365 days"),
    "nps_last": Label("最近一次 NPS 评分", "Last NPS score"),
    "channels": Label("使用渠道数", "Channels used"),
    "events_90": Label("近 90 天互动次数", "Interactions, last 90 days"),
    "voc_texts": Label("发言条数", "Texts written"),
    "voc_negative_share": Label("负面发言占比", "Share of negative texts"),
    "voc_mean_sentiment": Label("平均情感得分", "Mean sentiment"),
    **{f"voc_topic_{i}": Label(f"投诉话题 {i}", f"Complaint topic {i}") for i in range(1, 7)},
}

ORDER_STATUSES: dict[str, Label] = {
    "paid": Label("已支付", "Paid"),
    "refunded": Label("已退款", "Refunded"),
    "cancelled": Label("已取消", "Cancelled"),
}

POINT_KINDS: dict[str, Label] = {
    "earn": Label("获得", "Earn"),
    "redeem": Label("兑换", "Redeem"),
    "expire": Label("过期", "Expire"),
    "adjust": Label("调整", "Adjust"),
}

TICKET_KINDS: dict[str, Label] = {
    "complaint": Label("投诉", "Complaint"),
    "suggestion": Label("建议", "Suggestion"),
    "return": Label("退货", "Return"),
    "inquiry": Label("咨询", "Inquiry"),
}

CHURN_LEVELS: dict[str, Label] = {
    "high": Label("高", "High"),
    "medium": Label("中", "Medium"),
    "low": Label("低", "Low"),
}

#: The behaviours of the drivers analysis (:mod:`memberlens.analyses.drivers`; the member
#: features it shares with the churn model, the VoC ones included, named as there), the units
#: of their odds ratios, and the weekdays of a trend's weekly rhythm (Monday first).
BEHAVIOURS: dict[str, Label] = {
    "orders_in_period": Label("本期订单数", "Orders in the period"),
    "redeemed": Label("兑换过积分", "Redeemed points"),
    "campaign_response": Label("响应过营销活动", "Responded to a campaign"),
    "complained": Label("投诉过", "Complained"),
    **{
        k: v
        for k, v in CHURN_FEATURES.items()
        if k in ("channels", "tenure_days") or k.startswith("voc_")
    },
}
ODDS_UNITS: dict[str, Label] = {
    "yes vs no": Label("有 vs 无", "yes vs no"),
    "per standard deviation": Label("每增加一个标准差", "per standard deviation"),
}
WEEKDAYS: tuple[Label, ...] = (
    Label("周一", "Mon"),
    Label("周二", "Tue"),
    Label("周三", "Wed"),
    Label("周四", "Thu"),
    Label("周五", "Fri"),
    Label("周六", "Sat"),
    Label("周日", "Sun"),
)

#: Column headers and the figures of key/value tables, by id (unlisted ids are shown as is).
HEADERS: dict[str, Label] = {
    # members, tiers and segments
    "member_id": Label("会员编号", "Member"),
    "members": Label("会员数", "Members"),
    "tier": Label("等级", "Tier"),
    "tier_name": Label("等级名称", "Tier name"),
    "next_tier": Label("下一等级", "Next tier"),
    "progress": Label("达成度", "Progress"),
    "spend": Label("消费额", "Spend"),
    "orders": Label("订单数", "Orders"),
    "spend_gap": Label("消费差额", "Spend to go"),
    "orders_gap": Label("订单差额", "Orders to go"),
    "segment": Label("RFM 分群", "RFM segment"),
    "segment_name": Label("分群名称", "Segment name"),
    "channel": Label("渠道", "Channel"),
    "city": Label("城市", "City"),
    "store_id": Label("门店", "Store"),
    "phone": Label("手机", "Phone"),
    "registered_at": Label("注册时间", "Registered"),
    "recency_days": Label("距上次购买天数", "Days since last order"),
    "frequency": Label("购买次数", "Frequency"),
    "monetary": Label("消费金额", "Monetary"),
    "date": Label("日期", "Date"),
    "last_order_date": Label("最近下单日期", "Last order"),
    "day": Label("天数", "Day"),
    "month": Label("月份", "Month"),
    "from": Label("原等级", "From"),
    "upgrades": Label("升级", "Upgrades"),
    "downgrades": Label("降级", "Downgrades"),
    "tier_history": Label("等级历史", "Tier history"),
    "as_of": Label("截至", "As of"),
    "field": Label("项目", "Field"),
    "figure": Label("项目", "Figure"),
    "value": Label("数值", "Value"),
    "metric": Label("指标", "Metric"),
    "period": Label("周期", "Period"),
    # analyses, RFM and targets
    "measure": Label("指标", "Measure"),
    "difference_ci": Label("差值(95% 置信区间)", "Difference (95% CI)"),
    "p_value": Label("p 值", "p"),
    "sample_size": Label("样本数", "n"),
    "behaviour": Label("行为", "Behaviour"),
    "unit": Label("单位", "Unit"),
    "odds_ratio_ci": Label("优势比(95% 置信区间)", "Odds ratio (95% CI)"),
    "repurchase_with_without": Label("复购率 有 / 无", "Repurchase with / without"),
    "complaint_topic": Label("投诉话题", "Complaint topic"),
    "peak": Label("节日", "Peak"),
    "peak_observed": Label("实际值", "Observed"),
    "peak_trend": Label("趋势值", "Trend"),
    "trend_ratio": Label("× 趋势", "× trend"),
    "series_observed": Label("实际", "observed"),
    "series_trend": Label("趋势", "trend"),
    "series_weekday": Label("星期", "weekday"),
    "member_share": Label("会员占比", "Share"),
    "revenue": Label("消费额", "Revenue"),
    "revenue_share": Label("消费额占比", "Revenue share"),
    "mean_recency_days": Label("平均 R(天)", "R days"),
    "mean_frequency": Label("平均 F", "F"),
    "mean_monetary": Label("平均 M", "M"),
    # what-if
    "current": Label("当前规则", "Current rules"),
    "candidate": Label("候选规则", "Candidate"),
    "change": Label("变化", "Change"),
    "points_issued_purchases": Label("消费发放积分", "Points issued on purchases"),
    "points_expired": Label("积分过期量", "Points expired"),
    "points_outstanding": Label("积分余额", "Points outstanding"),
    "points_liability": Label("积分负债", "Points liability"),
    "benefit_cost": Label("权益成本", "Benefit cost"),
    "members_over_redeemed": Label("兑换超过余额的会员", "Members redeeming past their balance"),
    # points
    "points": Label("积分", "Points"),
    "balance": Label("积分余额", "Balance"),
    "points_balance": Label("积分余额", "Points balance"),
    "band": Label("积分区间", "Band"),
    "last_active_at": Label("最近活跃时间", "Last active"),
    "days_inactive": Label("未活跃天数", "Days inactive"),
    "issue_month": Label("发放月", "Issue month"),
    "issued": Label("发放", "Issued"),
    "redeemed": Label("兑换", "Redeemed"),
    "expired": Label("过期", "Expired"),
    "adjusted": Label("调整", "Adjusted"),
    "open": Label("未使用", "Open"),
    "open_share": Label("未使用占比", "Open share"),
    "months_since_issue": Label("发放后月数", "Months since issue"),
    "open_points": Label("未使用积分", "Open points"),
    "redeemed_share": Label("已兑换占比", "Redeemed share"),
    "expired_share": Label("已过期占比", "Expired share"),
    "final_expired_share": Label("最终过期占比", "Final expired share"),
    "breakage_rate": Label("沉淀率", "Breakage rate"),
    "expected_breakage": Label("预计失效积分", "Expected breakage"),
    "mature_months": Label("已结清发放月", "Mature issue months"),
    "mature_issued": Label("已结清月发放量", "Issued in mature months"),
    "ultimate_breakage_rate": Label("最终沉淀率", "Ultimate breakage rate"),
    "expected_breakage_points": Label("预计失效积分", "Expected breakage (points)"),
    "expected_breakage_rate": Label("预计失效率", "Expected breakage rate"),
    "outstanding_points": Label("积分余额", "Outstanding points"),
    "point_value": Label("每积分价值", "Point value"),
    "liability": Label("积分负债", "Liability"),
    "adjusted_liability_points": Label(
        "扣除预计失效后的积分", "Outstanding net of breakage (points)"
    ),
    "adjusted_liability": Label("扣除预计失效后的负债", "Liability net of breakage"),
    "expires_in": Label("到期月份", "Expires in"),
    # models
    "model": Label("模型", "Model"),
    "parameter": Label("参数", "Parameter"),
    "estimate": Label("估计值", "Estimate"),
    "std_error": Label("标准误", "Std. error"),
    "bucket": Label("拟合期复购次数", "Calibration repeat purchases"),
    "predicted": Label("预测", "Predicted"),
    "actual": Label("实际", "Actual"),
    "bin": Label("P(活跃) 区间", "P(alive) bin"),
    "p_alive": Label("活跃概率", "P(alive)"),
    "p_purchase": Label("预测购买概率", "Predicted chance to buy"),
    "bought": Label("实际购买占比", "Share who bought"),
    "decile": Label("风险十分位", "Risk decile"),
    "observed": Label("实际流失率", "Observed"),
    "feature": Label("特征", "Feature"),
    "importance": Label("重要性", "Importance"),
    "std": Label("标准差", "Std."),
    "clv": Label("客户终身价值", "CLV"),
    "expected_purchases": Label("预计购买天数", "Expected purchase days"),
    "expected_spend": Label("预计每次消费", "Expected spend per purchase"),
    "clv_calibration_end": Label("CLV 拟合截止", "CLV calibration end"),
    "churn_risk": Label("流失风险", "Churn risk"),
    "churn_level": Label("风险等级", "Risk level"),
    "churn_as_of": Label("流失评分日期", "Churn scored as of"),
    # cohorts
    "cohort": Label("队列", "Cohort"),
    "cohort_size": Label("队列人数", "Cohort size"),
    # experiments, campaigns, causal and voice of the customer
    "baseline_mean": Label("基线均值", "Baseline mean"),
    "baseline_sd": Label("基线标准差", "Baseline std."),
    "mde_abs": Label("最小可检测效应(绝对值)", "Minimum detectable effect (absolute)"),
    "mde_rel": Label("最小可检测效应(相对值)", "Minimum detectable effect (relative)"),
    "n_per_arm": Label("每组样本量", "Members per arm"),
    "eligible_per_day": Label("每日可入组会员", "Eligible members per day"),
    "days": Label("所需天数", "Days needed"),
    "variant": Label("组别", "Variant"),
    "n": Label("样本量", "n"),
    "mean": Label("均值", "Mean"),
    "control_mean": Label("对照均值", "Control mean"),
    "lift": Label("相对提升", "Lift"),
    "ci": Label("置信区间", "CI"),
    "p": Label("p 值", "p"),
    "p_holm": Label("Holm p 值", "p (Holm)"),
    "chance_to_win": Label("胜出概率", "Chance to win"),
    "campaign_id": Label("活动", "Campaign"),
    "treated": Label("触达人数", "Treated"),
    "holdout": Label("对照人数", "Holdout"),
    "incremental_conversion": Label("转化提升", "Conversion lift"),
    "incremental_revenue": Label("增量收入", "Incremental revenue"),
    "revenue_ci": Label("收入区间", "Revenue CI"),
    "cost": Label("成本", "Cost"),
    "roi": Label("回报率", "ROI"),
    "roi_ci": Label("回报率区间", "ROI CI"),
    "method": Label("方法", "Method"),
    "effect": Label("效应", "Effect"),
    "assumption": Label("前提假设", "Assumption"),
    "covariate": Label("协变量", "Covariate"),
    "before": Label("加权前", "Before weighting"),
    "after": Label("加权后", "After weighting"),
    "id": Label("编号", "Id"),
    "language": Label("语言", "Language"),
    "sentiment": Label("情感", "Sentiment"),
    "score": Label("得分", "Score"),
    "topic": Label("话题", "Topic"),
    "label": Label("标签", "Label"),
    "keywords": Label("关键词", "Keywords"),
    "size": Label("条数", "Size"),
    "share": Label("占比", "Share"),
    "negative_share": Label("负面占比", "Negative share"),
    "trend": Label("每周条数", "Weekly trend"),
    "examples": Label("示例", "Examples"),
    "week": Label("周", "Week"),
    "previous": Label("上周", "Previous week"),
    "promoters": Label("推荐者", "Promoters"),
    "passives": Label("中立者", "Passives"),
    "detractors": Label("贬损者", "Detractors"),
    "nps": Label("净推荐值", "NPS"),
}

#: The outcomes of an experiment (memberlens.experiments.outcomes.Outcome) by id.
OUTCOMES: dict[str, Label] = {
    "conversion": Label("转化率", "Conversion"),
    "orders": Label("订单数", "Orders"),
    "revenue": Label("收入", "Revenue"),
    "repurchase": Label("复购率", "Repurchase"),
    "redemption": Label("兑换率", "Redemption"),
    "points_redeemed": Label("兑换积分", "Points redeemed"),
    "aov": Label("客单价", "Average order value"),
}

#: The usual arms of an experiment (other variant ids are shown as they are).
VARIANTS: dict[str, Label] = {
    "control": Label("对照组", "Control"),
    "treatment": Label("实验组", "Treatment"),
}

#: The read-outs of ``causal points`` and the covariates they balance.
CAUSAL_METHODS: dict[str, Label] = {
    "naive": Label("朴素对比", "Naive comparison"),
    "weighted": Label("逆倾向加权", "Inverse propensity weighting"),
    "did": Label("双重差分", "Difference in differences"),
}
COVARIATES: dict[str, Label] = {
    "orders_year": Label("近一年订单数", "Orders, last year"),
    "revenue_year": Label("近一年消费额", "Revenue, last year"),
    "orders_year_before": Label("前一年订单数", "Orders, the year before"),
    "days_since_last_order": Label("距上次下单天数", "Days since the last order"),
    "tenure_days": Label("入会天数", "Days since registration"),
    "points_earned_year": Label("近一年获得积分", "Points earned, last year"),
}

#: The sentiment of a text and the language it is written in (memberlens.voc).
SENTIMENTS: dict[str, Label] = {
    "positive": Label("正面", "Positive"),
    "neutral": Label("中性", "Neutral"),
    "negative": Label("负面", "Negative"),
}
TEXT_LANGUAGES: dict[str, Label] = {
    "zh": Label("中文", "Chinese"),
    "en": Label("英文", "English"),
    "unknown": Label("未知", "Unknown"),
}


def header(column: str, language: str) -> str:
    """A column's header in ``language`` (the id itself when the vocabulary has none)."""
    found = HEADERS.get(column)
    return column if found is None else found(language)


def _key(text: str) -> str:
    """Names compare without case, width (全角) or spacing: "Mini Program" = "mini_program"."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    return "".join(ch for ch in folded if ch not in " _-·()（）")


def resolve(
    kind: str,
    value: str,
    choices: Mapping[str, Label | Iterable[str]],
    hint: str = "",
    parameter: str | None = None,
) -> str:
    """The id that ``value`` names: the id itself, its 中文 or its English label.

    ``choices`` maps each id to its :class:`Label` or to the names it may be written as.
    Case, full-width characters and spaces are ignored. An unknown name raises
    :class:`~memberlens.errors.InputError` with the closest id or name ("Did you mean …").

    >>> resolve("segment", "重要挽留客户", {"important_winback": Label("重要挽留客户", "x")})
    'important_winback'
    """
    found = find(value, choices)
    if found is not None:
        return found
    also = [n for label in choices.values() for n in _spellings(label)]
    raise unknown_choice(kind, value, choices, hint, parameter=parameter, also=also)


def find(value: str, choices: Mapping[str, Label | Iterable[str]]) -> str | None:
    """The id that ``value`` names as in :func:`resolve`, or None (for validators that
    collect every problem before raising)."""
    if value in choices:
        return value
    names: dict[str, str] = {}
    for choice, label in choices.items():
        for name in (choice, *_spellings(label)):
            names.setdefault(_key(name), choice)
    return names.get(_key(value))


def _spellings(label: Label | Iterable[str]) -> tuple[str, ...]:
    return (label.zh, label.en) if isinstance(label, Label) else tuple(label)


__all__ = [
    "BEHAVIOURS",
    "CAUSAL_METHODS",
    "CHANNELS",
    "CHURN_FEATURES",
    "CHURN_LEVELS",
    "COVARIATES",
    "HEADERS",
    "HOLIDAYS",
    "LANGUAGES",
    "NOT_SCORED",
    "ODDS_UNITS",
    "ORDER_STATUSES",
    "OUTCOMES",
    "POINT_KINDS",
    "SENTIMENTS",
    "TEXT_LANGUAGES",
    "TICKET_KINDS",
    "UNKNOWN",
    "UNKNOWN_ID",
    "VARIANTS",
    "WEEKDAYS",
    "Label",
    "Language",
    "find",
    "header",
    "resolve",
]
