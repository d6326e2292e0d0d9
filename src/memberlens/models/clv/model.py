"""Customer lifetime value: the summary from the engine, BG/NBD + Gamma-Gamma, per-member CLV.

``clv(backend, calibration_end, ...)`` runs the DESIGN §8 summary in the engine, fits both
models on it (members with identical (x, t_x, T) share one likelihood term) and predicts,
for every member who bought by the calibration end:

* ``p_alive`` — P(alive at the calibration end);
* ``expected_purchases`` — expected repeat purchase days over the horizon;
* ``expected_spend`` — expected spend per purchase day (Gamma-Gamma, eq. 5);
* ``clv`` — Σ over the horizon's months k of expected spend × expected purchases in month k,
  discounted by (1 + annual rate)^(k/12).

With a holdout end the result carries a :class:`~memberlens.models.validation.Validation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.models.clv.summary import Summary, holdout_summary, pull
from memberlens.models.clv.validation import Validation, validate

if TYPE_CHECKING:
    from memberlens.models.clv.bgnbd import BetaGeo
    from memberlens.models.clv.gammagamma import GammaGamma

DAYS_PER_MONTH = 365.25 / 12


class TimeUnit(StrEnum):
    day = "day"
    week = "week"

    @property
    def days(self) -> int:
        return 1 if self is TimeUnit.day else 7


@dataclass(frozen=True)
class ClvResult:
    """Fitted parameters, their standard errors, per-member predictions and validation."""

    calibration_end: date
    time_unit: TimeUnit
    horizon_months: int
    discount_rate: float
    purchase: BetaGeo
    spend: GammaGamma
    members: pl.DataFrame
    validation: Validation | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def params(self) -> dict[str, float]:
        return self.purchase.params_

    @property
    def spend_params(self) -> dict[str, float]:
        return self.spend.params_

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of the CLI contract (DESIGN §9)."""
        totals = {
            "expected_purchases": float(self.members["expected_purchases"].sum()),
            "clv": float(self.members["clv"].sum()),
            "mean_clv": float(self.members["clv"].mean() or 0.0),  # type: ignore[arg-type]
            "mean_p_alive": float(self.members["p_alive"].mean() or 0.0),  # type: ignore[arg-type]
        }
        document: dict[str, Any] = {
            "calibration_end": self.calibration_end.isoformat(),
            "time_unit": str(self.time_unit),
            "params": self.purchase.params_,
            "standard_errors": self.purchase.standard_errors_,
            "log_likelihood": self.purchase.log_likelihood_,
            "spend_params": self.spend.params_,
            "spend_standard_errors": self.spend.standard_errors_,
            "spend_log_likelihood": self.spend.log_likelihood_,
            "spend_frequency_correlation": self.spend.correlation_,
            "members": self.members.height,
            "repeat_buyers": self.purchase.repeat_customers_,
            "converged": self.purchase.converged_ and self.spend.converged_,
            "horizon_months": self.horizon_months,
            "discount_rate": self.discount_rate,
            "totals": totals,
            "warnings": self.warnings,
        }
        if self.validation is not None:
            document["validation"] = self.validation.to_dict()
        return _finite(document)  # type: ignore[no-any-return]


def clv(
    session: Session,
    calibration_end: date,
    *,
    time_unit: TimeUnit | str = TimeUnit.day,
    holdout_end: date | None = None,
    horizon_months: int = 12,
    discount_rate: float = 0.10,
) -> ClvResult:
    """Fit BG/NBD + Gamma-Gamma on orders up to ``calibration_end`` and predict per member.

    >>> with ws.engine() as session:  # doctest: +SKIP
    ...     result = clv(session, date(2025, 6, 30), holdout_end=date(2025, 12, 31))
    """
    unit = _unit(time_unit)
    if horizon_months < 1:
        raise InputError(f"horizon_months {horizon_months}: give a whole number of months ≥ 1.")
    if not 0 <= discount_rate < 1:
        raise InputError(
            f"discount_rate {discount_rate}: give an annual rate between 0 and 1 (0.1 = 10%)."
        )
    if holdout_end is not None and holdout_end <= calibration_end:
        raise InputError(
            f"holdout_end {holdout_end} must be after calibration_end {calibration_end}."
        )
    notes: list[str] = []
    if holdout_end is not None:
        holdout_end, notes = _holdout_within_data(session, calibration_end, holdout_end)
    summary, purchase, spend = summarise_and_fit(session, calibration_end, unit, ordered=True)
    members = predict(purchase, spend, summary, unit, horizon_months, discount_rate)
    validation = None
    if holdout_end is not None:
        actual = session.arrow(holdout_summary(session, calibration_end, holdout_end))
        days = (holdout_end - calibration_end).days
        validation = validate(purchase, summary, unit.days, days, pl.from_arrow(actual))
    return ClvResult(
        calibration_end=calibration_end,
        time_unit=unit,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
        purchase=purchase,
        spend=spend,
        members=members,
        validation=validation,
        warnings=[*notes, *purchase.warnings_, *spend.warnings_],
    )


def _holdout_within_data(
    session: Session, calibration_end: date, holdout_end: date
) -> tuple[date, list[str]]:
    """The holdout end cut to the data's last order, with a warning naming the data's range;
    an :class:`InputError` when no order follows the calibration end (nothing to check)."""
    from memberlens.facts.coverage import require_orders

    first, last = require_orders(session)
    if calibration_end >= last:
        raise InputError(
            f"holdout_end {holdout_end}: the data runs from {first} to {last}, so no order "
            f"follows calibration_end {calibration_end} and there is nothing to check the "
            f"predictions against. Fit to a calibration end before {last}.",
            parameter="holdout_end",
            value=str(holdout_end),
        )
    if holdout_end <= last:
        return holdout_end, []
    return last, [
        f"holdout_end {holdout_end} is after the data's last order (the data runs from "
        f"{first} to {last}): the holdout is checked from {calibration_end} to {last} "
        f"({(last - calibration_end).days} days)."
    ]


def _finite(value: Any) -> Any:
    """NaN and ±inf (a standard error of a degenerate fit) become None: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _unit(value: TimeUnit | str) -> TimeUnit:
    try:
        return TimeUnit(value)
    except ValueError:
        raise InputError(f"time_unit {value}: choose day or week.") from None


def summarise_and_fit(
    session: Session, calibration_end: date, unit: TimeUnit, *, ordered: bool = False
) -> tuple[Summary, BetaGeo, GammaGamma]:
    """The DESIGN §8 summary from the engine and both models fitted on it."""
    summary = pull(session, calibration_end, ordered=ordered)
    if summary.size == 0:
        raise InputError(
            f"No member bought by calibration_end {calibration_end}: choose a later date."
        )
    purchase, spend = fit(summary, unit)
    return summary, purchase, spend


def fit(summary: Summary, unit: TimeUnit) -> tuple[BetaGeo, GammaGamma]:
    """Both models fitted on a summary (BG/NBD on the distinct patterns, weighted)."""
    from memberlens.models.clv.bgnbd import BetaGeo
    from memberlens.models.clv.gammagamma import GammaGamma

    inverse, first = summary.patterns
    weights = np.bincount(inverse).astype(float)
    scale = float(unit.days)
    purchase = BetaGeo().fit(
        summary.frequency[first],
        summary.recency_days[first] / scale,
        summary.t_days[first] / scale,
        weights=weights,
    )
    spend = GammaGamma().fit(summary.frequency, summary.monetary)
    return purchase, spend


def predict(
    purchase: BetaGeo,
    spend: GammaGamma,
    summary: Summary,
    unit: TimeUnit,
    horizon_months: int,
    discount_rate: float,
) -> pl.DataFrame:
    """Per-member P(alive), expected purchases and spend, and discounted CLV."""
    with np.errstate(all="ignore"):  # a degenerate fit (warned about) may overflow
        return _predict(purchase, spend, summary, unit, horizon_months, discount_rate)


def _predict(
    purchase: BetaGeo,
    spend: GammaGamma,
    summary: Summary,
    unit: TimeUnit,
    horizon_months: int,
    discount_rate: float,
) -> pl.DataFrame:
    inverse, first = summary.patterns
    scale = float(unit.days)
    x = summary.frequency[first].astype(float)
    t_x = summary.recency_days[first] / scale
    big_t = summary.t_days[first] / scale
    month = DAYS_PER_MONTH / scale
    # cumulative expected purchases at the end of each month, per distinct pattern
    cumulative = np.stack(
        [purchase.expected_purchases(k * month, x, t_x, big_t) for k in range(horizon_months + 1)]
    )
    per_month = np.diff(cumulative, axis=0)
    discount = (1 + discount_rate) ** (-np.arange(1, horizon_months + 1) / 12)
    discounted = np.einsum("k,kp->p", discount, per_month)[inverse]  # no BLAS threads
    expected_spend = spend.expected_spend(summary.frequency, summary.monetary)
    return pl.DataFrame(
        {
            "member_id": summary.member_id,
            "frequency": summary.frequency,
            "recency": summary.recency_days / scale,
            "T": summary.t_days / scale,
            "monetary": summary.monetary,
            "p_alive": purchase.p_alive(x, t_x, big_t)[inverse],
            "expected_purchases": cumulative[-1][inverse],
            "expected_spend": expected_spend,
            "clv": expected_spend * discounted,
        },
    )


def save_scores(warehouse: Any, result: ClvResult) -> None:
    """Replace the warehouse table of per-member CLV (read by the member profile)."""
    from memberlens.models.results import CLV_TABLE, replace_table

    table = result.members.with_columns(calibration_end=pl.lit(result.calibration_end)).select(
        "member_id", "calibration_end", "p_alive", "expected_purchases", "expected_spend", "clv"
    )
    replace_table(warehouse, CLV_TABLE, table)
