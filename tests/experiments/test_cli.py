"""The command line of experiments, campaigns and the causal question."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import memberlens as ml
from memberlens.cli import app
from memberlens.experiments.assign import assign

runner = CliRunner()


def run(ws: ml.Workspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["-w", str(ws.root), *args])
    return result.exit_code, result.stdout


def test_analyze_json_is_design_shape(tiny: ml.Workspace) -> None:
    code, out = run(tiny, "experiment", "analyze", "T1", "--window-days", "7", "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert list(data) == ["experiment_id", "control", "window_days", "arms", "srm", "results"]
    assert list(data["results"][0]) == [
        "metric", "variant", "n", "mean", "control_n", "control_mean", "lift_abs", "ci_abs",
        "lift_rel", "ci_rel", "p_value", "p_holm", "p_bh", "chance_to_win", "risk", "cuped",
    ]  # fmt: skip


def test_analyze_table_says_it_in_words(tiny: ml.Workspace) -> None:
    code, out = run(
        tiny, "experiment", "analyze", "T1", "--window-days", "7", "--metric", "revenue"
    )
    assert code == 0, out
    assert "收入" in out and "样本比例无异常" in out  # the metric by its name


def test_unknown_experiment_is_one_line(tiny: ml.Workspace) -> None:
    result = runner.invoke(app, ["-w", str(tiny.root), "experiment", "analyze", "T2"])
    assert result.exit_code != 0
    assert "Unknown experiment 'T2'" in str(result.exception)


def test_assign_is_deterministic_and_loads_back(tiny: ml.Workspace, tmp_path: Path) -> None:
    out = tmp_path / "assign.csv"
    args = ("experiment", "assign", "NEW", "--variants", "control,treatment", "--salt", "s1")
    code, text = run(tiny, *args, "--output", str(out))
    assert code == 0, text
    first = out.read_text(encoding="utf-8")
    assert ",2024-03-21T00:00:00" in first  # the midnight after the data's last order
    run(tiny, *args, "--output", str(out))
    assert out.read_text(encoding="utf-8") == first
    result = tiny.ingest("experiments", out)
    assert result.quarantined == 0 and result.loaded == 10
    code, text = run(tiny, "experiment", "analyze", "NEW", "--window-days", "7", "-f", "json")
    assert code == 0, text
    data = json.loads(text)
    assert sum(a["n"] for a in data["arms"]) == 10
    assert data["warnings"]  # assigned after the data's end: nothing observed yet


def test_assign_weights() -> None:
    when = datetime(2026, 1, 1)
    ids = [f"M{i}" for i in range(4000)]
    rows = assign(ids, "E", ["a", "b", "c"], "s", weights=[1, 2, 1], assigned_at=when)
    shares = [sum(r["variant"] == v for r in rows) / 4000 for v in "abc"]
    assert shares == pytest.approx([0.25, 0.5, 0.25], abs=0.03)
    again = assign(ids, "E", ["a", "b", "c"], "s", weights=[1, 2, 1], assigned_at=when)
    assert again == rows


def test_campaign_and_causal_commands(small_program_ws: ml.Workspace) -> None:
    code, out = run(small_program_ws, "campaign", "analyze", "--format", "json")
    assert code == 0, out
    row = json.loads(out)["rows"][0]
    assert list(row) == [
        "campaign_id", "treated", "holdout", "conversion_treated", "conversion_holdout",
        "incremental_conversion", "ci", "incremental_revenue", "revenue_ci", "cost",
        "points_cost", "roi", "roi_ci",
    ]  # fmt: skip
    code, out = run(small_program_ws, "causal", "points", "--as-of", "2025-06-30", "-f", "json")
    assert code == 0, out
    data = json.loads(out)
    assert list(data) == ["outcome", "naive", "weighted", "did"]
    assert "balance" in data["weighted"]


def test_verdict_in_words() -> None:
    from memberlens.cli.experiments import verdict

    row = {
        "variant": "treatment", "metric": "conversion", "lift_rel": 0.048,
        "ci_rel": [0.012, 0.084], "lift_abs": 0.004, "ci_abs": [0.001, 0.007],
    }  # fmt: skip
    assert verdict(row, 0.95, "en") == (
        "Treatment raised Conversion by 4.8 % (95 % CI 1.2 %–8.4 %)"
    )
    row |= {"lift_rel": -0.01, "ci_rel": [-0.05, 0.03]}
    assert verdict(row, 0.95, "en") == (
        "Treatment changed Conversion by -1.0 %, not significantly (95 % CI -5.0 %–3.0 %)"
    )
    row |= {"lift_rel": None, "ci_rel": [None, None], "lift_abs": -2.0, "ci_abs": [-3.0, -1.0]}
    assert verdict(row, 0.9, "zh") == "实验组 使 转化率 降低了 2 (90% 置信区间 -3–-1)"
    row |= {"variant": "push_b", "metric": "visits"}  # ids without a name stay as they are
    assert verdict(row, 0.9, "en").startswith("push_b lowered visits by 2")
