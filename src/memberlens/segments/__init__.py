"""Member value: RFM segments and member tiers as of a date (DESIGN §7)."""

from memberlens.lazy import exports

__all__ = [
    "SEGMENTS",
    "Scheme",
    "TargetRule",
    "ValueReport",
    "quintiled",
    "segmented",
    "target_list",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "segmented": "memberlens.segments.rfm",
        "quintiled": "memberlens.segments.rfm",
        "SEGMENTS": "memberlens.segments.rfm",
        "Scheme": "memberlens.segments.rfm",
        "ValueReport": "memberlens.segments.value",
        "TargetRule": "memberlens.segments.targets",
        "target_list": "memberlens.segments.targets",
    },
)
