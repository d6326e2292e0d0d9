"""Inference on sufficient statistics (DESIGN §12), the GrowthBook gbstats way.

The engine hands over per-arm sums (n, Σx, Σx², and cross sums for ratios and CUPED); small
frozen dataclasses add together and do the inference in Python:

* :mod:`~memberlens.stats.statistics` — the sufficient statistics (means, ratios, CUPED).
* :mod:`~memberlens.stats.frequentist` — Welch's t, absolute and relative lift (delta method),
  Bayesian chance to win and risk, always-valid (sequential) intervals.
* :mod:`~memberlens.stats.guards` — sample-ratio mismatch, Holm and Benjamini–Hochberg.
* :mod:`~memberlens.stats.power` — sample size per arm for a minimum detectable effect.
"""

from memberlens.stats.frequentist import Comparison, compare
from memberlens.stats.guards import benjamini_hochberg, holm, srm
from memberlens.stats.power import sample_size_per_arm
from memberlens.stats.statistics import (
    Moments,
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    cuped_theta,
)

__all__ = [
    "Comparison",
    "Moments",
    "ProportionStatistic",
    "RatioStatistic",
    "RegressionAdjustedStatistic",
    "SampleMeanStatistic",
    "benjamini_hochberg",
    "compare",
    "cuped_theta",
    "holm",
    "sample_size_per_arm",
    "srm",
]
