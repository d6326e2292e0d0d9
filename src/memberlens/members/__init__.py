"""One member: the profile (tier, segment, points balance, CLV, P(alive), churn risk)."""
