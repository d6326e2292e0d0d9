"""Do points users buy more? The causal question answered three ways (DESIGN §12).

As of D (cut-off C = the midnight after D), among members with a paid order in the year
before C:

* **naive** — members who redeemed points in that year against those who did not: the
  difference in mean orders over the next ``horizon_days`` (Welch interval). It mixes the
  effect of redeeming with who redeems (heavy buyers collect enough points).
* **weighted** — inverse-propensity weighting on pre-period behaviour: a logistic model of
  redeeming on orders and revenue in the year, orders in the year before, days since the
  last order, tenure and points earned (standardised); propensities outside
  [``TRIM``, 1 − ``TRIM``] are trimmed (those members are dropped, and the count is
  stated); weights 1/e and 1/(1 − e) give the average effect on the kept members (Hájek),
  with a heteroskedasticity-robust (HC1) interval from the weighted regression of the
  outcome on treatment, which treats the propensities as known. Balance: standardised
  differences (mean_t − mean_c) / √((var_t + var_c)/2) before and after weighting.
* **did** — difference in differences around each member's first redemption (in
  [C − 365, C − horizon)): orders in the ``horizon_days`` after the redeeming order against
  the ``horizon_days`` before it, minus the same change of not-yet-redeeming members around
  one of their own paid orders in that span (chosen at random, seeded); members who redeem
  before the end of their post window are not controls. Both must have ordered in the
  window before the pre-window; treated and controls are compared within strata of the
  same history (orders in the pre-window, capped at 4, and the event's month) and the
  stratum differences averaged with the treated shares (normal interval of that sum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import numpy as np

from memberlens.engine.expr import SECONDS_PER_DAY, at_midnight
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.coverage import check_as_of, require_orders
from memberlens.facts.orders import paid_orders
from memberlens.facts.points import EARN, REDEEM, entries
from memberlens.labels import Label
from memberlens.stats import SampleMeanStatistic, compare

TRIM = 0.05
HORIZON_DAYS = 90
YEAR = 365
COVARIATES = (
    "orders_year",
    "revenue_year",
    "orders_year_before",
    "days_since_last_order",
    "tenure_days",
    "points_earned_year",
)
ASSUMPTIONS = {
    "naive": Label(
        "假设兑换者与未兑换者在其他方面相同——通常不成立(重度购买者更常兑换)。",
        "Assumes redeemers and non-redeemers are alike in everything else, which rarely holds "
        "(heavy buyers collect enough points to redeem).",
    ),
    "weighted": Label(
        "假设除所列行为外没有同时影响兑换与购买的因素(无未观测混杂);这些行为与兑换同在一年内,"
        "兑换在当年带来的购买也会被调整掉,估计因此偏向0。",
        "Assumes no unmeasured confounding: beyond the behaviours listed, nothing drives both "
        "redeeming and buying; they are measured in the same year as the redeeming, so orders "
        "that redeeming itself brings within that year are adjusted away and the estimate "
        "leans toward 0.",
    ),
    "did": Label(
        "假设若不兑换,兑换者前后的变化与同期未兑换者相同(平行趋势)。",
        "Assumes parallel trends: without redeeming, redeemers' orders would have changed "
        "like those of not-yet-redeeming members around one of their orders.",
    ),
}


@dataclass(frozen=True)
class PointsEffect:
    """The three read-outs; :meth:`to_dict` is DESIGN §12's JSON."""

    outcome: str
    naive: dict[str, Any]
    weighted: dict[str, Any]
    did: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "naive": self.naive,
            "weighted": self.weighted,
            "did": self.did,
        }


def points_effect(
    session: Session,
    as_of: date,
    *,
    horizon_days: int = HORIZON_DAYS,
    alpha: float = 0.05,
    seed: int = 0,
) -> PointsEffect:
    """Naive, weighted and difference-in-differences effects of redeeming on orders."""
    check_as_of(session, as_of)
    cut = as_of + timedelta(days=1)
    _, last = require_orders(session)
    if last + timedelta(days=1) < cut + timedelta(days=horizon_days):
        raise InputError(
            f"as_of {as_of}: the outcome needs {horizon_days} days of orders after it, but the "
            f"data ends on {last}; choose a date on or before "
            f"{last - timedelta(days=horizon_days)}.",
            parameter="as_of",
            value=str(as_of),
        )
    frame = _members(session, cut, horizon_days)
    language = session.language
    treated = frame["treated"].astype(bool)
    y = frame["outcome"]
    naive = _difference(y[treated], y[~treated], alpha)
    weighted = _weighted(frame, alpha)
    did = _did(session, cut, horizon_days, alpha, seed)
    return PointsEffect(
        outcome=f"orders_next_{horizon_days}d",
        naive={**naive, "assumption": ASSUMPTIONS["naive"](language)},
        weighted={**weighted, "assumption": ASSUMPTIONS["weighted"](language)},
        did={**did, "assumption": ASSUMPTIONS["did"](language)},
    )


def _difference(t: np.ndarray, c: np.ndarray, alpha: float) -> dict[str, Any]:
    if t.size < 2 or c.size < 2:
        raise InputError(
            "Too few members on one side of the comparison (redeemers or not) to estimate "
            "an effect; choose a later as_of.",
            parameter="as_of",
        )
    r = compare(_stat(c).moments(), _stat(t).moments(), alpha=alpha)
    return {
        "effect": r.lift_abs,
        "ci": list(r.ci_abs),
        "treated": int(t.size),
        "control": int(c.size),
    }


def _stat(x: np.ndarray) -> SampleMeanStatistic:
    return SampleMeanStatistic(int(x.size), float(x.sum()), float((x * x).sum()))


def _members(session: Session, cut: date, horizon: int) -> dict[str, np.ndarray]:
    """Per member with an order in the year before ``cut``: covariates, treatment, outcome."""
    c = at_midnight(cut)
    year_ago = cut - timedelta(days=YEAR)
    o = paid_orders(session, cut - timedelta(days=2 * YEAR), cut + timedelta(days=horizon))
    recent = o.ordered_at >= at_midnight(year_ago)
    before = o.ordered_at < c
    per = o.group_by("member_id").aggregate(
        orders_year=(recent & before).cast("int64").sum(),
        revenue_year=ibis.ifelse(recent & before, o.amount.cast("float64"), 0.0).sum(),
        orders_year_before=(~recent).cast("int64").sum(),
        last_order=ibis.ifelse(before, o.ordered_at.epoch_seconds(), None).max(),
        outcome=(~before).cast("int64").sum(),
    )
    per = per.filter(per.orders_year > 0)
    p = entries(session, (EARN, REDEEM), year_ago, cut)
    pts = p.group_by("member_id").aggregate(
        redeemed=(p.kind == REDEEM).cast("int64").sum(),
        points_earned_year=ibis.ifelse(p.kind == EARN, p.points, 0).sum().cast("float64"),
    )
    m = session.table("members")
    t = per.left_join(pts, "member_id").select(per, pts.redeemed, pts.points_earned_year)
    t = t.inner_join(m.select("member_id", "registered_at"), "member_id")
    now = c.epoch_seconds()
    t = t.select(
        *COVARIATES[:3],
        "outcome",
        days_since_last_order=(now - t.last_order) / SECONDS_PER_DAY,
        tenure_days=(now - t.registered_at.epoch_seconds()) / SECONDS_PER_DAY,
        points_earned_year=t.points_earned_year.fill_null(0.0),
        treated=(t.redeemed.fill_null(0) > 0).cast("int64"),
    )
    arrow = session.arrow(t)
    return {name: arrow.column(name).to_numpy().astype(float) for name in arrow.column_names}


def standardised_difference(x: np.ndarray, treated: np.ndarray, w: np.ndarray) -> float:
    """(weighted mean_t − mean_c) / √((var_t + var_c) / 2), variances weighted too."""

    def moments(rows: np.ndarray) -> tuple[float, float]:
        mean = float(np.average(x[rows], weights=w[rows]))
        return mean, float(np.average((x[rows] - mean) ** 2, weights=w[rows]))

    mt, vt = moments(treated)
    mc, vc = moments(~treated)
    spread = math.sqrt((vt + vc) / 2)
    return (mt - mc) / spread if spread else 0.0


def _weighted(frame: dict[str, np.ndarray], alpha: float) -> dict[str, Any]:
    import statsmodels.api as sm

    treated = frame["treated"].astype(bool)
    x = np.column_stack(
        [
            np.log1p(np.maximum(frame[c], 0.0)) if c != "tenure_days" else frame[c] / YEAR
            for c in COVARIATES
        ]
    )
    z = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    design = sm.add_constant(z, has_constant="add")
    model = sm.Logit(treated.astype(float), design).fit(disp=0, maxiter=200, method="lbfgs")
    e = model.predict(design)
    kept = (e >= TRIM) & (e <= 1 - TRIM)
    w = np.where(treated, 1 / e, 1 / (1 - e))
    ones = np.ones_like(e)
    balance = [
        {
            "covariate": name,
            "before": standardised_difference(frame[name], treated, ones),
            "after": standardised_difference(frame[name][kept], treated[kept], w[kept]),
        }
        for name in COVARIATES
    ]
    y, t, wk = frame["outcome"][kept], treated[kept].astype(float), w[kept]
    fit = sm.WLS(y, sm.add_constant(t, has_constant="add"), weights=wk).fit(cov_type="HC1")
    low, high = fit.conf_int(alpha)[1]
    return {
        "effect": float(fit.params[1]),
        "ci": [float(low), float(high)],
        "balance": balance,
        "trimmed": int((~kept).sum()),
        "trim": [TRIM, 1 - TRIM],
    }


def _did(session: Session, cut: date, horizon: int, alpha: float, seed: int) -> dict[str, Any]:
    """Orders after minus before each first redemption, against controls' own orders."""
    span = horizon * SECONDS_PER_DAY
    start, end = cut - timedelta(days=YEAR), cut - timedelta(days=horizon)
    r = entries(session, (REDEEM,), None, cut)
    first = r.group_by("member_id").aggregate(first=r.at.epoch_seconds().min())
    o = paid_orders(session, start - timedelta(days=2 * horizon), cut)
    orders = o.select("member_id", at=o.ordered_at.epoch_seconds())
    arrow = session.arrow(orders.left_join(first, "member_id").select(orders, first.first))
    member = arrow.column("member_id").to_numpy(zero_copy_only=False)
    at = arrow.column("at").to_numpy().astype(np.int64)
    raw = arrow.column("first").to_numpy(zero_copy_only=False)
    first_at = np.array([np.nan if v is None else float(v) for v in raw], dtype=float)
    codes, member_code = np.unique(member, return_inverse=True)
    order = np.lexsort((at, member_code))
    member_code, at, first_at = member_code[order], at[order], first_at[order]
    lo = _seconds(start)
    hi = _seconds(end)
    in_span = (at >= lo) & (at < hi)
    # treated events: the redeeming order (the order at the first redemption's time)
    is_event = in_span & (np.abs(at - first_at) <= 60)
    # control events: an order of a member who has not redeemed by its post window's end
    eligible = in_span & ~(first_at <= at + span)
    rng = np.random.default_rng(seed)
    key = rng.random(at.size)
    events_t = _one_per_member(member_code, is_event, -at.astype(float))
    events_c = _one_per_member(
        member_code, eligible & ~np.isin(member_code, member_code[is_event]), key
    )
    events_t = events_t[_has_history(member_code, at, events_t, span)]
    events_c = events_c[_has_history(member_code, at, events_c, span)]
    del codes
    before_t, after_t = _windows(member_code, at, events_t, span)
    before_c, after_c = _windows(member_code, at, events_c, span)
    return _matched(
        (_stratum(before_t, at[events_t]), after_t - before_t),
        (_stratum(before_c, at[events_c]), after_c - before_c),
        alpha,
    )


def _stratum(before: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The same history: orders in the pre-window (capped at 4) and the event's month."""
    month = (at // (30 * SECONDS_PER_DAY)).astype(np.int64)
    return np.minimum(before, 4).astype(np.int64) * 10_000 + month  # type: ignore[no-any-return]


def _matched(
    treated: tuple[np.ndarray, np.ndarray], control: tuple[np.ndarray, np.ndarray], alpha: float
) -> dict[str, Any]:
    """Σ over strata of the treated share × (mean change of treated − of controls), with the
    variance of that weighted sum; treated events without a control in their stratum are
    left out (and counted)."""
    from scipy import special

    strata_t, change_t = treated
    strata_c, change_c = control
    kept, effect, variance, controls = 0, 0.0, 0.0, 0
    parts = []
    for stratum in np.unique(strata_t):
        t = change_t[strata_t == stratum]
        c = change_c[strata_c == stratum]
        if c.size == 0:
            continue
        parts.append((t, c))
        kept += t.size
        controls += c.size
    if kept < 2:
        # reported, not refused: the other two read-outs still answer
        return {
            "effect": None,
            "ci": [None, None],
            "treated": kept,
            "control": controls,
            "unmatched": int(change_t.size - kept),
        }
    for t, c in parts:
        w = t.size / kept
        effect += w * (t.mean() - c.mean())
        vt = t.var(ddof=1) / t.size if t.size > 1 else 0.0
        vc = c.var(ddof=1) / c.size if c.size > 1 else 0.0
        variance += w * w * (vt + vc)
    half = float(special.ndtri(1 - alpha / 2)) * math.sqrt(variance)
    return {
        "effect": float(effect),
        "ci": [float(effect - half), float(effect + half)],
        "treated": kept,
        "control": controls,
        "unmatched": int(change_t.size - kept),
    }


def _seconds(day: date) -> int:
    return (day - date(1970, 1, 1)).days * SECONDS_PER_DAY


def _one_per_member(member: np.ndarray, mask: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Row index of one masked row per member: the largest ``key``."""
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return rows
    order = rows[np.lexsort((key[rows], member[rows]))]
    last = np.append(member[order][1:] != member[order][:-1], True)
    return order[last]  # type: ignore[no-any-return]


def _has_history(member: np.ndarray, at: np.ndarray, events: np.ndarray, span: int) -> np.ndarray:
    """Events whose member also ordered in [t − 2 span, t − span): the same history."""
    key = member.astype(np.int64) * (1 << 40) + at
    m = member[events].astype(np.int64) * (1 << 40)
    t = at[events]
    earlier = np.searchsorted(key, m + t - span, "left") - np.searchsorted(
        key, m + t - 2 * span, "left"
    )
    return earlier > 0  # type: ignore[no-any-return]


def _windows(
    member: np.ndarray, at: np.ndarray, events: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray]:
    """Orders in [t − span, t) and in (t, t + span] of the member of each event."""
    # rows are sorted by member then time: count with searchsorted on a packed key
    key = member.astype(np.int64) * (1 << 40) + at
    m = member[events].astype(np.int64) * (1 << 40)
    t = at[events]
    after = np.searchsorted(key, m + t + span, "right") - np.searchsorted(key, m + t, "right")
    before = np.searchsorted(key, m + t, "left") - np.searchsorted(key, m + t - span, "left")
    return before.astype(float), after.astype(float)
