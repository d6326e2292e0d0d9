"""Report wording in both languages."""

from __future__ import annotations

from memberlens.labels import Label

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
    "variant": Label("实验组", "Variant"),
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
}


def label(key: str, language: str) -> str:
    return LABELS[key](language)
