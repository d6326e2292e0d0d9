"""Experiments, campaign lift and the causal effect of points (DESIGN §12).

* :mod:`~memberlens.experiments.outcomes` — per-member outcomes in each member's own window
  and pre-period, reduced to per-arm sufficient statistics in one grouped query.
* :mod:`~memberlens.experiments.design` — baseline, sample size and duration.
* :mod:`~memberlens.experiments.assign` — deterministic salted SHA-256 bucketing.
* :mod:`~memberlens.experiments.analyze` — the read-out of an experiment.
* :mod:`~memberlens.experiments.campaigns` — treated against holdout, cost and ROI.
* :mod:`~memberlens.experiments.causal` — do points users repurchase more, three ways.
"""
