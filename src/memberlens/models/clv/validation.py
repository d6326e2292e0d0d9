"""Holdout validation of a fitted BG/NBD model: predicted against actual repeat purchases.

The model is fitted on orders up to the calibration end C; the holdout is (C, D2]. For every
member who bought by C:

* ``per_member``: predicted E[purchase days in the holdout] against the actual count;
* ``by_frequency``: the same averaged by calibration frequency bucket 0, 1, …, 6, 7+ (the
  classic "conditional expectations" chart of Fader, Hardie & Lee 2005, figure 4);
* ``errors``: MAE and RMSE per member, and the total % error Σpredicted / Σactual − 1;
* ``calibration``: members binned by predicted P(alive) (tenths), with the mean predicted
  P(alive), the mean predicted P(at least one purchase in the holdout) and the share who
  actually bought. The last two should agree; P(alive) is an upper bound of the share,
  since an alive member need not buy within the holdout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from memberlens.models.clv.bgnbd import BetaGeo
    from memberlens.models.clv.summary import Summary

TOP_BUCKET = 7
BIN_LABELS = {i: f"{i / 10:.1f}–{(i + 1) / 10:.1f}" for i in range(10)}


@dataclass(frozen=True)
class Validation:
    holdout_days: int
    per_member: pl.DataFrame  # member_id, frequency, predicted, actual
    by_frequency: pl.DataFrame  # bucket, members, predicted, actual (means)
    calibration: pl.DataFrame  # bin, members, p_alive, p_purchase, bought
    mae: float
    rmse: float
    total_error: float  # Σ predicted / Σ actual − 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "holdout_days": self.holdout_days,
            "mae": self.mae,
            "rmse": self.rmse,
            "total_percent_error": 100 * self.total_error,
            "predicted_total": float(self.per_member["predicted"].sum()),
            "actual_total": int(self.per_member["actual"].sum()),
            "by_frequency": self.by_frequency.to_dicts(),
            "calibration": self.calibration.to_dicts(),
        }


def bucket_label(frequency: pl.Expr) -> pl.Expr:
    return (
        pl.when(frequency >= TOP_BUCKET)
        .then(pl.lit(f"{TOP_BUCKET}+"))
        .otherwise(frequency.cast(pl.String))
    )


def validate(
    model: BetaGeo,
    summary: Summary,
    unit_days: int,
    holdout_days: int,
    actual: Any,
) -> Validation:
    """Compare the model's holdout predictions with ``actual`` (member_id, holdout_days)."""
    scale = float(unit_days)
    t = holdout_days / scale
    x = summary.frequency.astype(float)
    t_x = summary.recency_days / scale
    big_t = summary.t_days / scale
    with np.errstate(all="ignore"):  # a degenerate fit (warned about) may overflow
        members = pl.DataFrame(
            {
                "member_id": summary.member_id,
                "frequency": summary.frequency,
                "p_alive": model.p_alive(x, t_x, big_t),
                "p_purchase": model.p_purchase(t, x, t_x, big_t),
                "predicted": _expected(model, t, summary, scale),
            },
        )
    assert isinstance(actual, pl.DataFrame)
    joined = members.join(actual, on="member_id", how="left").with_columns(
        actual=pl.col("holdout_days").fill_null(0).cast(pl.Int64)
    )
    error = joined["predicted"] - joined["actual"]
    total_actual = float(joined["actual"].sum())
    by_frequency = (
        joined.with_columns(
            order=pl.col("frequency").clip(upper_bound=TOP_BUCKET),
            bucket=bucket_label(pl.col("frequency")),
        )
        .group_by("order", "bucket")
        .agg(
            members=pl.len(),
            predicted=pl.col("predicted").mean(),
            actual=pl.col("actual").mean(),
        )
        .sort("order")
        .drop("order")
    )
    calibration = (
        joined.with_columns(
            low=(pl.col("p_alive") * 10).floor().clip(upper_bound=9).cast(pl.Int64),
        )
        .group_by("low")
        .agg(
            members=pl.len(),
            p_alive=pl.col("p_alive").mean(),
            p_purchase=pl.col("p_purchase").mean(),
            bought=(pl.col("actual") > 0).mean(),
        )
        .sort("low")
        .with_columns(bin=pl.col("low").replace_strict(BIN_LABELS, return_dtype=pl.String))
        .select("bin", "members", "p_alive", "p_purchase", "bought")
    )
    return Validation(
        holdout_days=holdout_days,
        per_member=joined.select("member_id", "frequency", "predicted", "actual"),
        by_frequency=by_frequency,
        calibration=calibration,
        mae=float(error.abs().mean()),  # type: ignore[arg-type]
        rmse=float(np.sqrt((error**2).mean())),  # type: ignore[arg-type]
        total_error=float(joined["predicted"].sum()) / total_actual - 1
        if total_actual
        else float("nan"),
    )


def _expected(model: BetaGeo, t: float, summary: Summary, scale: float) -> np.ndarray:
    """Expected purchases per member, evaluated once per distinct (x, t_x, T)."""
    inverse, first = summary.patterns
    values = model.expected_purchases(
        t,
        summary.frequency[first].astype(float),
        summary.recency_days[first] / scale,
        summary.t_days[first] / scale,
    )
    return values[inverse]  # type: ignore[no-any-return]
