"""The program's rules: the tier ladder as of a date, the tiers members hold over time, and
what-if replays of candidate rules (docs/segments.md)."""

from memberlens.lazy import exports

__all__ = ["TierHistory", "WhatIf", "near_next", "tier_history", "tiers_expression", "what_if"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "tiers_expression": "memberlens.program.tiers",
        "near_next": "memberlens.program.tiers",
        "tier_history": "memberlens.program.history",
        "TierHistory": "memberlens.program.history",
        "what_if": "memberlens.program.whatif",
        "WhatIf": "memberlens.program.whatif",
    },
)
