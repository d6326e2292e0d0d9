"""Collect everything the monthly report shows, through the Python API (no metric is computed
here): :class:`ReportData`, which :mod:`.html` and :mod:`.excel` render."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from memberlens.dates.months import last_day_months_before
from memberlens.dates.periods import Grain, Period
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.coverage import require_orders
from memberlens.metrics.catalog import HEADLINE
from memberlens.progress import Progress, Silent
from memberlens.segments.rfm import Scheme, segment_names

if TYPE_CHECKING:
    from memberlens.alerts.detect import Alert
    from memberlens.analyses.compare import Comparison
    from memberlens.metrics.goals import GoalReport
    from memberlens.models.clv.model import ClvResult
    from memberlens.workspace import Workspace

MONTHLY = ("orders", "revenue", "active_members", "repurchase_rate")
POINTS = ("points_issued", "points_redeemed", "points_expired", "points_liability")
CHANNEL = ("buyers", "orders", "revenue", "aov", "repurchase_rate")
MEMBER_SPLIT = ("members_total", "buyers", "revenue", "aov", "repurchase_rate")


@dataclass
class ReportData:
    period: Period
    language: str
    data_range: tuple[date, date]
    kpis: pl.DataFrame
    monthly: pl.DataFrame
    daily: pl.DataFrame
    points: pl.DataFrame
    goals: list[GoalReport]
    channels: pl.DataFrame
    tiers: pl.DataFrame  # MEMBER_SPLIT by tier, rows in ladder order, column "label"
    segments: pl.DataFrame  # MEMBER_SPLIT by RFM segment, rows in segment order
    comparison: Comparison | None
    cohorts: pl.DataFrame
    alerts: list[Alert]
    experiments: list[dict[str, Any]] = field(default_factory=list)  # DESIGN §12 read-outs
    clv: ClvResult | None = None  # with models: fitted to six months before, checked on them
    clv_note: str | None = None  # why the model check is missing, when it is
    currency: str = "CNY"  # the workspace currency (ISO code), for money in the workbook


def collect(
    ws: Workspace,
    period: str | None = None,
    models: bool = False,
    progress: Progress | None = None,
    alerts: list[Alert] | None = None,
) -> ReportData:
    """Everything the report shows (see :func:`_collect`); values computed once.
    ``progress`` hears of the :data:`STEPS` parts as they are computed; ``alerts``, when
    given, are the period's alerts already detected."""
    with ws.cached():
        return _collect(ws, period, models, progress or Silent(), alerts)


#: The parts :func:`collect` computes, one after the other (a progress bar's total).
STEPS = 10


def _collect(
    ws: Workspace,
    period: str | None,
    models: bool,
    steps: Progress,
    known_alerts: list[Alert] | None = None,
) -> ReportData:
    """Everything the report shows for ``period`` (default: the latest full month); with
    ``models`` also the CLV model's check: fitted on orders up to six months before the
    period's end and compared with the purchases of those six months."""
    from memberlens.metrics.daily import daily_parts

    with ws.session() as session:
        span = require_orders(session)
        p = ws.resolve_period(session, period)
        months_back = (p.first.replace(day=1) - timedelta(days=365)).replace(day=1)
        daily = daily_parts(session, months_back, p.last, parts=("orders", "revenue"))
        experiments = _experiments(session)
    steps.update(1)
    start, end = months_back.isoformat(), p.last.isoformat()
    kpis = ws.summary(list(HEADLINE), str(p))
    steps.update(2)
    monthly = ws.metrics(list(MONTHLY), start=start, end=end, grain="month")
    points = ws.metrics(list(POINTS), start=start, end=end, grain="month")
    steps.update(3)
    comparison = None
    try:
        comparison = ws.analyses.compare("points_user", str(p))
    except InputError:
        comparison = None  # one of the groups has no buyers this period
    steps.update(4)
    cohort_start = (p.first.replace(day=1) - timedelta(days=330)).replace(day=1)
    clv, clv_note = _clv_check(ws, p.last) if models else (None, None)
    steps.update(5)
    goals = ws.analyses.goals([], str(p))
    channels = ws.metrics(list(CHANNEL), str(p), by="channel")
    steps.update(6)
    tiers = _labelled(
        ws.metrics(list(MEMBER_SPLIT), str(p), by="tier"),
        "tier",
        {level.id: level.name for level in ws.config.tiers.levels},
    )
    steps.update(7)
    segments = _labelled(
        ws.metrics(list(MEMBER_SPLIT), str(p), by="rfm_segment"),
        "rfm_segment",
        segment_names(Scheme.threshold, ws.config.workspace.language),
    )
    steps.update(8)
    cohorts = ws.analyses.cohorts(cohort_start.isoformat(), end)
    steps.update(9)
    if known_alerts is not None:
        alerts = known_alerts
    elif p.grain is not Grain.YEAR:
        alerts = ws.analyses.alerts(p.first.isoformat(), end)
    else:
        alerts = []
    steps.update(10)
    return ReportData(
        period=p,
        language=ws.config.workspace.language,
        data_range=span,
        kpis=kpis,
        monthly=monthly,
        daily=daily,
        points=points,
        goals=goals,
        channels=channels,
        tiers=tiers,
        segments=segments,
        comparison=comparison,
        cohorts=cohorts,
        alerts=alerts,
        experiments=experiments,
        clv=clv,
        clv_note=clv_note,
        currency=ws.config.workspace.currency,
    )


def _experiments(session: Session) -> list[dict[str, Any]]:
    """Every experiment's read-out (DESIGN §12, default metrics and window); one that cannot
    be read (one arm, an empty arm) is left out of the report, not a failure of it."""
    from memberlens.experiments.analyze import analyze, experiment_ids

    readouts = []
    for experiment_id in experiment_ids(session):
        try:
            readouts.append(analyze(session, experiment_id).to_dict())
        except InputError:
            continue
    return readouts


def _clv_check(ws: Workspace, last: date) -> tuple[ClvResult | None, str | None]:
    """CLV fitted up to six months before ``last`` and validated on the six months after."""
    calibration_end = last_day_months_before(last, 6)
    try:
        result = ws.clv(calibration_end.isoformat(), holdout_end=last.isoformat())
    except InputError as error:  # too little data for the model: say so in the report
        return None, str(error)
    return result, None


def ordered(frame: pl.DataFrame, order: tuple[str, ...]) -> list[str]:
    """The metrics of a long frame in ``order`` (the engine's row order is not fixed); any
    other metric after them, in the frame's order."""
    present = frame["metric"].unique(maintain_order=True).to_list()
    return [m for m in order if m in present] + [m for m in present if m not in order]


def _labelled(frame: pl.DataFrame, column: str, names: dict[str, str]) -> pl.DataFrame:
    """A split's rows in the order of ``names`` with a display ``label`` (others last)."""
    order = {key: i for i, key in enumerate(names)}
    return (
        frame.with_columns(
            label=pl.col(column).replace_strict(names, default=pl.col(column)),
            rank=pl.col(column).replace_strict(order, default=len(order), return_dtype=pl.Int64),
        )
        .sort("rank", column)
        .drop("rank")
    )
