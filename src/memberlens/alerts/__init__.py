"""Anomaly alerts on the daily series of the core metrics (see :mod:`.detect`)."""

from memberlens.lazy import exports

__all__ = ["Alert"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Alert": "memberlens.alerts.detect",
    },
)
