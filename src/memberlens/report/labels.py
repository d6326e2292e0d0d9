"""Report wording in both languages."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "title": {"zh": "会员运营月报", "en": "Membership report"},
    "period": {"zh": "报告期", "en": "Period"},
    "data_range": {"zh": "数据范围", "en": "Data"},
    "generated": {"zh": "生成时间", "en": "Generated"},
    "kpis": {"zh": "核心指标", "en": "Key indicators"},
    "vs_previous": {"zh": "环比", "en": "vs previous"},
    "vs_year_ago": {"zh": "同比", "en": "vs last year"},
    "target": {"zh": "目标", "en": "Target"},
    "trends": {"zh": "趋势", "en": "Trends"},
    "daily_orders": {
        "zh": "每日订单（近13个月，标注节日）",
        "en": "Daily orders (13 months, holidays marked)",
    },
    "monthly": {"zh": "月度走势", "en": "Monthly"},
    "points_flow": {"zh": "积分收支与负债", "en": "Points flow and liability"},
    "issued": {"zh": "发放", "en": "Issued"},
    "redeemed": {"zh": "兑换", "en": "Redeemed"},
    "expired": {"zh": "过期", "en": "Expired"},
    "liability": {"zh": "积分负债", "en": "Liability"},
    "goals": {"zh": "运营目标", "en": "Goals"},
    "core": {"zh": "核心", "en": "core"},
    "related": {"zh": "相关", "en": "related"},
    "channels": {"zh": "分渠道", "en": "By channel"},
    "tiers": {"zh": "分会员等级", "en": "By member tier"},
    "rfm_segments": {"zh": "分 RFM 客户分群", "en": "By RFM segment"},
    "points_users": {"zh": "积分使用者 vs 未使用者", "en": "Points users vs non-users"},
    "difference": {"zh": "差异 (95% 置信区间)", "en": "Difference (95% CI)"},
    "cohorts": {
        "zh": "注册月份留存（有消费会员占比）",
        "en": "Registration cohorts (share buying)",
    },
    "alerts": {"zh": "异常提醒", "en": "Alerts"},
    "no_alerts": {"zh": "本期未发现异常。", "en": "No anomalies in this period."},
    "expected": {"zh": "预期", "en": "expected"},
    "metric": {"zh": "指标", "en": "Metric"},
    "value": {"zh": "数值", "en": "Value"},
    "status": {"zh": "状态", "en": "Status"},
    "months_since": {"zh": "注册后月数", "en": "Months since"},
    "clv_check": {"zh": "CLV 模型验证（留出期）", "en": "CLV model check (holdout)"},
    "clv_fitted": {
        "zh": "BG/NBD + Gamma-Gamma 拟合至 {end}，与之后 {days} 天的实际购买对比",
        "en": "BG/NBD + Gamma-Gamma fitted to {end}, checked on the {days} days after",
    },
    "predicted": {"zh": "预测", "en": "Predicted"},
    "actual": {"zh": "实际", "en": "Actual"},
    "calibration_frequency": {"zh": "拟合期复购次数", "en": "Repeat purchases to the fit date"},
    "holdout_purchases": {"zh": "人均留出期购买", "en": "Holdout purchases per member"},
    "predicted_purchase": {"zh": "预测购买概率", "en": "Predicted chance to buy"},
    "bought_share": {"zh": "实际购买占比", "en": "Share who bought"},
    "perfect": {"zh": "完全校准", "en": "Perfect calibration"},
    "total_error": {"zh": "总量误差", "en": "Total error"},
}


def label(key: str, language: str) -> str:
    return LABELS[key]["zh" if language == "zh" else "en"]
