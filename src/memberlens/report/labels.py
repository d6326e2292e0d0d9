"""Report wording in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from memberlens import labels
from memberlens.labels import Label
from memberlens.metrics.scope import UNKNOWN as UNKNOWN_ID

if TYPE_CHECKING:
    from memberlens.alerts.detect import Contributor

LABELS: dict[str, Label] = {
    "title": Label("会员运营月报", "Membership report"),
    "period": Label("报告期", "Period"),
    "data_range": Label("数据范围", "Data"),
    "generated": Label("生成时间", "Generated"),
    "kpis": Label("核心指标", "Key indicators"),
    "vs_previous": Label("环比", "vs previous"),
    "vs_year_ago": Label("同比", "vs last year"),
    "target": Label("目标", "Target"),
    "trends": Label("趋势", "Trends"),
    "daily_orders": Label(
        "每日订单（近13个月，标注节日）",
        "Daily orders (13 months, holidays marked)",
    ),
    "monthly": Label("月度走势", "Monthly"),
    "points_flow": Label("积分收支与负债", "Points flow and liability"),
    "issued": Label("发放", "Issued"),
    "redeemed": Label("兑换", "Redeemed"),
    "expired": Label("过期", "Expired"),
    "liability": Label("积分负债", "Liability"),
    "goals": Label("运营目标", "Goals"),
    "core": Label("核心", "core"),
    "related": Label("相关", "related"),
    "channels": Label("分渠道", "By channel"),
    "tiers": Label("分会员等级", "By member tier"),
    "rfm_segments": Label("分 RFM 客户分群", "By RFM segment"),
    "points_users": Label("积分使用者 vs 未使用者", "Points users vs non-users"),
    "difference": Label("差异 (95% 置信区间)", "Difference (95% CI)"),
    "cohorts": Label(
        "注册月份留存（有消费会员占比）",
        "Registration cohorts (share buying)",
    ),
    "alerts": Label("异常提醒", "Alerts"),
    "experiments": Label("实验结果", "Experiments"),
    "variant": Label("组别", "Variant"),
    "lift": Label("相对提升", "Relative lift"),
    "ci95": Label("95% 置信区间", "95 % CI"),
    "chance": Label("胜出概率", "Chance to win"),
    "no_alerts": Label("本期未发现异常。", "No anomalies in this period."),
    "expected": Label("预期", "expected"),
    "metric": Label("指标", "Metric"),
    "value": Label("数值", "Value"),
    "status": Label("状态", "Status"),
    "months_since": Label("注册后月数", "Months since"),
    "clv_check": Label("CLV 模型验证（留出期）", "CLV model check (holdout)"),
    "clv_fitted": Label(
        "BG/NBD + Gamma-Gamma 拟合至 {end}，与之后 {days} 天的实际购买对比",
        "BG/NBD + Gamma-Gamma fitted to {end}, checked on the {days} days after",
    ),
    "predicted": Label("预测", "Predicted"),
    "actual": Label("实际", "Actual"),
    "calibration_frequency": Label("拟合期复购次数", "Repeat purchases to the fit date"),
    "holdout_purchases": Label("人均留出期购买", "Holdout purchases per member"),
    "predicted_purchase": Label("预测购买概率", "Predicted chance to buy"),
    "bought_share": Label("实际购买占比", "Share who bought"),
    "perfect": Label("完全校准", "Perfect calibration"),
    "total_error": Label("总量误差", "Total error"),
    # chart axes (units in brackets)
    "axis_orders": Label("订单数（笔）", "Orders"),
    "axis_count": Label("数量", "Count"),
    "axis_share": Label("占比", "Share"),
    "axis_points": Label("积分", "Points"),
    "axis_money": Label("金额（{currency}）", "Amount ({currency})"),
    "axis_month": Label("月份", "Month"),
    "cohort_month": Label("注册月份", "Registration month"),
    # workbook sheets
    "sheet_kpis": Label("核心指标", "Key indicators"),
    "sheet_monthly": Label("月度指标", "Monthly"),
    "sheet_points": Label("积分月度", "Points monthly"),
    "sheet_channels": Label("分渠道", "By channel"),
    "sheet_tiers": Label("分会员等级", "By tier"),
    "sheet_segments": Label("RFM 分群", "RFM segments"),
    "sheet_cohorts": Label("注册月份留存", "Cohorts"),
    "sheet_daily": Label("每日", "Daily"),
    "sheet_goal": Label("目标 {name}", "Goal {name}"),
    "sheet_points_users": Label("积分使用者对比", "Points users"),
    "sheet_alerts": Label("异常提醒", "Alerts"),
    "sheet_experiments": Label("实验结果", "Experiments"),
    "sheet_clv_frequency": Label("CLV 按复购次数", "CLV by frequency"),
    "sheet_clv_calibration": Label("CLV 校准", "CLV calibration"),
    # workbook headers
    "h_metric": Label("指标", "Metric"),
    "h_value": Label("数值", "Value"),
    "h_target_low": Label("目标下限", "Target low"),
    "h_target_high": Label("目标上限", "Target high"),
    "h_role": Label("类别", "Role"),
    "h_channel": Label("渠道", "Channel"),
    "h_tier": Label("会员等级", "Tier"),
    "h_segment": Label("RFM 分群", "RFM segment"),
    "h_cohort_size": Label("注册会员数", "Members registered"),
    "h_month_n": Label("第 {n} 月", "Month {n}"),
    "h_day": Label("日期", "Day"),
    "h_holiday": Label("节日", "Holiday"),
    "h_ci_low": Label("置信下限", "CI low"),
    "h_ci_high": Label("置信上限", "CI high"),
    "h_members": Label("人数", "Members"),
    "h_median": Label("{group}中位数", "Median: {group}"),
    "h_members_of": Label("{group}人数", "Members: {group}"),
    "h_expected": Label("预期", "Expected"),
    "h_significant": Label("显著", "Significant"),
    "h_change": Label("变化", "Change"),
    "h_score": Label("异常分数", "Score"),
    "h_event_day": Label("节日或活动日", "Holiday or campaign"),
    "h_contributors": Label("主要贡献", "Main contributors"),
    "h_experiment": Label("实验", "Experiment"),
    "h_mean": Label("均值", "Mean"),
    "h_control_n": Label("对照组人数", "Control members"),
    "h_control_mean": Label("对照组均值", "Control mean"),
    "h_lift_abs": Label("绝对提升", "Absolute lift"),
    "h_p_holm": Label("p（Holm 校正）", "p (Holm)"),
    "h_bucket": Label("拟合期复购次数", "Repeat purchases to the fit date"),
    "h_bin": Label("分组", "Bin"),
    "h_p_alive": Label("存活概率", "P(alive)"),
    "yes": Label("是", "yes"),
    "no": Label("否", "no"),
}

#: The retail calendar's peaks by id (a peak without a label here is shown by its id).

#: Groups without a value (metrics/scope.py's ``(unknown)``), by dimension.
UNKNOWN_GROUP: dict[str, Label] = {
    "rfm_segment": Label("未评分", "Not scored"),
    "tier": Label("未定级", "No tier"),
    "channel": Label("未知渠道", "Unknown channel"),
}

#: Any other dimension's group without a value.
UNKNOWN = Label("（未知）", "(unknown)")

#: Dimensions a split or an alert's contributor names.
DIMENSIONS: dict[str, Label] = {
    "channel": Label("渠道", "channel"),
    "city": Label("城市", "city"),
    "tier": Label("会员等级", "tier"),
    "store_id": Label("门店", "store"),
    "points_user": Label("积分使用者", "points user"),
    "rfm_segment": Label("RFM 分群", "RFM segment"),
    "gender": Label("性别", "gender"),
    "age_band": Label("年龄段", "age band"),
}

#: The two groups of ``points_user``.
POINTS_USER: dict[str, Label] = {
    "yes": Label("使用积分", "Points users"),
    "no": Label("未使用积分", "Non-users"),
}

#: Channel ids: the one vocabulary of memberlens.labels (others are shown as written).
CHANNELS = labels.CHANNELS


def label(key: str, language: str, **values: object) -> str:
    """The wording of ``key`` in ``language``, with ``{name}`` fields filled from ``values``."""
    text = LABELS[key](language)
    return text.format(**values) if values else text


def group(dimension: str, value: str, language: str) -> str:
    """A group of a split as a person reads it: ``(unknown)`` and channel ids labelled."""
    if value == UNKNOWN_ID:
        return UNKNOWN_GROUP.get(dimension, UNKNOWN)(language)
    if dimension == "channel" and value in CHANNELS:
        return CHANNELS[value](language)
    if dimension == "points_user" and value in POINTS_USER:
        return POINTS_USER[value](language)
    return value


def dimension(name: str, language: str) -> str:
    """A dimension's name in ``language`` (its id when it has no label)."""
    found = DIMENSIONS.get(name)
    return name if found is None else found(language)


def contributor(c: Contributor, metric: str, language: str) -> str:
    """One contributor of an alert as a person reads it, in the metric's unit:
    ``积分使用者 = 未使用积分: 26,290 (11,332)`` — the group's value that day (its usual one)."""
    from memberlens import formatting
    from memberlens.metrics.catalog import CATALOG

    unit = str(CATALOG[metric].unit)
    return (
        f"{dimension(c.dimension, language)} = {group(c.dimension, c.group, language)}: "
        f"{formatting.number(c.value, unit)} ({formatting.number(c.expected, unit)})"
    )
