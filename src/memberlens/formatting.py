"""How values are written for people: by unit, with changes in % or percentage points."""

from __future__ import annotations

import math


def number(value: float | None, unit: str, empty: str = "–") -> str:
    """A value in its unit: 12.3%, 1,234.56, 12.5, 1,234."""
    if value is None or not math.isfinite(value):  # NaN and ±inf: nothing to read
        return empty
    if unit == "ratio":
        return f"{value:.1%}"
    if unit == "money":
        return f"{value:,.2f}"
    if unit in ("days", "score", "times", "hours", "per_thousand"):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def change(value: float | None, unit: str) -> str:
    """A 环比/同比 change: points (pp) for rates, plain points for scores, else percent."""
    if value is None:
        return "–"
    arrow = "▲" if value > 0 else ("▼" if value < 0 else "•")
    if unit == "ratio":
        return f"{arrow} {abs(value) * 100:.1f} pp"
    if unit in ("score", "per_thousand"):
        return f"{arrow} {abs(value):.1f}"
    return f"{arrow} {abs(value):.1%}"


def tone(value: float | None, direction: str) -> str:
    """good, bad or neutral for a change given the metric's direction."""
    if value is None or value == 0 or direction == "neutral":
        return "neutral"
    return "good" if (value > 0) == (direction == "higher_is_better") else "bad"


def p_value(value: float | None, empty: str = "–") -> str:
    """A p-value for people: three decimals, <0.001 below that."""
    if value is None or value != value:
        return empty
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def signed_percent(value: float | None, empty: str = "–") -> str:
    """A lift or a difference of rates with its sign: +4.8%, -12.0%."""
    if value is None or not math.isfinite(value):  # NaN and ±inf: nothing to read
        return empty
    return f"{value:+.1%}"


def percent(value: float | None, *, signed: bool = False, empty: str = "–") -> str:
    """A share or a lift in the read-outs' style, a space before the sign: 12.5 %, +4.8 %."""
    if value is None or not math.isfinite(value):  # NaN and ±inf: nothing to read
        return empty
    return f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"


def significant(value: float | None, empty: str = "–") -> str:
    """A mean or a p-value to four significant digits: 0.04213, 136.6."""
    if value is None or value != value:
        return empty
    return f"{value:.4g}"
