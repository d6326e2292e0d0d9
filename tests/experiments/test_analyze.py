"""experiment analyze on the tiny hand-made experiment (tests/experiments/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.experiments.analyze import analyze
from memberlens.stats import (
    ProportionStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    compare,
    cuped_theta,
)

# per-member outcomes worked out from the conftest's orders (window [03-01, 03-08)):
# control E0–E4: orders 1, 2, 0, 0, 0 (E3's order at 03-08 00:00 is outside, E4's refunded)
REVENUE_C = np.array([30.0, 20.0, 0.0, 0.0, 0.0])
PRE_C = np.array([20.0, 0.0, 0.0, 40.0, 0.0])  # E3's order at 02-23 00:00 is inside
# treatment E5–E9: orders 1, 2, 1, 0, 1 (E9's order at 03-01 00:00 is inside)
REVENUE_T = np.array([60.0, 60.0, 20.0, 0.0, 40.0])
PRE_T = np.array([0.0, 30.0, 0.0, 0.0, 0.0])  # E9's order at 02-22 23:00 is outside


def stat(x: np.ndarray) -> SampleMeanStatistic:
    return SampleMeanStatistic(len(x), float(x.sum()), float((x * x).sum()))


def rows(ws: ml.Workspace, **kw: object) -> dict[str, dict[str, object]]:
    with ws.session() as s:
        result = analyze(s, "T1", window_days=7, **kw)  # type: ignore[arg-type]
    return {r["metric"]: r for r in result.to_dict()["results"]}


def test_read_out_by_hand(tiny: ml.Workspace) -> None:
    with tiny.session() as s:
        result = analyze(s, "T1", window_days=7).to_dict()
    assert result["arms"] == [{"variant": "control", "n": 5}, {"variant": "treatment", "n": 5}]
    assert result["srm"]["p_value"] == pytest.approx(1.0) and not result["srm"]["flag"]
    assert "warnings" not in result
    r = {x["metric"]: x for x in result["results"]}
    assert list(r) == [
        "conversion", "orders", "revenue", "repurchase", "redemption", "points_redeemed", "aov"
    ]  # fmt: skip
    assert (r["revenue"]["control_mean"], r["revenue"]["mean"]) == (10.0, 36.0)
    expected = compare(stat(REVENUE_C).moments(), stat(REVENUE_T).moments())
    assert r["revenue"]["ci_abs"] == pytest.approx(list(expected.ci_abs))
    assert r["revenue"]["p_value"] == pytest.approx(expected.p_value)
    conversion = compare(
        ProportionStatistic(5, 2, 2).moments(), ProportionStatistic(5, 4, 4).moments()
    )
    assert r["conversion"]["lift_abs"] == pytest.approx(0.4)
    assert r["conversion"]["ci_rel"] == pytest.approx(list(conversion.ci_rel))
    assert (r["orders"]["control_mean"], r["orders"]["mean"]) == (0.6, 1.0)
    assert (r["repurchase"]["control_mean"], r["repurchase"]["mean"]) == (0.2, 0.2)
    assert r["points_redeemed"]["mean"] == 20.0 and r["points_redeemed"]["control_mean"] == 0.0
    assert r["points_redeemed"]["lift_rel"] is None  # control mean 0: no relative lift
    assert r["aov"]["control_mean"] == pytest.approx(50 / 3) and r["aov"]["mean"] == 36.0
    p = [x["p_value"] for x in result["results"] if x["p_value"] is not None]
    assert max(x["p_holm"] for x in result["results"] if x["p_holm"] is not None) >= max(p)


def test_cuped_uses_the_pre_period(tiny: ml.Workspace) -> None:
    r = rows(tiny, cuped=True)["revenue"]
    c = RegressionAdjustedStatistic(stat(REVENUE_C), stat(PRE_C), float(REVENUE_C @ PRE_C))
    t = RegressionAdjustedStatistic(stat(REVENUE_T), stat(PRE_T), float(REVENUE_T @ PRE_T))
    theta = cuped_theta(c, t)
    expected = compare(c.adjusted(theta), t.adjusted(theta))
    assert r["cuped"] is True
    assert r["lift_abs"] == pytest.approx(expected.lift_abs)
    assert r["ci_rel"] == pytest.approx(list(expected.ci_rel))
    assert rows(tiny, cuped=True)["aov"]["cuped"] is False


def test_bad_input(tiny: ml.Workspace) -> None:
    with tiny.session() as s:
        with pytest.raises(InputError, match=r"Unknown experiment 'T2'.*Valid experiments: T1"):
            analyze(s, "T2")
        with pytest.raises(InputError, match=r"Did you mean 'control'"):
            analyze(s, "T1", control="contrl")
        with pytest.raises(InputError, match=r"repurchase_rate.*Did you mean 'repurchase'"):
            analyze(s, "T1", metrics=["repurchase_rate"])
        with pytest.raises(InputError, match=r"Arm 'holdout'.*no members"):
            analyze(s, "T1", weights={"control": 45, "treatment": 45, "holdout": 10})


def test_one_arm(tiny: ml.Workspace, write: object) -> None:
    path = tiny.root / "one.csv"
    path.write_text(
        "experiment_id,member_id,variant,assigned_at\nT9,E0,control,2024-03-01\n",
        encoding="utf-8",
    )
    tiny.ingest("experiments", path)
    with tiny.session() as s, pytest.raises(InputError, match=r"one arm"):
        analyze(s, "T9")


def test_window_past_the_data_end_is_reported(tiny: ml.Workspace) -> None:
    with tiny.session() as s:
        result = analyze(s, "T1", window_days=30).to_dict()
    # data ends 2024-03-20: members assigned 03-01 were observed 20 days
    assert result["days_observed"] == 20
    assert "20 天(要求 30 天)" in result["warnings"][0]


@pytest.mark.parametrize(("window", "warned"), [(19, False), (20, False), (21, True)])
def test_a_window_ending_at_the_data_end_is_covered(
    tiny: ml.Workspace, window: int, warned: bool
) -> None:
    # assigned 03-01 00:00, data to 03-20: a 20-day window ends at 03-21 00:00, the end of
    # the last day with data, so it is fully observed; 21 days are not
    with tiny.session() as s:
        result = analyze(s, "T1", window_days=window).to_dict()
    assert ("warnings" in result) is warned
    assert result.get("days_observed", window) == (20 if warned else window)
