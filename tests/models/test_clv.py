"""CLV on the demo program: validation tables, time units, discounting, warnings, the CLI."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.models.clv.model import ClvResult

CALIBRATION_END = "2024-12-31"
HOLDOUT_END = "2025-12-31"


@pytest.fixture(scope="module")
def validated(demo_ws: ml.Workspace) -> ClvResult:
    return demo_ws.clv(CALIBRATION_END, holdout_end=HOLDOUT_END)


def test_holdout_predictions_match_actual_purchases(validated: ClvResult) -> None:
    v = validated.validation
    assert v is not None and v.holdout_days == 365
    assert v.per_member.height == validated.members.height
    buckets = v.by_frequency
    assert buckets["bucket"].to_list() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert buckets["members"].sum() == validated.members.height
    # the members' mean of the bucket means is the overall mean (weights = bucket sizes)
    overall = (buckets["members"] * buckets["predicted"]).sum() / buckets["members"].sum()
    assert overall == pytest.approx(v.per_member["predicted"].mean(), rel=1e-12)
    print(
        f"holdout: predicted {v.per_member['predicted'].sum():.0f} vs actual "
        f"{v.per_member['actual'].sum()} purchase days ({100 * v.total_error:+.1f}%), "
        f"MAE {v.mae:.3f}, RMSE {v.rmse:.3f}"
    )
    # the generated program is close to BG/NBD: totals within 15 %, and the heaviest
    # bucket (7+) within 25 % of its actual mean
    assert abs(v.total_error) < 0.15
    top = buckets.row(7, named=True)
    assert top["predicted"] == pytest.approx(top["actual"], rel=0.25)
    errors = v.per_member["predicted"] - v.per_member["actual"]
    assert v.mae == pytest.approx(float(errors.abs().mean()))  # type: ignore[arg-type]
    assert v.rmse == pytest.approx(math.sqrt(float((errors**2).mean())))  # type: ignore[arg-type]


def test_p_alive_calibration(validated: ClvResult) -> None:
    table = validated.validation.calibration  # type: ignore[union-attr]
    assert table["bin"][0] == "0.0–0.1" and table["members"].sum() == validated.members.height
    # P(buy in the holdout) is what "bought" measures; per bin within 0.12, overall 0.05
    weights = table["members"] / table["members"].sum()
    predicted = float((weights * table["p_purchase"]).sum())
    bought = float((weights * table["bought"]).sum())
    print(f"P(purchase in holdout): predicted {predicted:.3f}, share who bought {bought:.3f}")
    assert predicted == pytest.approx(bought, abs=0.05)
    big = table.filter(pl.col("members") >= 100)
    assert (big["p_purchase"] - big["bought"]).abs().max() < 0.12  # type: ignore[operator]
    # P(alive) bounds the share who bought from above in the well-populated bins
    assert (big["p_alive"] >= big["bought"] - 0.05).all()


def test_week_unit_rescales_alpha_only(demo_ws: ml.Workspace, validated: ClvResult) -> None:
    weekly = demo_ws.clv(CALIBRATION_END, time_unit="week")
    days = validated.params
    for name in ("r", "a", "b"):
        assert weekly.params[name] == pytest.approx(days[name], rel=1e-5)
    assert weekly.params["alpha"] == pytest.approx(days["alpha"] / 7, rel=1e-5)
    # densities of times scale by 1/7 per repeat purchase: LL_week = LL_day + Σx·ln 7
    repeats = float(validated.members["frequency"].sum())
    assert weekly.purchase.log_likelihood_ == pytest.approx(
        validated.purchase.log_likelihood_ + repeats * math.log(7), rel=1e-9
    )
    np.testing.assert_allclose(weekly.members["clv"], validated.members["clv"], rtol=1e-4)


def test_clv_is_discounted_monthly(demo_ws: ml.Workspace, validated: ClvResult) -> None:
    one = demo_ws.clv(CALIBRATION_END, horizon_months=1, discount_rate=0.2)
    row = one.members.row(0, named=True)
    # one month of 365.25/12 days, discounted by 1.2^(1/12)
    assert row["clv"] == pytest.approx(
        row["expected_spend"] * row["expected_purchases"] / 1.2 ** (1 / 12), rel=1e-12
    )
    # undiscounted CLV over twelve months = expected spend × expected purchases
    flat = demo_ws.clv(CALIBRATION_END, discount_rate=0.0)
    np.testing.assert_allclose(
        flat.members["clv"], flat.members["expected_spend"] * flat.members["expected_purchases"]
    )
    assert (validated.members["clv"] < flat.members["clv"] + 1e-9).all()
    assert validated.members["p_alive"].is_between(0, 1).all()


def test_too_little_data_warns_instead_of_failing_silently(shop: ml.Workspace) -> None:
    result = shop.clv("2024-03-31")
    assert any("bought again" in w and "cannot be estimated reliably" in w for w in result.warnings)
    assert result.to_dict()["warnings"] == result.warnings


def test_bad_options_name_the_fix(shop: ml.Workspace) -> None:
    with pytest.raises(InputError, match="holdout_end 2024-01-01 must be after"):
        shop.clv("2024-03-31", holdout_end="2024-01-01")
    with pytest.raises(InputError, match="time_unit month: choose day or week"):
        shop.clv("2024-03-31", time_unit="month")
    with pytest.raises(InputError, match="No member bought by calibration_end 2020-01-01"):
        shop.clv("2020-01-01")
    with pytest.raises(InputError, match=r"calibration_end 2024-13-01: .*no month 13"):
        shop.clv("2024-13-01")


def test_cli_json_and_output_file(demo_ws: ml.Workspace, tmp_path: Path) -> None:
    out = tmp_path / "clv.parquet"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "memberlens", "-w", str(demo_ws.root), "clv"),
            *("--calibration-end", CALIBRATION_END, "--holdout-end", HOLDOUT_END),
            *("--format", "json", "--output", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document["params"]) == {"r", "alpha", "a", "b"}
    assert set(document["spend_params"]) == {"p", "q", "v"}
    assert set(document["standard_errors"]) == {"r", "alpha", "a", "b"}
    assert document["members"] == pl.read_parquet(out).height
    assert [b["bucket"] for b in document["validation"]["by_frequency"]][-1] == "7+"
    assert document["validation"]["total_percent_error"] == pytest.approx(
        100
        * ((document["validation"]["predicted_total"]) / document["validation"]["actual_total"] - 1)
    )
