"""The facts every area reads, defined once: paid orders, the points ledger, coverage."""

from memberlens.lazy import exports

__all__ = [
    "all_paid_orders",
    "check_as_of",
    "check_ledger",
    "data_range",
    "entries",
    "last_record",
    "paid_orders",
    "require_orders",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "paid_orders": "memberlens.facts.orders",
        "all_paid_orders": "memberlens.facts.orders",
        "entries": "memberlens.facts.points",
        "data_range": "memberlens.facts.coverage",
        "last_record": "memberlens.facts.coverage",
        "require_orders": "memberlens.facts.coverage",
        "check_as_of": "memberlens.facts.coverage",
        "check_ledger": "memberlens.facts.coverage",
    },
)
