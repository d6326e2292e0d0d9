"""Sample size per arm for a two-sided two-sample t-test (the numbers statsmodels'
``TTestIndPower`` gives).

For a minimum detectable effect δ (absolute), the metric's standard deviation σ and equal
arms of n members, the test statistic is non-central t with ``df = 2n − 2`` and
non-centrality ``(δ/σ) √(n/2)``; n is the smallest whole number whose power
``P(T > t_{1−α/2}) + P(T < −t_{1−α/2})`` reaches the target. With more than two arms each
variant is compared with the control at α / (arms − 1) (Bonferroni).

>>> sample_size_per_arm(effect=0.2, sd=1.0, alpha=0.05, power=0.8)
394
"""

from __future__ import annotations

import math

from scipy import special


def power_of(n: float, d: float, alpha: float) -> float:
    """Power of the two-sided two-sample t-test with ``n`` per arm and effect size ``d``."""
    df = 2 * n - 2
    nc = d * math.sqrt(n / 2)
    q = float(special.stdtrit(df, 1 - alpha / 2))
    return float(1 - special.nctdtr(df, nc, q) + special.nctdtr(df, nc, -q))


def sample_size_per_arm(
    effect: float, sd: float, *, alpha: float = 0.05, power: float = 0.8, arms: int = 2
) -> int:
    """Members per arm to detect an absolute ``effect`` on a metric of standard deviation
    ``sd``."""
    if effect == 0 or sd <= 0:
        raise ValueError("the effect must be non-zero and the standard deviation positive")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power lie strictly between 0 and 1")
    if arms < 2:
        raise ValueError("an experiment has at least two arms")
    from scipy import optimize

    level = alpha / (arms - 1)
    d = abs(effect) / sd
    upper = 4.0
    while power_of(upper, d, level) < power:
        upper *= 2
    n = optimize.brentq(lambda x: power_of(x, d, level) - power, 2.0, upper, xtol=1e-8)
    return math.ceil(float(n) - 1e-6)
