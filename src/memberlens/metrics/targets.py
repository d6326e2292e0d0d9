"""Targets and standards: every reported value gets a status (on target / watch / off target).

A target is a *band* ``[low, high]`` plus the metric's direction:

* ``value = 0.35`` in ``[targets.<metric>]`` is the band [0.35, 0.35];
* ``range = [0.30, 0.40]`` is that band;
* ``history = "same_period"`` (the same period in the ``periods`` earlier years) or
  ``"trailing"`` (the ``periods`` periods before) is mean ± one standard deviation of those
  values.

Inside the band, or outside it on the better side, is **on target**; on the worse side by no
more than ``tolerance`` (a share of the band's bound, default 5 %) is **watch**; beyond that
**off target**. For a neutral metric both sides are worse. Without a target the status is
"no target"; without a value, "no data".
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from memberlens.config import Config, TargetSettings
from memberlens.dates.periods import Period
from memberlens.errors import ConfigError, did_you_mean
from memberlens.labels import Label
from memberlens.metrics.catalog import CATALOG, Direction, Metric


class Status(StrEnum):
    ON = "on_target"
    WATCH = "watch"
    OFF = "off_target"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    def label(self, language: str) -> str:
        return Label(*STATUS_LABELS[self])(language)


STATUS_LABELS = {
    Status.ON: ("达标", "on target"),
    Status.WATCH: ("关注", "watch"),
    Status.OFF: ("未达标", "off target"),
    Status.NO_TARGET: ("无目标", "no target"),
    Status.NO_DATA: ("无数据", "no data"),
}


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    source: str  # "value", "range" or the history rule

    def status(self, value: float | None, direction: Direction, tolerance: float) -> Status:
        if value is None:
            return Status.NO_DATA
        if self.low <= value <= self.high:
            return Status.ON
        below = value < self.low
        if (below and direction is Direction.DOWN) or (not below and direction is Direction.UP):
            return Status.ON  # beyond the band on the better side
        bound = self.low if below else self.high
        margin = tolerance * abs(bound)
        distance = self.low - value if below else value - self.high
        return Status.WATCH if distance <= margin else Status.OFF


def band_for(
    target: TargetSettings,
    period: Period,
    history: Callable[[Period], float | None],
) -> Band | None:
    """The band of ``target`` for ``period``; ``history`` computes the metric for a period."""
    if target.value is not None:
        return Band(target.value, target.value, "value")
    if target.range is not None:
        return Band(target.range[0], target.range[1], "range")
    references: list[Period] = []
    current = period
    for _ in range(target.periods):
        current = current.year_ago() if target.history == "same_period" else current.previous()
        references.append(current)
    values = [v for v in (history(p) for p in references) if v is not None]
    if not values:
        return None
    mean = statistics.fmean(values)
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return Band(mean - spread, mean + spread, f"history:{target.history}")


@dataclass(frozen=True)
class Assessment:
    metric: Metric
    band: Band | None
    status: Status


def assess(
    metric: Metric,
    value: float | None,
    target: TargetSettings | None,
    period: Period,
    history: Callable[[Period], float | None],
) -> Assessment:
    if value is None:
        return Assessment(metric, None, Status.NO_DATA)
    if target is None:
        return Assessment(metric, None, Status.NO_TARGET)
    band = band_for(target, period, history)
    if band is None:
        return Assessment(metric, None, Status.NO_TARGET)
    return Assessment(metric, band, band.status(value, metric.direction, target.tolerance))


def check_targets(config: Config) -> None:
    """Every ``[targets.<metric>]`` names a catalog metric; else a :class:`ConfigError`
    naming each key (checked by the commands that read targets, not at every start)."""
    unknown = [m for m in config.targets if m not in CATALOG]
    if unknown:
        raise ConfigError(
            "memberlens.toml: "
            + "; ".join(
                f"[targets.{m}]: unknown metric '{m}'.{did_you_mean(m, CATALOG)} "
                "See 'memberlens metrics list'"
                for m in unknown
            )
        )
