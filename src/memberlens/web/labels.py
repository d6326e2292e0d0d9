"""Every string the dashboard shows, in 中文 and English (one :class:`Label` each)."""

from __future__ import annotations

from memberlens.dates import calendar
from memberlens.labels import Label

APP = Label("会员洞察", "memberlens")
TAGLINE = Label("会员与积分分析", "Membership & loyalty analytics")
OVERVIEW = Label("概览", "Overview")
POINTS = Label("积分", "Points")
MEMBERS = Label("会员", "Members")
ALERTS = Label("预警", "Alerts")
LOOKUP = Label("会员查询", "Member lookup")
API_DOCS = Label("接口文档", "API")
SIGN_IN = Label("登录", "Sign in")
SIGN_OUT = Label("退出", "Sign out")
USERNAME = Label("用户名", "User name")
PASSWORD = Label("密码", "Password")
WRONG_LOGIN = Label("用户名或密码错误。", "Wrong user name or password.")
THROTTLED = Label("登录失败次数过多，请一分钟后再试。", "Too many failed sign-ins; wait a minute.")
PERIOD = Label("周期", "Period")
SPLIT_BY = Label("按维度拆分", "Split by")
NONE = Label("不拆分", "No split")
APPLY = Label("应用", "Apply")
VS_PREVIOUS = Label("环比", "vs previous")
VS_YEAR = Label("同比", "vs last year")
TARGET = Label("目标", "Target")
STATUS = {
    "on_target": Label("达标", "On target"),
    "above_target": Label("超目标", "Above target"),
    "below_target": Label("未达标", "Below target"),
    "no_target": Label("无目标", "No target"),
}
DAILY_TREND = Label("每日趋势", "Daily trend")
MONTHLY_TREND = Label("月度趋势", "Monthly trend")
HOLIDAY = Label("节日大促", "Holiday peak")
HOLIDAYS = calendar.LABELS
POINTS_FLOW = Label("积分流转", "Points flow")
LIABILITY = Label("积分负债", "Points liability")
ADJUSTED_LIABILITY = Label("扣除预计失效后的负债", "Liability net of breakage")
OUTSTANDING = Label("未使用积分", "Outstanding points")
EXPECTED_BREAKAGE = Label("预计失效率", "Expected breakage")
VINTAGES = Label("积分批次（按发放月）", "Vintages (by issue month)")
ISSUE_MONTH = Label("发放月", "Issue month")
ISSUED = Label("发放", "Issued")
REDEEMED = Label("兑换", "Redeemed")
EXPIRED = Label("过期", "Expired")
OPEN = Label("未使用", "Open")
TIERS = Label("会员等级", "Tiers")
TIER = Label("等级", "Tier")
RFM = Label("RFM 分群", "RFM segments")
SEGMENT = Label("分群", "Segment")
MEMBER_COUNT = Label("会员数", "Members")
SHARE = Label("占比", "Share")
REVENUE = Label("消费额", "Revenue")
REVENUE_SHARE = Label("消费额占比", "Revenue share")
COHORTS = Label("注册月留存（队列）", "Cohort retention (registration month)")
COHORT = Label("队列", "Cohort")
MONTHS_SINCE = Label("注册后月数", "Months since")
AS_OF = Label("截至", "As of")
DRILL = Label("下钻", "Drill-down")
METRICS_BY = Label("指标拆分", "Metrics split by")
MEMBER_LIST = Label("会员名单（已脱敏）", "Member list (masked)")
DOWNLOAD_CSV = Label("下载 CSV", "Download CSV")
SHOWING = Label("显示前 {n} 名，共 {total} 名", "Showing {n} of {total}")
DOWNLOADS = Label("下载报告", "Download report")
REPORT_HTML = Label("报告 HTML", "Report (HTML)")
REPORT_XLSX = Label("报告 Excel", "Report (Excel)")
REPORT_PDF = Label("报告 PDF", "Report (PDF)")
MEMBER_ID = Label("会员编号", "Member id")
FIND = Label("查询", "Find")
LOOKUP_BY = Label("会员编号或手机号", "Member id or phone")
LOOKUP_HINT = Label(
    "手机号可输入脱敏形式，如 138****8000", "A phone may be given masked, e.g. 138****8000"
)
CANDIDATES = Label("找到 {total} 位会员", "{total} members found")
MEMBER_SHARE = Label("会员占比", "Member share")
TIER_MIGRATION = Label("等级迁移（人数）", "Tier migration (members)")
FROM_TIER = Label("期初等级", "Tier at start")
TO_TIER = Label("期末等级", "Tier at end")
VALUE_LOYALTY = Label("价值 × 忠诚度", "Value × loyalty")
CLV_DISTRIBUTION = Label("客户终身价值分布（未来 12 个月）", "CLV distribution (next 12 months)")
CHURN_DISTRIBUTION = Label("流失风险分布", "Churn-risk distribution")
NO_CLV = Label(
    "尚无 CLV：运行 memberlens clv --calibration-end D --save。",
    "No CLV yet: run memberlens clv --calibration-end D --save.",
)
NO_CHURN = Label(
    "尚无流失评分：运行 memberlens churn。", "No churn scores yet: run memberlens churn."
)
SCORED = Label("已评分会员", "Members scored")
RISK_LEVELS = {
    "low": Label("低", "low"),
    "medium": Label("中", "medium"),
    "high": Label("高", "high"),
}
NOT_FOUND = Label("没有这个会员。", "No such member.")
NO_ALERTS = Label("本期没有异常。", "No anomalies in this period.")
DAY = Label("日期", "Day")
METRIC = Label("指标", "Metric")
VALUE = Label("数值", "Value")
EXPECTED = Label("预期", "Expected")
CHANGE = Label("变化", "Change")
SCORE = Label("异常分", "Score")
CONTRIBUTORS = Label("主要贡献", "Main contributors")
EVENT_DAY = Label("节日/活动日", "Holiday or campaign day")
NO_DATA = Label("还没有数据：请先导入订单。", "No data yet: load some orders first.")
BUSY = Label("数据正在导入，请稍后刷新。", "A data load is running; refresh in a moment.")
PROFILE = {
    "tier_name": Label("等级", "Tier"),
    "segment_name": Label("RFM 分群", "RFM segment"),
    "phone": Label("手机", "Phone"),
    "registered_at": Label("注册时间", "Registered"),
    "orders": Label("订单数", "Orders"),
    "spend": Label("累计消费", "Spend"),
    "recency_days": Label("距上次购买天数", "Days since last order"),
    "points_balance": Label("积分余额", "Points balance"),
    "clv": Label("客户终身价值", "CLV"),
    "p_alive": Label("活跃概率", "P(alive)"),
    "churn_risk": Label("流失风险", "Churn risk"),
    "churn_level": Label("风险等级", "Risk level"),
    "as_of": Label("截至", "As of"),
}
TIER_HISTORY = Label("等级历史", "Tier history")
NOW = Label("至今", "now")
LANGUAGE_SWITCH = Label("English", "中文")
EXPERIMENTS = Label("实验与活动", "Experiments")
CAMPAIGNS = Label(
    "营销活动(对照组增量,按单位成本增量消费额排序)",
    "Campaigns against their holdouts (ranked by incremental revenue per cost)",
)
CAMPAIGN = Label("活动", "Campaign")
TREATED = Label("触达", "Treated")
HOLDOUT = Label("对照", "Holdout")
CONVERSION_LIFT = Label("增量转化率", "Incremental conversion")
REVENUE_LIFT = Label("增量消费额", "Incremental revenue")
COST = Label("成本", "Cost")
ROI = Label("投资回报率", "ROI")
INTERVAL_95 = Label("95% 区间", "95 % CI")
NO_CAMPAIGNS = Label("没有已导入的营销活动触达。", "No campaign touches are loaded.")
EXPERIMENT = Label("实验", "Experiment")
NO_EXPERIMENTS = Label("没有已导入的实验分组。", "No experiment assignments are loaded.")
READ_OUT = Label("实验结果", "Read-out")
ARMS = Label("分组", "Arms")
VARIANT = Label("组别", "Variant")
SRM_CHECK = Label("样本比例检验", "Sample ratio check")
NO_SRM = Label("样本比例无异常(p = {p})", "No sample ratio mismatch (p = {p})")
SRM = Label(
    "样本比例异常(p = {p}):先检查分组再解读结果",
    "Sample ratio mismatch (p = {p}): check the assignment before reading the results",
)
LIFT_CHART = Label("相对提升及 95% 区间", "Relative lift with 95 % intervals")
MEAN = Label("均值", "Mean")
CONTROL_MEAN = Label("对照均值", "Control mean")
LIFT = Label("相对提升", "Lift")
P_VALUE = Label("p 值", "p")
P_HOLM = Label("Holm 校正 p", "p (Holm)")
CHANCE = Label("胜出概率", "Chance to win")
VOC = Label("客户之声", "Voice of the customer")
TEXT_TABLE = Label("来源", "Source")
TEXT_TABLES = {
    "tickets": Label("工单", "Tickets"),
    "surveys": Label("问卷", "Surveys"),
    "posts": Label("帖子", "Posts"),
}
TOPICS = Label("话题({first} 至 {last})", "Topics ({first} to {last})")
TOPIC = Label("话题", "Topic")
KEYWORDS = Label("关键词", "Keywords")
SIZE = Label("条数", "Texts")
NEGATIVE_SHARE = Label("负面占比", "Negative")
TREND = Label("每周趋势", "Weekly trend")
EXAMPLES = Label("示例(已脱敏)", "Examples (masked)")
NO_TOPICS = Label("这段时间没有文本。", "No texts in this window.")
EMERGING = Label(
    "新兴话题(周环比 ≥ 2 倍且 ≥ 10 条)", "Emerging topics (week over week ≥ 2× and ≥ 10 texts)"
)
NO_EMERGING = Label("没有新兴话题。", "No emerging topics.")
WEEK = Label("周", "Week")
PREVIOUS_WEEK = Label("上周", "Week before")
NPS = Label("净推荐值(NPS,95% 区间)", "NPS (95 % interval)")
RESPONSES = Label("回答数", "Responses")
PROMOTERS = Label("推荐者", "Promoters")
PASSIVES = Label("中立者", "Passives")
DETRACTORS = Label("贬损者", "Detractors")
NPS_BY_TIER = Label("按等级的 NPS({period})", "NPS by tier ({period})")
CONTROL_ARM = Label("对照组", "control arm")
#: Column headers of member lists (the CSV download keeps the ids).
COLUMNS = {
    "member_id": Label("会员编号", "Member id"),
    "phone": Label("手机", "Phone"),
    "city": Label("城市", "City"),
    "channel": Label("渠道", "Channel"),
    "store_id": Label("门店", "Store"),
    "tier": Label("等级编号", "Tier id"),
    "tier_name": Label("等级", "Tier"),
    "segment": Label("分群编号", "Segment id"),
    "segment_name": Label("RFM 分群", "RFM segment"),
    "value_tier": Label("价值层级", "Value tier"),
    "value_group": Label("价值 × 忠诚", "Value group"),
    "balance": Label("积分余额", "Points balance"),
    "last_order_date": Label("最近下单", "Last order"),
    "spend": Label("消费额", "Spend"),
}
