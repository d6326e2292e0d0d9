"""Forward breakage from the vintage curves, and the liability adjusted for it (IFRS 15 style).

Mature vintages
    An issue month is mature at D when every batch of it that has an ``expires_at`` has
    passed it (the latest ``expires_at`` of the month is before the end of D): all its points
    are settled, redeemed or expired, except points with no expiry date. With
    ``maturity_months`` an issue month is mature instead when it is at least that many months
    old (for ledgers without ``expires_at``).

Pooled curve
    For each age k (months since issue), over the mature months at least k months old at D:
    ``R(k)`` and ``E(k)`` are the shares of their issued points redeemed (adjusted included)
    and expired by age k, and ``F(k)`` the share that had expired by D (their final breakage).

Forward breakage of open points
    A point still open at age k expires with probability
    ``q(k) = (F(k) − E(k)) / (1 − R(k) − E(k))``: of what mature vintages still held at age k,
    the part that went on to expire (0 when they held nothing). Ages beyond the oldest mature
    age use the oldest. Expected breakage = Σ open points at age k × q(k).

Liability
    ``liability = outstanding × point_value`` (DESIGN ``points_liability``), and
    ``adjusted = outstanding × (1 − expected breakage / open points)``, in points and
    currency: the revenue deferred for points expected to be redeemed (IFRS 15 B46).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from memberlens.dates import months
from memberlens.engine.expr import month_index
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.points.fifo import (
    end_of,
    gains,
    ledger,
    scalar,
)
from memberlens.points.vintages import curves_expression, to_polars

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class Breakage:
    """Expected breakage of the open points as of a date and the adjusted liability."""

    as_of: date
    mature_months: tuple[str, ...]
    mature_issued: int
    ultimate_rate: float  # share of the mature vintages' issued points that expired
    open_points: int
    expected_points: float
    outstanding_points: int  # sum of every entry up to D (differs from open when overdrawn)
    point_value: float
    by_age: pl.DataFrame  # months_since_issue, open_points, redeemed/expired/final shares, rate

    @property
    def expected_rate(self) -> float:
        """Expected breakage as a share of the open points (0 when nothing is open)."""
        return self.expected_points / self.open_points if self.open_points else 0.0

    @property
    def liability(self) -> float:
        return self.outstanding_points * self.point_value

    @property
    def adjusted_points(self) -> float:
        """Outstanding points expected to be redeemed: outstanding × (1 − expected rate)."""
        return self.outstanding_points * (1.0 - self.expected_rate)

    @property
    def adjusted_liability(self) -> float:
        return self.adjusted_points * self.point_value

    def summary(self) -> dict[str, Any]:
        """The headline figures as plain values (for JSON and tables)."""
        return {
            "as_of": self.as_of.isoformat(),
            "mature_months": f"{self.mature_months[0]}..{self.mature_months[-1]}",
            "mature_issued": self.mature_issued,
            "ultimate_breakage_rate": self.ultimate_rate,
            "open_points": self.open_points,
            "expected_breakage_points": self.expected_points,
            "expected_breakage_rate": self.expected_rate,
            "outstanding_points": self.outstanding_points,
            "point_value": self.point_value,
            "liability": self.liability,
            "adjusted_liability_points": self.adjusted_points,
            "adjusted_liability": self.adjusted_liability,
        }


def mature_months(
    session: Session, as_of: date, maturity_months: int | None = None
) -> tuple[str, ...]:
    """Issue months whose vintages are settled as of D (see the module docstring)."""
    g = gains(session, as_of)
    if maturity_months is not None:
        t = g.group_by(issue=month_index(g.at)).agg()
        t = t.filter(months.month_index(as_of) - t.issue >= maturity_months)
    else:
        t = g.group_by(issue=month_index(g.at)).agg(last=g.expires_at.max())
        t = t.filter(t["last"].notnull() & (t["last"] < end_of(as_of)))
    frame = to_polars(session, t.select("issue").order_by("issue"))
    return tuple(months.month_label(i) for i in frame["issue"].to_list())


def pooled_curve(curves: pl.DataFrame, mature: tuple[str, ...]) -> pl.DataFrame:
    """Per age k: R(k), E(k), F(k) and q(k) over the mature months at least k months old."""
    import polars as pl

    m = curves.filter(pl.col("issue_month").is_in(mature))
    final = m.group_by("issue_month").agg(
        final_expired=pl.col("expired").sort_by("months_since_issue").last()
    )
    m = m.join(final, on="issue_month")
    pooled = (
        m.group_by("months_since_issue")
        .agg(
            issued=pl.col("issued").sum(),
            used=(pl.col("redeemed") + pl.col("adjusted")).sum(),
            expired=pl.col("expired").sum(),
            final_expired=pl.col("final_expired").sum(),
        )
        .sort("months_since_issue")
    )
    issued = pl.col("issued").cast(pl.Float64)
    pooled = pooled.select(
        "months_since_issue",
        redeemed_share=pl.col("used") / issued,
        expired_share=pl.col("expired") / issued,
        final_expired_share=pl.col("final_expired") / issued,
    )
    remaining = 1.0 - pl.col("redeemed_share") - pl.col("expired_share")
    rate = (pl.col("final_expired_share") - pl.col("expired_share")) / remaining
    return pooled.with_columns(
        breakage_rate=pl.when(remaining > 1e-12).then(rate.clip(0.0, 1.0)).otherwise(0.0)
    )


def open_by_age(curves: pl.DataFrame) -> pl.DataFrame:
    """Open points at D by months since issue: the last row of every issue month's curve."""
    import polars as pl

    last = curves.sort("months_since_issue").group_by("issue_month").last()
    open_points = pl.col("issued") - pl.col("redeemed") - pl.col("expired") - pl.col("adjusted")
    return (
        last.group_by("months_since_issue")
        .agg(open_points=open_points.sum())
        .filter(pl.col("open_points") > 0)
        .sort("months_since_issue")
    )


def breakage(session: Session, as_of: date, maturity_months: int | None = None) -> Breakage:
    """Forward breakage of the points open at the end of ``as_of`` and the adjusted liability.

    >>> ws.points.breakage("2024-12-31").expected_rate  # doctest: +SKIP
    """
    import polars as pl

    mature = mature_months(session, as_of, maturity_months)
    if not mature:
        rule = (
            f"{maturity_months} months old"
            if maturity_months is not None
            else "past the expires_at of all its batches"
        )
        raise InputError(
            f"as_of {as_of}: no issue month is mature yet (none is {rule}), so there is no "
            "settled vintage to learn breakage from. Choose a later date, or give "
            "maturity_months N for a ledger without expiry dates."
        )
    curves = to_polars(session, curves_expression(session, as_of))
    curve = pooled_curve(curves, mature)
    oldest = int(curve["months_since_issue"].max())  # type: ignore[arg-type]
    by_age = (
        open_by_age(curves)
        .with_columns(_k=pl.col("months_since_issue").clip(0, oldest))
        .join(curve.rename({"months_since_issue": "_k"}), on="_k", how="left")
        .drop("_k")
        .with_columns(expected_breakage=pl.col("open_points") * pl.col("breakage_rate"))
    )
    last = (
        curves.filter(pl.col("issue_month").is_in(mature))
        .sort("months_since_issue")
        .group_by("issue_month")
        .last()
    )
    mature_issued = int(last["issued"].sum())
    p = ledger(session, as_of)
    outstanding = scalar(session, p.points.sum())
    return Breakage(
        as_of=as_of,
        mature_months=mature,
        mature_issued=mature_issued,
        ultimate_rate=float(last["expired"].sum()) / mature_issued,
        open_points=int(by_age["open_points"].sum()),
        expected_points=float(by_age["expected_breakage"].sum()),
        outstanding_points=int(outstanding or 0),
        point_value=session.config.workspace.point_value,
        by_age=by_age,
    )
