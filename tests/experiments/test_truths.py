"""Planted truths of the generated program (tests/conftest.py, 3 000 members) recovered."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from statsmodels.stats.power import TTestIndPower

import memberlens as ml
from memberlens.experiments.analyze import analyze
from memberlens.experiments.campaigns import analyze_campaigns
from memberlens.experiments.causal import points_effect
from memberlens.experiments.design import design

Program = tuple[Path, dict[str, Any]]


@pytest.mark.parametrize("cuped", [False, True])
def test_experiment_lift_inside_the_interval(
    demo_ws: ml.Workspace, program: Program, cuped: bool
) -> None:
    truth = program[1]["experiment"]
    with demo_ws.session() as s:
        result = analyze(s, truth["id"], window_days=truth["window_days"], cuped=cuped)
    data = result.to_dict()
    assert not data["srm"]["flag"] and not result.warnings
    orders = next(r for r in data["results"] if r["metric"] == "orders")
    # the planted effect: one extra order with probability `lift` in the window
    low, high = orders["ci_abs"]
    assert low < truth["lift"] < high


def test_campaign_lifts_inside_the_intervals(demo_ws: ml.Workspace, program: Program) -> None:
    truth = program[1]["campaigns"]
    with demo_ws.session() as s:
        rows = analyze_campaigns(s)
    measured = [r for r in rows if r["holdout"] >= 20]
    assert len(measured) >= 8
    for r in measured:
        # an extra order with probability `lift` converts a member who would not have
        expected = truth[r["campaign_id"]]["lift"] * (1 - r["conversion_holdout"])
        low, high = r["ci"]
        assert low < expected < high, r["campaign_id"]
        assert r["cost"] > 0 and r["roi_ci"][0] < r["roi"] < r["roi_ci"][1]
    ratios = [r["incremental_revenue"] / r["cost"] for r in rows if r["cost"]]
    assert ratios == sorted(ratios, reverse=True)  # ranked by incremental revenue per cost


def test_campaigns_by_tier_add_up(demo_ws: ml.Workspace) -> None:
    """Every campaign's tiers add up to the campaign, tiers with holdout members only
    included (they cost nothing)."""
    with demo_ws.session() as s:
        whole = {r["campaign_id"]: r for r in analyze_campaigns(s, None)}
        tiers = analyze_campaigns(s, None, by_tier=True)
    assert {r["campaign_id"] for r in tiers} == set(whole)
    for campaign, row in whole.items():
        mine = [r for r in tiers if r["campaign_id"] == campaign]
        assert sum(r["treated"] for r in mine) == row["treated"]
        assert sum(r["holdout"] for r in mine) == row["holdout"]
        assert sum(r["cost"] for r in mine) == pytest.approx(row["cost"])


def test_points_effect_weighted_recovers_the_planted_zero(
    demo_ws: ml.Workspace, program: Program
) -> None:
    planted = program[1]["points_effect"]["effect_on_orders"]
    with demo_ws.session() as s:
        result = points_effect(s, date(2025, 6, 30)).to_dict()
    naive, weighted = result["naive"], result["weighted"]
    assert weighted["ci"][0] < planted < weighted["ci"][1]
    assert naive["ci"][0] > planted  # redeemers are heavier buyers at baseline
    before = {b["covariate"]: abs(b["before"]) for b in weighted["balance"]}
    after = {b["covariate"]: abs(b["after"]) for b in weighted["balance"]}
    assert after["orders_year"] < before["orders_year"] / 3
    assert weighted["trimmed"] > 0 and weighted["trim"] == [0.05, 0.95]


def test_design_matches_statsmodels(demo_ws: ml.Workspace) -> None:
    with demo_ws.session() as s:
        d = design(s, "revenue", 0.1, relative=True)
    effect = d["mde_abs"] / d["baseline_sd"]
    assert d["mde_abs"] == pytest.approx(0.1 * d["baseline_mean"])
    assert d["n_per_arm"] == math.ceil(TTestIndPower().solve_power(effect, alpha=0.05, power=0.8))
    assert d["days"] == math.ceil(2 * d["n_per_arm"] / d["eligible_per_day"])


def test_design_for_a_segment(demo_ws: ml.Workspace) -> None:
    from memberlens.experiments.adapters import segment_members

    # as of the day before the 60-day baseline window that ends on 2025-12-31
    with demo_ws.session() as s:
        members = segment_members(s, "important_value", date(2025, 11, 1))
        assert members
        everyone = design(s, "conversion", 0.02, window_days=60)
        segment = design(s, "conversion", 0.02, members=members, window_days=60)
    assert segment["eligible_per_day"] < everyone["eligible_per_day"]
    assert segment["baseline_mean"] != everyone["baseline_mean"]
