"""Every day (DESIGN §15): load what is new from ``[sources.<table>]``, refresh the daily
aggregates, evaluate the day's alerts, write the day's report and deliver the alerts to
``[alerts]`` (a webhook, e-mail). See docs/daily.md.

>>> import memberlens as ml
>>> from memberlens.daily import run_daily
>>> result = run_daily(ml.open("shop"), "2025-03-14")      # doctest: +SKIP
>>> result.ok, [s.status for s in result.steps]             # doctest: +SKIP
"""

from memberlens.lazy import exports

__all__ = ["DailyResult", "StepResult", "run_daily"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "DailyResult": "memberlens.daily.run",
        "StepResult": "memberlens.daily.run",
        "run_daily": "memberlens.daily.run",
    },
)
