"""The command line in the workspace's language: ids a person reads are shown as their
中文 or English labels in tables (json keeps the ids, DESIGN §9), and names are accepted
wherever an id is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import memberlens as ml
from cli.running import invoke, run


def _english(ws: ml.Workspace, tmp_path: Path) -> str:
    """A copy of ``ws`` whose configuration says language = "en"."""
    root = tmp_path / "en"
    shutil.copytree(ws.root, root)
    config = root / "memberlens.toml"
    text = config.read_text(encoding="utf-8").replace('language = "zh"', 'language = "en"')
    config.write_text(text, encoding="utf-8")
    return str(root)


def test_tiers_table_shows_level_names_in_the_workspace_language(
    small_program_ws: ml.Workspace, tmp_path: Path
) -> None:
    root = str(small_program_ws.root)
    zh = invoke("-w", root, "tiers", "--as-of", "2025-12-31").stdout
    assert "普通会员" in zh and "会员数" in zh
    assert "normal" not in zh
    # the two meanings: tiers is the qualification on the day, tier-history the tier held
    assert "等级资格" in zh and "tier-history" in zh
    en = invoke("-w", _english(small_program_ws, tmp_path), "tiers", "--as-of", "2025-12-31")
    assert "Standard" in en.stdout and "Members" in en.stdout and "normal " not in en.stdout
    assert "Qualification" in en.stdout
    # json keeps the ids
    done = invoke("-w", root, "tiers", "--as-of", "2025-12-31", "--format", "json")
    assert {r["tier"] for r in json.loads(done.stdout)["rows"]} <= {
        "normal",
        "silver",
        "gold",
        "black",
    }


def test_tier_history_and_whatif_tables_in_chinese(
    small_program_ws: ml.Workspace, tmp_path: Path
) -> None:
    root = str(small_program_ws.root)
    held = invoke("-w", root, "tier-history", "--from", "2025-01-01", "--to", "2025-06-30")
    assert "普通会员" in held.stdout and "升级" in held.stdout and "持有等级" in held.stdout
    assert "按 [tiers]" in held.stdout  # the section name is text, not Rich markup
    assert "│ normal" not in held.stdout
    candidate = tmp_path / "candidate.toml"
    candidate.write_text('[points]\nearn_rate = 2.0\nexpiry = "never"\n', encoding="utf-8")
    done = invoke(
        "-w", root, "whatif", str(candidate), "--from", "2025-01-01", "--to", "2025-06-30"
    )
    assert "当前规则" in done.stdout and "积分过期量" in done.stdout
    assert "会员数 · 普通会员" in done.stdout and "members_normal" not in done.stdout


def test_points_and_cohorts_tables_in_chinese(small_program_ws: ml.Workspace) -> None:
    root = str(small_program_ws.root)
    breakage = invoke("-w", root, "points", "breakage", "--as-of", "2025-12-31").stdout
    assert "积分沉淀" in breakage and "积分负债" in breakage and "liability" not in breakage
    done = invoke("-w", root, "points", "breakage", "--as-of", "2025-12-31", "-f", "json")
    assert "liability" in json.loads(done.stdout)["summary"]
    cohorts = invoke("-w", root, "cohorts", "--from", "2025-01-01", "--to", "2025-06-30").stdout
    assert "队列人数" in cohorts and "cohort_size" not in cohorts


def test_clv_table_in_chinese_and_a_holdout_past_the_data(
    small_program_ws: ml.Workspace,
) -> None:
    root = str(small_program_ws.root)
    done = invoke(
        "-w", root, "clv", "--calibration-end", "2025-06-30", "--holdout-end", "2026-06-30"
    )
    assert "CLV 模型" in done.stdout and "估计值" in done.stdout
    # the holdout is cut to the data's last order (2025-12-31), and the output says so
    assert "实际" in done.stdout and "nan" not in done.stdout
    # the sentences around the tables too, not only the tables
    assert "位有购买的会员" in done.stdout and "每位会员:MAE" in done.stdout
    assert "members who bought" not in done.stdout and "Per member" not in done.stdout


def test_churn_output_in_chinese_then_english(demo_ws: ml.Workspace, tmp_path: Path) -> None:
    args = ("churn", "--as-of", "2025-12-31", "--no-save", "--no-survival")
    zh = invoke("-w", str(demo_ws.root), *args).stdout
    assert "流失模型" in zh and "驱动因素是模型用到的关联" in zh
    assert "距上次购买天数" in zh  # a driver by its name, not recency_days
    assert "Churn model" not in zh and "recency_days" not in zh
    en = invoke("-w", _english(demo_ws, tmp_path), *args).stdout
    assert "Churn model" in en and "Days since the last purchase" in en


def test_a_holdout_with_no_order_after_the_calibration_end_fails(
    small_program_ws: ml.Workspace,
) -> None:
    done = run(
        *("-w", str(small_program_ws.root), "clv"),
        *("--calibration-end", "2025-12-31", "--holdout-end", "2026-06-30"),
    )
    assert done.returncode != 0
    assert "the data runs from" in done.stderr and "2025-12-31" in done.stderr
    assert "nan" not in done.stdout


def test_member_fits_the_clv_it_needs(small_program_ws: ml.Workspace, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    shutil.copytree(small_program_ws.root, root)
    member = ml.open(root).tiers("2025-12-31")["member_id"][0]
    done = invoke("-w", str(root), "member", member)
    assert "客户终身价值" in done.stdout and "CLV fitted to" in done.stdout
    assert "No CLV yet" not in done.stdout
    document = json.loads(invoke("-w", str(root), "member", member, "-f", "json").stdout)
    assert document["clv"] is not None  # reused: saved by the first call
    assert document["tier"] in {"normal", "silver", "gold", "black"}  # json keeps ids


def test_chinese_names_are_accepted_as_ids(shop: ml.Workspace) -> None:
    root = str(shop.root)
    by_name = invoke(
        "-w", root, "metrics", "复购率", "--period", "2024-03", "--by", "渠道", "-f", "json"
    )
    by_id = invoke(
        "-w",
        root,
        "metrics",
        "repurchase_rate",
        "--period",
        "2024-03",
        "--by",
        "channel",
        "-f",
        "json",
    )
    assert json.loads(by_name.stdout) == json.loads(by_id.stdout)
    assert set(json.loads(by_id.stdout)["rows"][0]) == {"metric", "period", "channel", "value"}
    # the table names the metric, the dimension and the group (no channel here: 未知)
    table = invoke("-w", root, "metrics", "复购率", "--period", "2024-03", "--by", "渠道").stdout
    assert "复购率" in table and "注册渠道" in table and "(未知)" in table
    assert "repurchase_rate" not in table
    done = invoke(
        *("-w", root, "targets", "--as-of", "2024-03-21"),
        *("--segment", "重要价值客户", "--tier", "普通会员", "-f", "json"),
    )
    members = {r["member_id"] for r in json.loads(done.stdout)["rows"]}
    assert "M1" in members  # important_value and normal (tests/models/test_profile.py)


def test_an_unknown_chinese_name_gets_a_did_you_mean(shop: ml.Workspace) -> None:
    done = run("-w", str(shop.root), "metrics", "复够率", "--period", "2024-03")
    assert done.returncode != 0 and "Did you mean '复购率'?" in done.stderr
    done = run("-w", str(shop.root), "metrics", "orders", "--period", "2024-03", "--by", "注册渠首")
    assert done.returncode != 0 and "Did you mean '注册渠道'?" in done.stderr
    done = run(
        *("-w", str(shop.root), "targets", "--as-of", "2024-03-21"),
        *("--segment", "重要挽留客"),
    )
    assert done.returncode != 0 and "Did you mean '重要挽留客户'?" in done.stderr


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("2025-02-30", "does not exist: February 2025 has 28 days"),
        ("2024-13-01", "there is no month 13"),
        ("31/03/2025", "write the date as 2025-03-31"),
    ],
)
def test_a_day_that_does_not_exist_is_named(shop: ml.Workspace, text: str, said: str) -> None:
    done = run("-w", str(shop.root), "tiers", "--as-of", text)
    assert done.returncode != 0 and said in done.stderr


def test_split_tables_show_values_in_their_unit(shop: ml.Workspace) -> None:
    done = invoke(
        "-w", str(shop.root), "metrics", "repurchase_rate", "--period", "2024-03", "--by", "channel"
    )
    assert done.exit_code == 0
    cells = [line for line in done.stdout.splitlines() if "│" in line]
    assert cells and all(line.rstrip(" │").endswith("%") for line in cells)  # 50.0%, not 0.5
    raw = invoke(
        "-w",
        str(shop.root),
        "metrics",
        "repurchase_rate",
        "--period",
        "2024-03",
        "--by",
        "channel",
        "--format",
        "json",
    )
    assert all(0 <= r["value"] <= 1 for r in json.loads(raw.stdout)["rows"] if r["value"])
