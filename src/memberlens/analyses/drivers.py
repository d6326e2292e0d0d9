"""Which member behaviours move with repurchase in the next period.

Population: the buyers of a period P. Outcome: a paid order in the next period. Behaviours
in P (computed in the engine): redeeming points, responding to a campaign (a paid order
within the attribution window after a treatment touch), complaining, the number of channels
the member is known in, tenure, and — as a control for how active the member already is —
the number of orders in P. A logistic regression on standardised behaviours gives an odds
ratio per standard deviation (per yes/no for the 0/1 behaviours) with a 95 % interval and a
p-value; the plain repurchase rates with and without each 0/1 behaviour are shown beside it.
With ``extra=True`` the member features registered by areas above the models join them
(:mod:`memberlens.models.churn.extra`: texts written, their negative share and mean
sentiment, complaint topics — from :mod:`memberlens.voc.members`), over the same period; a
member without a text counts as neutral (0) there. Associations, not causes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import ibis
import numpy as np
import polars as pl

from memberlens.analyses.compare import CAUTION
from memberlens.dates.periods import Period
from memberlens.engine.expr import at_midnight, days_between
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.metrics.scope import Scope

BEHAVIOURS = (
    "redeemed",
    "campaign_response",
    "complained",
    "channels",
    "tenure_days",
    "orders_in_period",
)
BINARY = {"redeemed", "campaign_response", "complained"}


@dataclass(frozen=True)
class Drivers:
    period: Period
    outcome_period: Period
    members: int
    base_rate: float
    table: pl.DataFrame
    caution: str
    #: readable names of the registered features' columns (a complaint topic's top keywords)
    labels: dict[str, str] = field(default_factory=dict)


def member_features(session: Session, period: Period) -> pl.DataFrame:
    """One row per buyer of ``period`` with the behaviours and the next-period outcome."""
    from memberlens.metrics.compute import attributed_orders

    s = Scope(session, period)
    buyers = s.paid_in().group_by("member_id").agg(orders_in_period=ibis._.count())
    nxt = s.paid_in(period.next()).select("member_id").distinct().mutate(repurchased=1)
    p = s.table("points")
    redeemed = p.filter((p.kind == "redeem") & s.within(p, "at")).select("member_id").distinct()
    responded = attributed_orders(s).select("member_id").distinct()
    t = s.table("tickets")
    complained = t.filter((t.kind == "complaint") & s.within(t, "opened_at"))
    complained = complained.select("member_id").distinct()
    i = s.table("identities")
    channels = i.group_by("member_id").agg(channels=i.channel.nunique())
    m = s.table("members")
    tenure = m.select(
        "member_id", tenure_days=days_between(at_midnight(period.end), m.registered_at)
    )
    frame = buyers
    for flag, table in (
        ("repurchased", nxt),
        ("redeemed", redeemed.mutate(redeemed=1)),
        ("campaign_response", responded.mutate(campaign_response=1)),
        ("complained", complained.mutate(complained=1)),
    ):
        frame = frame.left_join(table, "member_id").drop("member_id_right")
        frame = frame.mutate(**{flag: frame[flag].fill_null(0)})
    frame = frame.left_join(channels, "member_id").drop("member_id_right")
    frame = frame.left_join(tenure, "member_id").drop("member_id_right")
    result = pl.from_arrow(session.arrow(frame.mutate(channels=frame.channels.fill_null(0))))
    assert isinstance(result, pl.DataFrame)
    return result


def drivers(session: Session, period: Period, extra: bool = False) -> Drivers:
    import statsmodels.api as sm

    from memberlens.facts.coverage import data_range

    span = data_range(session)
    if span is None or period.next().last > span[1]:
        raise InputError(
            f"The outcome period {period.next()} is not complete in the data (orders end on "
            f"{span[1] if span else 'no date'}); choose an earlier period."
        )
    data = member_features(session, period)
    if data.height < 50 or data["repurchased"].n_unique() < 2:
        raise InputError(
            f"{period} has {data.height} buyers and no variation in next-period repurchase; "
            "choose a longer period (a quarter or a year)."
        )
    candidates, binary = list(BEHAVIOURS), set(BINARY)
    labels: dict[str, str] = {}
    if extra:
        from memberlens.models.churn.extra import extra_features

        more = extra_features(session, [(period.first, period.end)])
        data = more.join(data, 0).with_columns(pl.col(c).fill_null(0.0) for c in more.no_fill)
        candidates += more.columns
        binary |= more.binary
        labels = more.labels
    y = data["repurchased"].to_numpy().astype(float)
    columns = [b for b in candidates if data[b].std() not in (None, 0.0)]
    x = np.column_stack([data[b].to_numpy().astype(float) for b in columns])
    scale = np.array([1.0 if b in binary else x[:, k].std() for k, b in enumerate(columns)])
    centre = np.array([0.0 if b in binary else x[:, k].mean() for k, b in enumerate(columns)])
    design = sm.add_constant((x - centre) / scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the fit is checked below
        fit = sm.Logit(y, design).fit(disp=0, maxiter=200)
    intervals = np.asarray(fit.conf_int(0.05))
    rows = []
    with np.errstate(over="ignore"):  # a separated 0/1 behaviour: an odds ratio of inf
        odds = np.exp(np.asarray(fit.params))
        bounds = np.exp(intervals)
    for k, name in enumerate(columns, start=1):
        values = data[name].to_numpy().astype(float)
        is_binary = name in binary
        rows.append(
            {
                "behaviour": name,
                "unit": "yes vs no" if is_binary else "per standard deviation",
                "correlation": float(np.corrcoef(values, y)[0, 1]),
                "odds_ratio": float(odds[k]),
                "ci_low": float(bounds[k, 0]),
                "ci_high": float(bounds[k, 1]),
                "p_value": float(fit.pvalues[k]),
                "rate_with": float(y[values > 0].mean())
                if is_binary and (values > 0).any()
                else None,
                "rate_without": float(y[values == 0].mean())
                if is_binary and (values == 0).any()
                else None,
            }
        )
    table = pl.DataFrame(rows).sort("p_value")
    return Drivers(
        period,
        period.next(),
        data.height,
        float(y.mean()),
        table,
        CAUTION[session.config.workspace.language],
        labels,
    )
