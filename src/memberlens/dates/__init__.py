"""Dates: reporting periods, month arithmetic and the retail calendar."""

from memberlens.lazy import exports

__all__ = [
    "Grain",
    "Period",
    "add_months",
    "containing",
    "holiday_days",
    "latest_full_month",
    "month_index",
    "month_label",
    "parse_period",
    "series",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Period": "memberlens.dates.periods",
        "Grain": "memberlens.dates.periods",
        "parse_period": "memberlens.dates.periods",
        "containing": "memberlens.dates.periods",
        "series": "memberlens.dates.periods",
        "latest_full_month": "memberlens.dates.periods",
        "add_months": "memberlens.dates.months",
        "month_index": "memberlens.dates.months",
        "month_label": "memberlens.dates.months",
        "holiday_days": "memberlens.dates.calendar",
    },
)
