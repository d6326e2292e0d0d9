"""Value tiers, the Pareto view and the value × loyalty matrix, worked out by hand."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import memberlens as ml
from memberlens.config import parse_config

# The hand-made program as of 2024-03-31; the value window is the RFM one, (2023-04-01, D].
# Scored buyers ranked by spend: M1 250 (4 orders), M2 80, M3 30, M0 10, M4 0 → n = 5,
# revenue 370. Shares of buyers ranked before them: 0, 0.2, 0.4, 0.6, 0.8, so with the default
# cuts (0.2, 0.3): M1 high (0 < 0.2), M2 and M3 medium (< 0.5), M0 and M4 low.
# Loyalty: 30-day blocks back from D (block b = D − 30b − 29 … D − 30b), six of them:
#   M1 03-10 (21 days back, block 0), 03-01 (30, block 1), 02-15 (45, block 1), 01-10 (81, 2)
#      → 3 active months; M2 02-20 (40) → 1; M3 03-05 (26) → 1; M4 03-21 (10) → 1;
#   M0 2023-06-01 is 304 days back, outside the 180 days → 0.
AS_OF = "2024-03-31"


def _value_section(ws: ml.Workspace, section: str) -> ml.Workspace:
    """Replace the [value] section of the workspace's config."""
    config = ws.root / "memberlens.toml"
    body = config.read_text(encoding="utf-8")
    old = body[body.index("[value]") : body.index("[tiers]")]
    config.write_text(body.replace(old, f"[value]\n{section}\n"), encoding="utf-8")
    return ml.open(ws.root)


def _column(frame: pl.DataFrame, key: str, value: str) -> dict[str, object]:
    return dict(zip(frame[key], frame[value], strict=True))


def test_default_tiers_matrix_and_pareto(shop: ml.Workspace) -> None:
    report = shop.segments.value(AS_OF)
    assert (report.scored, report.revenue, report.window_days) == (5, 370.0, 365)
    assert report.tiers["value_tier"].to_list() == ["high", "medium", "low"]
    assert report.tiers["members"].to_list() == [1, 2, 2]
    assert report.tiers["revenue"].to_list() == [250.0, 110.0, 10.0]
    assert report.tiers["revenue_share"].to_list() == pytest.approx(
        [250 / 370, 110 / 370, 10 / 370]
    )
    assert report.tiers["min_spend"].to_list() == [250.0, 30.0, 0.0]
    assert report.tiers["loyal"].to_list() == [1, 0, 0]
    # only M1 is loyal (3 of 6 months) and high value → core; the other four are low
    assert _column(report.matrix, "value_group", "members") == {
        "core": 1,
        "potential": 0,
        "at_risk": 0,
        "low": 4,
    }
    assert report.matrix["members"].sum() == report.scored
    assert _column(report.matrix, "value_group", "revenue") == {
        "core": 250.0,
        "potential": 0.0,
        "at_risk": 0.0,
        "low": 120.0,
    }
    assert report.matrix.filter(value_group="core")["name"].item() == "核心会员"
    p = report.pareto
    # M1 covers (0, 0.2] of the member axis: the top 20 % bring 250 / 370; at 0.1 half of it;
    # at 0.5 the middle of M3's slice (0.4, 0.6]: (250 + 80 + 30 / 2) / 370
    assert p.top_revenue_share == pytest.approx(250 / 370)
    curve = _column(p.curve, "member_share", "revenue_share")
    assert p.curve.height == 101
    assert curve[0.0] == 0.0 and curve[1.0] == pytest.approx(1.0)
    assert curve[0.1] == pytest.approx(125 / 370)
    assert curve[0.5] == pytest.approx(345 / 370)
    assert curve[0.7] == pytest.approx((360 + 0.5 * 10) / 370)
    # Gini: Σ|x_i − x_j| over ordered pairs / (2 n² mean) = 2280 / (2 · 25 · 74)
    assert p.gini == pytest.approx(2280 / 3700)
    assert p.headline("en") == "The top 20% of buyers bring 67.6% of revenue"


def test_members_per_member(shop: ml.Workspace) -> None:
    frame = shop.segments.value_members(AS_OF)
    assert frame["member_id"].to_list() == ["M1", "M2", "M3", "M0", "M4"]
    assert frame["value_tier"].to_list() == ["high", "medium", "medium", "low", "low"]
    assert frame["active_months"].to_list() == [3, 1, 1, 0, 1]
    assert frame["orders"].to_list() == [4, 1, 1, 1, 1]


def test_spend_cut_points_and_two_loyal_months(shop: ml.Workspace) -> None:
    ws = _value_section(shop, 'cut_by = "spend"\nhigh = 50\nmedium = 20\nloyal_min_months = 2')
    report = ws.segments.value(AS_OF)
    # spend ≥ 50: M1 250, M2 80 high; ≥ 20: M3 30 medium; M0 10 and M4 0 low.
    # Loyal (2 of 6 months): M1 only → M1 core, M2 at risk, the rest low.
    assert report.tiers["members"].to_list() == [2, 1, 2]
    assert _column(report.matrix, "value_group", "members") == {
        "core": 1,
        "potential": 0,
        "at_risk": 1,
        "low": 3,
    }
    assert _column(report.matrix, "value_group", "revenue_share") == pytest.approx(
        {"core": 250 / 370, "potential": 0.0, "at_risk": 80 / 370, "low": 40 / 370}
    )


def test_revenue_cut_points_and_one_loyal_month(shop: ml.Workspace) -> None:
    ws = _value_section(shop, 'cut_by = "revenue"\nhigh = 0.5\nloyal_min_months = 1')
    frame = ws.segments.value_members(AS_OF)
    # revenue ranked before: M1 0, M2 250/370 = 0.68, M3 330/370 = 0.89 → M1 high (< 0.5),
    # M2 medium (< 0.8), M3 and below low. One month: M1–M4 loyal, M0 (no order) not.
    assert _column(frame, "member_id", "value_tier") == {
        "M1": "high",
        "M2": "medium",
        "M3": "low",
        "M0": "low",
        "M4": "low",
    }
    assert _column(frame, "member_id", "value_group") == {
        "M1": "core",
        "M2": "potential",
        "M3": "potential",
        "M0": "low",
        "M4": "potential",
    }


def test_a_date_outside_the_data_is_a_clear_error(shop: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match=r"Orders span 2023-06-01 … 2024-03-21"):
        shop.segments.value("2021-12-31")
    with pytest.raises(ml.InputError, match="write the date as 2025-03-31"):
        shop.segments.value("31/03/2024")


def test_bad_value_config_names_every_problem() -> None:
    with pytest.raises(ml.ConfigError) as error:
        parse_config({"value": {"high": 0.8, "medium": 0.3, "loyal_min_months": 7}})
    message = str(error.value)
    assert "high + medium = 1.1 must be at most 1" in message
    assert "loyal_min_months = 7 cannot exceed loyalty_window_months = 6" in message
    with pytest.raises(ml.ConfigError, match=r"high \(100\) must be a larger amount"):
        parse_config({"value": {"cut_by": "spend", "high": 100, "medium": 500}})
    with pytest.raises(ml.ConfigError, match="allowed keys here: cut_by, high"):
        parse_config({"value": {"cuts": "members"}})
    assert parse_config({}).value.cut_by == "members"


# The generated program: the same definitions checked against independent Polars code


def _independent(ws: ml.Workspace, as_of: date) -> pl.DataFrame:
    """Spend in the 365 days and active 30-day blocks in the 180 days, from the raw orders."""
    orders = ws.table("orders").filter(
        (pl.col("status") == "paid")
        & pl.col("member_id").is_not_null()
        & (pl.col("ordered_at").dt.date() <= as_of)
    )
    days_back = (pl.lit(as_of) - pl.col("ordered_at").dt.date()).dt.total_days()
    spend = (
        orders.filter(days_back < 365)
        .group_by("member_id")
        .agg(spend=pl.col("amount").cast(pl.Float64).sum())
    )
    months = (
        orders.filter(days_back < 180)
        .group_by("member_id")
        .agg(active_months=(days_back // 30).n_unique())
    )
    return spend.join(months, on="member_id", how="left").with_columns(
        pl.col("active_months").fill_null(0)
    )


def test_generated_program_matches_independent_computation(demo_ws: ml.Workspace) -> None:
    as_of = date(2025, 6, 30)
    report = demo_ws.segments.value(as_of.isoformat())
    members = demo_ws.segments.value_members(as_of.isoformat())
    truth = _independent(demo_ws, as_of)
    n = truth.height
    assert report.scored == members.height == n == demo_ws.rfm(as_of.isoformat()).height
    assert report.revenue == pytest.approx(truth["spend"].sum(), rel=1e-12)
    both = members.join(truth, on="member_id", suffix="_truth")
    assert both.height == n
    assert (both["active_months"] == both["active_months_truth"]).all()
    assert np.allclose(both["spend"], both["spend_truth"])
    # high = the first ceil(0.2 n) buyers by spend, medium up to ceil(0.5 n)
    high, upto_medium = int(np.ceil(0.2 * n)), int(np.ceil(0.5 * n))
    assert report.tiers["members"].to_list() == [high, upto_medium - high, n - upto_medium]
    assert report.matrix["members"].sum() == n
    cells = _column(report.matrix, "value_group", "members")
    assert cells["core"] + cells["at_risk"] == high
    loyal = int((truth["active_months"] >= 3).sum())
    assert cells["core"] + cells["potential"] == loyal == report.tiers["loyal"].sum()
    assert report.matrix["revenue_share"].sum() == pytest.approx(1.0)
    # the Pareto headline from the sorted spends: linear within the member at 0.2 · n
    spends = np.sort(truth["spend"].to_numpy())[::-1]
    cumulative = np.concatenate([[0.0], np.cumsum(spends)]) / spends.sum()
    x = 0.2 * n
    whole = int(np.floor(x))
    expected = cumulative[whole] + (x - whole) * spends[whole] / spends.sum()
    assert report.pareto.top_revenue_share == pytest.approx(expected, rel=1e-9)
    # the top fifth of a gamma-gamma spend program brings well over a fifth, not all of it
    assert 0.4 < expected < 0.9
    shares = report.pareto.curve["revenue_share"].to_numpy()
    assert np.all(np.diff(shares) >= -1e-12)  # non-decreasing …
    assert np.all(np.diff(shares, 2) <= 1e-9)  # … and concave (ranked highest first)
    mean_abs = np.abs(spends[:, None] - spends[None, :]).sum() / (2 * n * n * spends.mean())
    assert report.pareto.gini == pytest.approx(mean_abs, rel=1e-9)


def test_value_command_json_and_member_file(demo_ws: ml.Workspace, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "memberlens", "-w", str(demo_ws.root), "value"]
    done = subprocess.run(
        [*command, "--as-of", "2025-06-30", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    report = demo_ws.segments.value("2025-06-30")
    assert document["scored"] == report.scored
    assert document["pareto"]["top_revenue_share"] == pytest.approx(report.pareto.top_revenue_share)
    assert len(document["pareto"]["curve"]) == 101
    assert [r["value_group"] for r in document["matrix"]] == ["core", "potential", "at_risk", "low"]
    target = tmp_path / "value.xlsx"
    done = subprocess.run(
        [*command, "--as-of", "2025-06-30", "--output", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    back = pl.read_excel(target)
    assert back.height == report.scored
    assert back["value_group"].value_counts().sort("value_group").to_dicts() == (
        report.matrix.select("value_group", count="members")
        .filter(pl.col("count") > 0)
        .sort("value_group")
        .with_columns(pl.col("count").cast(pl.UInt32))
        .to_dicts()
    )
    table = subprocess.run(
        [*command, "--as-of", "2025-06-30"], capture_output=True, text=True, timeout=300
    )
    assert table.returncode == 0, table.stderr
    assert "核心会员" in table.stdout and "Gini" in table.stdout


def test_window_days_of_its_own(shop: ml.Workspace) -> None:
    ws = _value_section(shop, "window_days = 60")
    # local dates 2024-02-01 … 03-31: M1 50 + 40 + 60 = 150, M2 80, M3 30, M4 0 → 4 buyers
    report = ws.segments.value(AS_OF)
    assert (report.scored, report.revenue, report.window_days) == (4, 260.0, 60)
