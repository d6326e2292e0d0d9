"""Experiments, campaign lift and the causal effect of points (DESIGN §12, docs/experiments.md).

Reached as ``ws.experiments`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from memberlens.workspace import parse

if TYPE_CHECKING:
    from memberlens.experiments.analyze import ExperimentResult
    from memberlens.experiments.causal import PointsEffect
    from memberlens.workspace.base import Host


class Experiments:
    """A/B read-outs, campaigns against their holdouts, and the effect of redeeming points."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def ids(self) -> list[str]:
        """The experiment ids with assignments in the warehouse."""
        from memberlens.experiments.analyze import experiment_ids

        with self._ws.session() as s:
            return experiment_ids(s)

    def analyze(
        self,
        experiment_id: str,
        *,
        metrics: Sequence[str] | None = None,
        window_days: int = 14,
        cuped: bool = False,
        sequential: bool = False,
        control: str = "control",
        alpha: float = 0.05,
        weights: Mapping[str, float] | None = None,
    ) -> ExperimentResult:
        """The read-out of ``experiment_id`` (``.to_dict()`` is DESIGN §12's JSON).

        >>> ws.experiments.analyze("EXP2025PUSH").to_dict()["srm"]  # doctest: +SKIP
        """
        from memberlens.experiments.analyze import analyze

        with self._ws.session() as s:
            return analyze(
                s,
                experiment_id,
                metrics=metrics,
                window_days=window_days,
                cuped=cuped,
                sequential=sequential,
                control=control,
                alpha=alpha,
                weights=weights,
            )

    def campaigns(
        self,
        campaign_ids: Sequence[str] | None = None,
        *,
        by: str | None = None,
        window_days: int = 14,
        alpha: float = 0.05,
    ) -> list[dict[str, Any]]:
        """Campaigns against their holdouts, ranked by incremental revenue per cost;
        ``by="tier"`` splits each campaign by tier."""
        from memberlens.errors import unknown_choice
        from memberlens.experiments.campaigns import analyze_campaigns

        if by is not None and by != "tier":
            raise unknown_choice("split", by, ["tier"], parameter="by")
        with self._ws.session() as s:
            return analyze_campaigns(
                s,
                list(campaign_ids) if campaign_ids else None,
                by_tier=by == "tier",
                window_days=window_days,
                alpha=alpha,
            )

    def causal_points(self, as_of: str) -> PointsEffect:
        """Do points users buy more? Naive, propensity-weighted and difference in differences."""
        from memberlens.experiments.causal import points_effect

        day = parse.day(as_of)
        with self._ws.session() as s:
            return points_effect(s, day)

    def design(
        self,
        metric: str,
        mde: float,
        *,
        relative: bool = False,
        alpha: float = 0.05,
        power: float = 0.8,
        arms: int = 2,
        members: Sequence[str] | None = None,
        window_days: int = 14,
    ) -> dict[str, Any]:
        """Sample size per arm and duration to detect ``mde`` on ``metric``."""
        from memberlens.experiments.design import design

        with self._ws.session() as s:
            return design(
                s,
                metric,
                mde,
                relative=relative,
                alpha=alpha,
                power=power,
                arms=arms,
                members=members,
                window_days=window_days,
            )
