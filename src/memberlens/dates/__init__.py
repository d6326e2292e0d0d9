"""Dates: reporting periods, month arithmetic and the retail calendar."""

from memberlens.lazy import exports

__all__ = [
    "Grain",
    "Period",
    "add_months",
    "containing",
    "holiday_days",
    "is_workday",
    "latest_full_month",
    "month_index",
    "month_label",
    "occasions",
    "parse_period",
    "same_day_last_year",
    "series",
    "spring_festival",
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
        "is_workday": "memberlens.dates.calendar",
        "occasions": "memberlens.dates.calendar",
        "same_day_last_year": "memberlens.dates.calendar",
        "spring_festival": "memberlens.dates.calendar",
    },
)
