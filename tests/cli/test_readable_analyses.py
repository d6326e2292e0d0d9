"""The analyses, RFM and target tables read in the workspace language: headers, titles and
ids in 中文 in a zh workspace and in English in an en one, from the one vocabulary
(memberlens.labels); ``--format json`` keeps the ids and column names (DESIGN §9)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

import memberlens as ml
from cli.running import invoke
from memberlens.cli import render
from memberlens.labels import BEHAVIOURS, CHANNELS, LANGUAGES, UNKNOWN, UNKNOWN_ID
from memberlens.metrics.catalog import CATALOG
from memberlens.workspace import load_dimensions

pytestmark = pytest.mark.slow

PERIOD = "2025-Q2"
AS_OF = "2025-06-30"


@pytest.fixture(scope="module")
def roots(demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo workspace (zh) and a copy whose configuration says language = "en"."""
    root = tmp_path_factory.mktemp("readable") / "en"
    shutil.copytree(demo_ws.root, root)
    config = root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    assert 'language = "zh"' in text
    config.write_text(text.replace('language = "zh"', 'language = "en"'), encoding="utf-8")
    return {"zh": str(demo_ws.root), "en": str(root)}


@pytest.fixture
def wide() -> Iterator[None]:
    """A terminal wide enough that no header wraps (the text asserted stays on one line)."""
    before = render.console.width
    render.console.width = 200
    yield
    render.console.width = before


def _tables(roots: dict[str, str], *args: str) -> dict[str, str]:
    """The command's readable output in each language."""
    out = {}
    for language in LANGUAGES:
        done = invoke("-w", roots[language], *args)
        assert done.exit_code == 0
        out[language] = done.stdout
    return out


def _rows(roots: dict[str, str], *args: str) -> list[dict[str, Any]]:
    done = invoke("-w", roots["zh"], *args, "--format", "json")
    assert done.exit_code == 0
    rows: list[dict[str, Any]] = json.loads(done.stdout)["rows"]
    assert rows, args
    return rows


def _check(
    out: dict[str, str], zh: list[str], en: list[str], english_only: Sequence[str] = ()
) -> None:
    """The 中文 texts in zh, the English ones in en, no English header left in zh."""
    for text in zh:
        assert text in out["zh"], text
    for text in en:
        assert text in out["en"], text
    for text in [*en, *english_only]:
        if not text.isdigit():
            assert text not in out["zh"], text


@pytest.mark.usefixtures("wide")
def test_compare(roots: dict[str, str]) -> None:
    args = ("compare", "--by", "points_user", "--period", "2025-Q1")
    out = _tables(roots, *args)
    _check(
        out,
        zh=[
            "积分使用者:是 − 否 · 2025-Q1",
            "指标",
            "差值(95% 置信区间)",
            "p 值",
            "样本数 · 是",
            "样本数 · 否",
            "复购周期:按平均间隔",
            CATALOG["aov"].zh,
        ],
        en=[
            "Points user: yes − no · 2025-Q1",
            "Measure",
            "Difference (95% CI)",
            "n yes",
            "n no",
            "Welch's t",
            CATALOG["aov"].en,
        ],
        english_only=["measure", "difference (95% CI)", "points_user", "│ yes", "│ no"],
    )
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"measure", "a", "b", "difference", "ci_low", "ci_high", "p_value",
                            "significant", "median_a", "median_b", "n_a", "n_b"}  # fmt: skip
    assert {r["measure"] for r in rows} == {"repurchase_rate", "aov", "repurchase_cycle_days"}


@pytest.mark.usefixtures("wide")
def test_alerts_with_their_drill_down(roots: dict[str, str]) -> None:
    args = ("alerts", "--from", "2025-03-01", "--to", "2025-06-30")
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"day", "metric", "value", "expected", "change", "score",
                            "holiday_or_campaign", "contributors"}  # fmt: skip
    out = _tables(roots, *args)
    n = len(rows)
    zh = [f"2025-03-01 至 2025-06-30 共 {n} 个异常", "预期", "异常分"]
    en = [f"{n} anomalies between 2025-03-01 and 2025-06-30", "vs expected", "score"]
    if any(r["holiday_or_campaign"] for r in rows):
        zh.append("(节假日或活动日)")
        en.append("(holiday or campaign day)")
    dimensions = load_dimensions()
    said = {
        part.split(":")[0].strip() for r in rows for part in r["contributors"].split(";") if part
    }
    assert said  # the drill-down names groups (dimension=group)
    for pair in said:
        dimension, group = pair.split("=", 1)
        name = dimensions[dimension]
        value = {"zh": group, "en": group}
        if group == UNKNOWN_ID:
            value = {"zh": UNKNOWN.zh, "en": UNKNOWN.en}
        elif dimension == "channel" and group in CHANNELS:
            value = {"zh": CHANNELS[group].zh, "en": CHANNELS[group].en}
        elif dimension == "points_user":
            value = {"zh": {"yes": "是", "no": "否"}[group], "en": group}
        zh.append(f"{name.zh} = {value['zh']}:")
        en.append(f"{name.en} = {value['en']}:")
    _check(out, zh, en, english_only=["channel =", "points_user =", "city =", "store_id ="])
    for r in rows:
        assert CATALOG[r["metric"]].zh in out["zh"] and CATALOG[r["metric"]].en in out["en"]


@pytest.mark.usefixtures("wide")
def test_trend_names_the_metric_weekdays_and_holiday_peaks(roots: dict[str, str]) -> None:
    args = ("trend", "orders", "--from", "2025-01-01", "--to", "2025-06-30")
    out = _tables(roots, *args)
    orders = CATALOG["orders"]
    _check(
        out,
        zh=[
            f"{orders.zh} 2025-01-01 … 2025-06-30 (按日, STL)",
            "实际  ",
            "趋势  ",
            "星期  ",
            "周一",
            "周日",
            "节假日峰值",
            "节日",
            "日期",
            "实际值",
            "趋势值",
            "× 趋势",
            "春节",
        ],
        en=[
            f"{orders.en} 2025-01-01 … 2025-06-30 (daily, STL)",
            "observed  ",
            "trend     ",
            "weekday   ",
            "Mon",
            "Sun",
            "Holiday peaks",
            "Peak",
            "Date",
            "Observed",
            "× trend",
            "Spring Festival",
        ],
        english_only=["orders 2025", "daily", "peak", "observed", "× trend"],
    )
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"date", "observed", "trend", "seasonal", "remainder"}


@pytest.mark.usefixtures("wide")
def test_drivers_name_behaviours_units_and_topics(roots: dict[str, str]) -> None:
    args = ("drivers", "--period", PERIOD, "--voc")
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"behaviour", "unit", "correlation", "odds_ratio", "ci_low",
                            "ci_high", "p_value", "rate_with", "rate_without"}  # fmt: skip
    out = _tables(roots, *args)
    zh = ["再次购买", "行为", "单位", "优势比(95% 置信区间)", "p 值", "复购率 有 / 无"]
    en = [
        "buying again in",
        "Behaviour",
        "Unit",
        "Odds ratio (95% CI)",
        "Repurchase with / without",
    ]
    behaviours = {r["behaviour"] for r in rows}
    for behaviour in behaviours:
        if behaviour.startswith("voc_topic_"):
            number = behaviour.rsplit("_", 1)[1]
            zh.append(f"投诉话题 {number}: ")  # with its top keywords
            en.append(f"Complaint topic {number}: ")
        else:
            zh.append(BEHAVIOURS[behaviour].zh)
            en.append(BEHAVIOURS[behaviour].en)
    units = {r["unit"] for r in rows}
    assert units == {"yes vs no", "per standard deviation"}
    zh += ["有 vs 无", "每增加一个标准差"]
    en += ["yes vs no", "per standard deviation"]
    english_only = ["behaviour", "odds ratio", "Buyers of", *behaviours]
    _check(out, zh, en, english_only)
    assert {"orders_in_period", "redeemed", "voc_texts"} <= behaviours


@pytest.mark.usefixtures("wide")
def test_rfm_summary_and_migration(roots: dict[str, str]) -> None:
    args = ("rfm", "--as-of", AS_OF, "--summary")
    out = _tables(roots, *args)
    _check(
        out,
        zh=[
            f"截至 {AS_OF} 的 RFM 分群(阈值法):已评分会员",
            "五分位法",
            "RFM 分群",
            "会员数",
            "会员占比",
            "消费额",
            "消费额占比",
            "平均 R(天)",
            "平均 F",
            "平均 M",
            "重要价值客户",
        ],
        en=[
            f"RFM segments (threshold) as of {AS_OF}:",
            "(quintile)",
            "scored members",
            "RFM segment",
            "Members",
            "Share",
            "Revenue",
            "Revenue share",
            "R days",
            "Important value",
        ],
        english_only=["segment", "members", "share", "revenue"],
    )
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"scheme", "segment", "segment_name", "members", "member_share",
                            "revenue", "revenue_share", "mean_recency_days", "mean_frequency",
                            "mean_monetary"}  # fmt: skip
    args = ("rfm", "--as-of", AS_OF, "--from", "2025-03-31")
    out = _tables(roots, *args)
    _check(
        out,
        zh=[f"RFM 分群迁移 2025-03-31(行)→ {AS_OF}(列):会员数(占行比例)", "起始 \\ 截至"],
        en=[
            f"RFM migration 2025-03-31 (rows) → {AS_OF} (columns): members (row share)",
            "from \\ to",
        ],
        english_only=[f"2025-03-31 \\ {AS_OF}"],
    )
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"from_segment", "from_name", "to_segment", "to_name", "members",
                            "row_share"}  # fmt: skip


def test_long_chinese_names_fold_rather_than_being_cut(roots: dict[str, str]) -> None:
    """At the default 80 columns the migration's nine segment columns are narrow: a name
    wraps onto a second line instead of ending in an ellipsis."""
    zh = invoke("-w", roots["zh"], "rfm", "--as-of", AS_OF, "--from", "2025-03-31").stdout
    assert "…" not in zh
    assert "重要" in zh and "客户" in zh and "RFM 分群迁移" in zh


@pytest.mark.usefixtures("wide")
def test_targets_title(roots: dict[str, str]) -> None:
    args = ("targets", "--as-of", AS_OF, "--segment", "important_winback")
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"member_id", "phone", "city", "tier", "tier_name", "segment",
                            "segment_name", "balance", "last_order_date", "spend", "channel",
                            "store_id", "value_group", "value_tier"}  # fmt: skip
    n = len(rows)
    out = _tables(roots, *args)
    _check(
        out,
        zh=[f"截至 {AS_OF} 的 {n:,} 名会员(segments=important_winback)", "RFM 分群"],
        en=[f"{n:,} members as of {AS_OF} (segments=important_winback)", "RFM segment"],
    )
    everyone = _tables(roots, "targets", "--as-of", AS_OF)
    assert "名会员(全部会员)" in everyone["zh"] and "另有" in everyone["zh"]
    assert "(all members)" in everyone["en"] and "more; write them all" in everyone["en"]
    assert "all members" not in everyone["zh"] and "more;" not in everyone["zh"]


@pytest.mark.usefixtures("wide")
def test_tiers_near_shows_progress_as_a_percentage(roots: dict[str, str]) -> None:
    args = ("tiers", "--as-of", "2025-12-31", "--near", "0.8")
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"member_id", "tier", "next_tier", "progress", "spend", "orders",
                            "spend_gap", "orders_gap"}  # fmt: skip
    out = _tables(roots, *args)
    first = rows[0]["progress"]
    assert 0.8 <= first < 1
    shown = f"{int(first * 10_000) / 100:.2f}%"  # rounded down: never 100% before it is
    assert shown in out["zh"] and shown in out["en"]
    assert f"{first:.4g}" not in out["zh"]  # not the bare share 0.9926
    _check(out, zh=["达成度"], en=["Progress"])


@pytest.mark.usefixtures("wide")
def test_metrics_by_points_user_reads_yes_and_no(roots: dict[str, str]) -> None:
    args = ("metrics", "repurchase_rate", "--period", "2025-03", "--by", "points_user")
    out = _tables(roots, *args)
    _check(out, zh=["积分使用者", "│ 是 ", "│ 否 "], en=["Points user", "│ yes ", "│ no "])
    rows = _rows(roots, *args)
    assert set(rows[0]) == {"metric", "period", "points_user", "value"}
    assert {r["points_user"] for r in rows} == {"yes", "no"}


def test_every_new_header_has_both_languages() -> None:
    from memberlens.labels import HEADERS, ODDS_UNITS, WEEKDAYS

    new = ["measure", "difference_ci", "p_value", "sample_size", "behaviour", "unit",
           "odds_ratio_ci", "repurchase_with_without", "complaint_topic", "peak",
           "peak_observed", "peak_trend", "trend_ratio", "series_observed", "series_trend",
           "series_weekday", "member_share", "revenue", "revenue_share", "mean_recency_days",
           "mean_frequency", "mean_monetary"]  # fmt: skip
    for label in [*(HEADERS[k] for k in new), *BEHAVIOURS.values(), *ODDS_UNITS.values()]:
        assert not label.zh.isascii() and label.en and label.zh != label.en
    assert [w("en") for w in WEEKDAYS] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert len({w("zh") for w in WEEKDAYS}) == 7


@pytest.mark.usefixtures("wide")
def test_the_goal_comparison_by_points_user(roots: dict[str, str]) -> None:
    out = _tables(roots, "goals", "raise_repurchase", "--period", "2025-03")
    rows = _rows(roots, "metrics", "repurchase_rate", "--period", "2025-03", "--by", "points_user")
    shown = {r["points_user"]: f"{100 * r['value']:.1f}%" for r in rows}
    _check(
        out,
        zh=["提升复购 · 积分使用者", "复购率", "是", "否", shown["yes"], shown["no"]],
        en=["Points user", "Repurchase rate"],
        english_only=["repurchase_rate", "points_user"],
    )
    assert shown["yes"] in out["en"] and shown["no"] in out["en"]
