"""One member: the profile (tier, segment, points balance, CLV, P(alive), churn risk)."""

from memberlens.lazy import exports

__all__ = ["MemberProfile"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "MemberProfile": "memberlens.members.profile",
    },
)
