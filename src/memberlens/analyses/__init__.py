"""Analyses over the warehouse: cohorts, group comparisons (more to come: trends, drivers)."""

from memberlens.lazy import exports

__all__ = ["Comparison", "Drivers", "Trend", "cohort_matrix", "decompose"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Comparison": "memberlens.analyses.compare",
        "cohort_matrix": "memberlens.analyses.cohorts",
        "decompose": "memberlens.analyses.trends",
        "Trend": "memberlens.analyses.trends",
        "Drivers": "memberlens.analyses.drivers",
    },
)
