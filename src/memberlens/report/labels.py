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
}


def label(key: str, language: str) -> str:
    return LABELS[key]["zh" if language == "zh" else "en"]
