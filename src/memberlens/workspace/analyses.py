"""Analyses over the metrics: goals, group comparisons, cohorts, alerts, trends, drivers.

Reached as ``ws.analyses`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from memberlens.workspace import parse

if TYPE_CHECKING:
    import polars as pl

    from memberlens.alerts.detect import Alert
    from memberlens.analyses.compare import Comparison
    from memberlens.analyses.drivers import Drivers
    from memberlens.analyses.trends import Trend
    from memberlens.metrics.goals import GoalReport
    from memberlens.workspace.base import Host


class Analyses:
    """Analyses over the metrics: goals, group comparisons, cohorts, alerts, trends, drivers."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def goals(self, ids: Sequence[str] = (), period: str | None = None) -> list[GoalReport]:
        """The goal templates (all by default) read for ``period``."""
        from memberlens.metrics.goals import GOALS, report

        with self._ws.session() as session:
            p = self._ws.resolve_period(session, period)
            return [report(session, g, p) for g in (ids or list(GOALS))]

    def compare(
        self, by: str, period: str | None = None, groups: tuple[str, str] | None = None
    ) -> Comparison:
        """Two groups of a dimension on repurchase rate, AOV and repurchase cycle."""
        from memberlens.analyses.compare import compare

        with self._ws.session() as session:
            return compare(session, by, self._ws.resolve_period(session, period), groups)

    def cohorts(
        self, start: str, end: str, basis: str = "registration", measure: str = "members"
    ) -> pl.DataFrame:
        """Cohort matrix (long form) for monthly cohorts from ``start`` to ``end`` (dates)."""
        from memberlens.analyses.cohorts import cohort_matrix

        first, last = parse.days(start, end)
        with self._ws.session() as session:
            return cohort_matrix(session, first, last, basis, measure)  # type: ignore[arg-type]

    def alerts(self, start: str, end: str, drill: bool = True) -> list[Alert]:
        """Anomalies in the daily series of the core metrics between two dates."""
        from memberlens.alerts.detect import detect

        first, last = parse.days(start, end)
        with self._ws.session() as session:
            return detect(session, first, last, drill=drill)

    def trend(self, metric: str, start: str, end: str, grain: str = "day") -> Trend:
        """Seasonal decomposition (STL) of a daily or weekly series, with holiday peaks."""
        from memberlens.analyses.trends import decompose

        first, last = parse.days(start, end)
        with self._ws.session() as session:
            return decompose(session, metric, first, last, grain)  # type: ignore[arg-type]

    def drivers(self, period: str | None = None, *, voc: bool = False) -> Drivers:
        """Behaviours of a period's buyers against their repurchase in the next period
        (``voc``: with what they said — texts, sentiment, complaint topics)."""
        from memberlens.analyses.drivers import drivers

        with self._ws.session() as session:
            return drivers(session, self._ws.resolve_period(session, period), extra=voc)
