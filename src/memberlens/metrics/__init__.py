"""The loyalty KPI system (DESIGN §6).

* :mod:`~memberlens.metrics.catalog` — every metric as data (id, names, unit, direction).
* :mod:`~memberlens.dates.periods` — day / ISO week / month / quarter / year / range.
* :mod:`~memberlens.metrics.compute` — each definition as an Ibis expression.
* :mod:`~memberlens.metrics.evaluate` — values for a period, with 环比 and 同比.
"""

from memberlens.lazy import exports

__all__ = [
    "CATALOG",
    "DEFINITIONS",
    "GOALS",
    "HEADLINE",
    "METRICS",
    "Dimension",
    "Metric",
    "Scope",
    "daily_parts",
    "daily_series",
    "dimension",
    "explain",
    "metric",
    "register",
    "summary",
    "values",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "CATALOG": "memberlens.metrics.catalog",
        "METRICS": "memberlens.metrics.catalog",
        "HEADLINE": "memberlens.metrics.catalog",
        "Metric": "memberlens.metrics.catalog",
        "metric": "memberlens.metrics.catalog",
        "DEFINITIONS": "memberlens.metrics.compute",
        "Scope": "memberlens.metrics.scope",
        "Dimension": "memberlens.metrics.scope",
        "dimension": "memberlens.metrics.dimensions",
        "register": "memberlens.metrics.dimensions",
        "values": "memberlens.metrics.evaluate",
        "summary": "memberlens.metrics.evaluate",
        "explain": "memberlens.metrics.evaluate",
        "GOALS": "memberlens.metrics.goals",
        "daily_parts": "memberlens.metrics.daily",
        "daily_series": "memberlens.metrics.daily",
    },
)
