"""Guards of a read-out: sample-ratio mismatch and multiple-comparison adjustments.

* SRM: Pearson's χ² of the arms' sizes against the intended split (equal unless weights
  are given), with k − 1 degrees of freedom; flagged when p < 0.001 (DESIGN §12).
* Holm (1979) step-down and Benjamini–Hochberg (1995) step-up adjusted p-values, the same
  values as ``statsmodels.stats.multitest.multipletests`` (``holm``, ``fdr_bh``).

>>> [round(p, 3) for p in holm([0.01, 0.04, 0.03])]
[0.03, 0.06, 0.06]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import special

SRM_THRESHOLD = 0.001


@dataclass(frozen=True)
class SampleRatio:
    p_value: float
    flag: bool


def srm(counts: Sequence[int], weights: Sequence[float] | None = None) -> SampleRatio:
    """χ² test of ``counts`` against the split ``weights`` (equal when None)."""
    if len(counts) < 2:
        raise ValueError("a sample-ratio check needs at least two arms")
    shares = [1.0] * len(counts) if weights is None else list(weights)
    if len(shares) != len(counts) or any(w <= 0 for w in shares):
        raise ValueError("one positive weight per arm")
    total, weight = sum(counts), sum(shares)
    if total == 0:
        return SampleRatio(1.0, False)
    expected = [total * w / weight for w in shares]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(counts, expected, strict=True))
    p = float(special.chdtrc(len(counts) - 1, chi2))
    return SampleRatio(p, p < SRM_THRESHOLD)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (NaN stays NaN and is not counted)."""
    index = [i for i, p in enumerate(p_values) if not math.isnan(p)]
    order = sorted(index, key=lambda i: p_values[i])
    m = len(order)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg step-up adjusted p-values (NaN stays NaN and is not counted)."""
    index = [i for i, p in enumerate(p_values) if not math.isnan(p)]
    order = sorted(index, key=lambda i: p_values[i], reverse=True)
    m = len(order)
    adjusted = [math.nan] * len(p_values)
    running = 1.0
    for k, i in enumerate(order):
        rank = m - k
        running = min(running, m / rank * p_values[i])
        adjusted[i] = min(running, 1.0)
    return adjusted
