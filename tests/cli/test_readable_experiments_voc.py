"""The experiment, campaign, causal and voice-of-the-customer tables in the workspace
language (headers, titles and ids as their labels, numbers written for people), while
``--format json`` keeps DESIGN §12/§13's ids and keys."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import memberlens as ml
from cli.running import invoke
from memberlens.cli.render import console

DESIGN = ("experiment", "design", "--metric", "conversion", "--mde", "0.1", "--relative")
ANALYZE = ("experiment", "analyze", "EXP2025PUSH", "--cuped")
CAUSAL = ("causal", "points", "--as-of", "2025-09-30")
SENTIMENT = ("voc", "sentiment", "--table", "tickets")
TOPICS = ("voc", "topics", "--table", "posts", "--from", "2025-10-01", "--to", "2025-12-31")
NPS = ("voc", "nps", "--period", "2025-Q4", "--by", "tier")


@pytest.fixture(scope="module")
def english(demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo workspace whose configuration says language = "en"."""
    root = tmp_path_factory.mktemp("english") / "ws"
    shutil.copytree(demo_ws.root, root)
    config = root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    assert 'language = "zh"' in text
    config.write_text(text.replace('language = "zh"', 'language = "en"'), encoding="utf-8")
    return str(root)


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal, so that no header is wrapped over two lines."""
    monkeypatch.setattr(console, "_width", 300)


def _table(root: str, *args: str) -> str:
    done = invoke("-w", root, *args)
    assert done.exit_code == 0, done.stdout
    return done.stdout


def _json(root: str, *args: str) -> object:
    return json.loads(_table(root, *args, "--format", "json"))


def _absent(text: str, *words: str) -> None:
    left = [w for w in words if w in text]
    assert not left, left


def test_experiment_design(demo_ws: ml.Workspace, english: str) -> None:
    zh = _table(str(demo_ws.root), *DESIGN)
    assert "实验设计:转化率" in zh
    assert "基线均值" in zh and "每组样本量" in zh and "所需天数" in zh and "数值" in zh
    _absent(zh, "Design:", "baseline_mean", "n_per_arm", "eligible_per_day", "value", "conversion")
    assert "10.0%" in zh  # the relative effect in percent
    en = _table(english, *DESIGN)
    assert "Design: Conversion" in en and "Baseline mean" in en and "Members per arm" in en
    _absent(en, "基线", "baseline_mean")
    data = _json(str(demo_ws.root), *DESIGN)
    assert isinstance(data, dict)
    assert list(data) == [
        "metric", "baseline_mean", "baseline_sd", "mde_abs", "mde_rel", "n_per_arm",
        "eligible_per_day", "days",
    ]  # fmt: skip
    assert data["metric"] == "conversion"


def test_experiment_analyze(demo_ws: ml.Workspace, english: str) -> None:
    zh = _table(str(demo_ws.root), *ANALYZE)
    for word in (
        "EXP2025PUSH:各组人数",
        "对照组",
        "实验组",
        "指标",
        "组别",
        "样本量",
        "均值",
        "对照均值",
        "相对提升",
        "置信区间",
        "p 值",
        "胜出概率",
        "转化率",
        "客单价",
    ):
        assert word in zh, word
    assert "实验组 对 转化率" in zh and "样本比例" in zh  # the verdict and the SRM line
    _absent(zh, "control_mean", "chance_to_win", "p_holm", "treatment", "conversion", "aov")
    # rates and lifts in percent, p-values with three decimals
    assert re.search(r"[+-]\d+\.\d%", zh) and re.search(r"\b[01]\.\d{3}\b", zh)
    assert not re.search(r"\d\.\d{4}", zh)
    en = _table(english, *ANALYZE)
    for word in ("members per arm", "Control", "Treatment", "Metric", "Variant", "Lift",
                 "Chance to win", "Conversion", "Average order value"):  # fmt: skip
        assert word in en, word
    assert "sample ratio mismatch" in en  # the SRM line
    _absent(en, "指标", "实验组")
    data = _json(str(demo_ws.root), *ANALYZE)
    assert isinstance(data, dict)
    assert list(data) == ["experiment_id", "control", "window_days", "arms", "srm", "results"]
    assert set(data["results"][0]) == {
        "metric", "variant", "n", "mean", "control_n", "control_mean", "lift_abs", "ci_abs",
        "lift_rel", "ci_rel", "p_value", "p_holm", "p_bh", "chance_to_win", "risk", "cuped",
    }  # fmt: skip
    assert {r["metric"] for r in data["results"]} >= {"conversion", "aov"}
    assert {r["variant"] for r in data["results"]} == {"treatment"}


def test_experiment_assign_says_where_members_went(
    demo_ws: ml.Workspace, english: str, tmp_path: Path
) -> None:
    args = ("experiment", "assign", "NEW", "--variants", "control,treatment", "--salt", "s")
    zh = _table(str(demo_ws.root), *args, "--output", str(tmp_path / "zh.csv"))
    assert "已将 3,000 名会员分入 2 组" in zh and "对照组:" in zh and "实验组:" in zh
    _absent(zh, "Wrote", "rows to")
    en = _table(english, *args, "--output", str(tmp_path / "en.csv"))
    assert "Assigned 3,000 members to 2 arms" in en and "Control:" in en
    assert (tmp_path / "zh.csv").read_bytes() == (tmp_path / "en.csv").read_bytes()


CAMPAIGN_KEYS = {
    "campaign_id", "treated", "holdout", "conversion_treated", "conversion_holdout",
    "incremental_conversion", "ci", "incremental_revenue", "revenue_ci", "cost", "points_cost",
    "roi", "roi_ci",
}  # fmt: skip


def test_campaign_analyze(demo_ws: ml.Workspace, english: str) -> None:
    root = str(demo_ws.root)
    zh = _table(root, "campaign", "analyze", "--by", "tier")
    for word in ("营销活动与对照组对比", "活动", "等级", "触达人数", "对照人数", "转化提升",
                 "增量收入", "成本", "回报率", "普通会员", "银卡会员"):  # fmt: skip
        assert word in zh, word
    _absent(zh, "Campaigns against", "campaign_id", "treated", "holdout", "revenue", "roi",
            "│ normal", "│ silver")  # fmt: skip
    assert re.search(r"\d\.\d{2}\s", zh)  # money with two decimals
    assert re.search(r"[+-]\d+\.\d%", zh)
    en = _table(english, "campaign", "analyze", "--by", "tier")
    for word in ("Campaigns against their holdouts", "Campaign", "Tier", "Treated", "Holdout",
                 "Conversion lift", "Incremental revenue", "ROI", "Standard"):  # fmt: skip
        assert word in en, word
    _absent(en, "营销活动", "普通会员")
    rows = _json(root, "campaign", "analyze", "--by", "tier")
    assert isinstance(rows, dict)
    assert set(rows["rows"][0]) == CAMPAIGN_KEYS | {"tier"}
    assert {r["tier"] for r in rows["rows"]} <= {"normal", "silver", "gold", "black"}
    plain = _json(root, "campaign", "analyze")
    assert isinstance(plain, dict) and set(plain["rows"][0]) == CAMPAIGN_KEYS
    title = _table(root, "campaign", "analyze")
    assert "营销活动与对照组对比" in title and "等级" not in title


def test_causal_points(demo_ws: ml.Workspace, english: str) -> None:
    zh = _table(str(demo_ws.root), *CAUSAL)
    for word in ("兑换积分对 其后 90 天订单数 的影响", "方法", "效应", "置信区间", "前提假设",
                 "朴素对比", "逆倾向加权", "双重差分", "协变量平衡", "协变量", "加权前", "加权后",
                 "近一年订单数", "近一年消费额", "倾向得分在"):  # fmt: skip
        assert word in zh, word
    _absent(zh, "Effect of", "method", "assumption", "naive", "weighted", "│ did",
            "Covariate", "orders_year", "revenue_year", "Propensities")  # fmt: skip
    en = _table(english, *CAUSAL)
    for word in ("Effect of redeeming points on", "Method", "Effect", "Assumption",
                 "Naive comparison", "Inverse propensity weighting", "Difference in differences",
                 "Covariate balance", "Orders, last year", "Propensities outside"):  # fmt: skip
        assert word in en, word
    _absent(en, "朴素对比", "orders_year")
    data = _json(str(demo_ws.root), *CAUSAL)
    assert isinstance(data, dict)
    assert list(data) == ["outcome", "naive", "weighted", "did"]
    assert data["outcome"] == "orders_next_90d"
    assert set(data["weighted"]) == {"effect", "ci", "balance", "trimmed", "trim", "assumption"}
    assert {b["covariate"] for b in data["weighted"]["balance"]} >= {"orders_year"}


def test_voc_sentiment(demo_ws: ml.Workspace, english: str) -> None:
    zh = _table(str(demo_ws.root), *SENTIMENT)
    assert "文本情感" in zh and "编号" in zh and "语言" in zh and "情感" in zh and "得分" in zh
    assert "负面" in zh and "中性" in zh and "中文" in zh
    _absent(zh, "sentiment", "language", "score", "negative", "neutral", "positive")
    en = _table(english, *SENTIMENT)
    assert "Sentiment of texts" in en and "Negative" in en and "Language" in en
    _absent(en, "负面", "文本情感")
    data = _json(str(demo_ws.root), *SENTIMENT)
    assert isinstance(data, dict)
    assert all(set(r) == {"id", "language", "sentiment", "score"} for r in data["rows"])
    assert {r["sentiment"] for r in data["rows"]} <= {"positive", "neutral", "negative", None}


def test_voc_topics(demo_ws: ml.Workspace, english: str) -> None:
    zh = _table(str(demo_ws.root), *TOPICS)
    for word in ("话题", "标签", "关键词", "条数", "占比", "负面占比", "每周条数", "示例"):
        assert word in zh, word
    _absent(zh, "keywords", "negative_share", "examples")  # (the texts may hold any word)
    assert re.search(r"\d+\.\d%", zh)  # shares in percent
    en = _table(english, *TOPICS)
    for word in ("Topics", "Keywords", "Size", "Negative share", "Weekly trend", "Examples"):
        assert word in en, word
    data = _json(str(demo_ws.root), *TOPICS)
    assert isinstance(data, dict)
    assert set(data["rows"][0]) == {
        "topic", "label", "keywords", "size", "share", "negative_share", "trend", "examples",
    }  # fmt: skip
    assert isinstance(data["rows"][0]["share"], float)


def test_voc_nps_by_tier(demo_ws: ml.Workspace, english: str) -> None:
    zh = _table(str(demo_ws.root), *NPS)
    for word in ("净推荐值", "周期", "等级", "回答数", "推荐者", "中立者", "贬损者", "置信区间"):
        assert word in zh, word
    assert "普通会员" in zh
    _absent(zh, "promoters", "detractors", "passives", "│ normal", "│ gold", "│ silver")
    en = _table(english, *NPS)
    for word in ("NPS", "Period", "Tier", "Responses", "Promoters", "Detractors", "Standard"):
        assert word in en, word
    data = _json(str(demo_ws.root), *NPS)
    assert isinstance(data, dict)
    assert set(data["rows"][0]) == {
        "period", "tier", "n", "promoters", "passives", "detractors", "nps", "ci",
    }  # fmt: skip
    assert {r["tier"] for r in data["rows"]} <= {"normal", "silver", "gold", "black", "(unknown)"}


@pytest.mark.slow
def test_clv_and_churn_tables_write_shares_in_percent(demo_ws: ml.Workspace, english: str) -> None:
    clv = ("clv", "--calibration-end", "2025-06-30", "--holdout-end", "2025-12-31")
    zh = _table(str(demo_ws.root), *clv)
    assert "时间单位 天" in zh and "活跃概率" in zh
    assert re.search(r"│ \d+\.\d% ", zh) and "nan" not in zh
    en = _table(english, *clv)
    assert "time unit day" in " ".join(en.split()) and "P(alive) bin" in en
    churn = ("churn", "--as-of", "2025-12-31", "--no-save")
    zh = _table(str(demo_ws.root), *churn)
    assert "校准:按预测风险十分位" in zh and "首次购买后未流失的比例" in zh and "普通会员" in zh
    assert re.search(r"│ \d+\.\d% ", zh)
    assert not re.search(r"0\.\d{4}", zh)  # no raw floats
