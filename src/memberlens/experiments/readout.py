"""Read-outs in words: the verdict sentence of a lift and the sample-ratio guard, in the
workspace language (used by the command line, the report and the dashboard)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from memberlens import formatting
from memberlens.labels import OUTCOMES, VARIANTS, Label

RAISED = Label("{variant} 使 {metric} 提高了 {lift}", "{variant} raised {metric} by {lift}")
LOWERED = Label("{variant} 使 {metric} 降低了 {lift}", "{variant} lowered {metric} by {lift}")
UNCLEAR = Label(
    "{variant} 对 {metric} 的影响不显著({lift})",
    "{variant} changed {metric} by {lift}, not significantly",
)
INTERVAL = Label("({level}% 置信区间 {lo}–{hi})", "({level} % CI {lo}–{hi})")
NO_SRM = Label("样本比例无异常", "no sample ratio mismatch")
SRM = Label(
    "样本比例异常(p = {p}):先检查分组再解读结果",
    "sample ratio mismatch (p = {p}): check the assignment before reading the results",
)
WARNING = Label("注意", "Warning")


def outcome(metric: str, language: str) -> str:
    """An outcome's name (conversion → 转化率); an unknown id as it is."""
    found = OUTCOMES.get(metric)
    return metric if found is None else found(language)


def arm(variant: str, language: str) -> str:
    """An arm's name (control → 对照组, treatment → 实验组); other variant ids as they are."""
    found = VARIANTS.get(variant)
    return variant if found is None else found(language)


def percent(value: float | None) -> str:
    """A lift with its sign, as the read-outs write it: +4.8 %."""
    return formatting.percent(value, signed=True, empty="—")


_share = partial(formatting.percent, empty="—")
_number = partial(formatting.significant, empty="—")


def verdict(row: dict[str, Any], level: float, language: str) -> str:
    """One sentence: the relative lift with its interval (absolute when there is none).

    >>> row = {"variant": "treatment", "metric": "conversion", "lift_rel": 0.048,
    ...        "ci_rel": [0.012, 0.084], "lift_abs": 0.004, "ci_abs": [0.001, 0.007]}
    >>> verdict(row, 0.95, "en")
    'Treatment raised Conversion by 4.8 % (95 % CI 1.2 %–8.4 %)'

    The arm and the outcome are named in ``language`` (:func:`arm`, :func:`outcome`).
    """
    variant, metric = arm(row["variant"], language), outcome(row["metric"], language)
    lo, hi = row["ci_rel"]
    lift = row["lift_rel"]
    show: Callable[[float | None], str] = _share
    if lift is None:
        lift, (lo, hi) = row["lift_abs"], row["ci_abs"]
        show = _number
    if lift is None:
        return f"{variant} · {metric}: –"
    if lo is not None and lo > 0:
        text, shown = RAISED, show(abs(lift))
    elif hi is not None and hi < 0:
        text, shown = LOWERED, show(abs(lift))
    else:
        text, shown = UNCLEAR, ("+" if lift >= 0 else "") + show(lift)
    sentence = text(language).format(variant=variant, metric=metric, lift=shown)
    interval = INTERVAL(language).format(level=f"{level * 100:g}", lo=show(lo), hi=show(hi))
    return f"{sentence} {interval}"


def guard(readout: dict[str, Any], language: str) -> str:
    """The sample-ratio sentence of a read-out (DESIGN §12 JSON)."""
    srm = readout["srm"]
    if srm["flag"]:
        return SRM(language).format(p=f"{srm['p_value']:.2g}")
    return NO_SRM(language)
