"""What areas above a layer register into it, loaded by importing their modules: the
metrics of the voice of the customer, the member features of what members say, the
dimensions of tiers, RFM segments and churn risk.

This module imports nothing heavy itself (no config, no engine): ``metrics list`` and the
HTTP catalog load the catalog through it and start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memberlens.metrics.catalog import Metric
    from memberlens.metrics.scope import Dimension


def load_dimensions() -> dict[str, Dimension]:
    """Every dimension, those that areas above the metrics register included (tier,
    rfm_segment, churn_risk): importing their modules registers them."""
    from memberlens.metrics.dimensions import DIMENSIONS
    from memberlens.models.churn import risk as churn
    from memberlens.program import tiers
    from memberlens.segments import rfm

    del churn, tiers, rfm  # imported for the dimensions they register
    upper = ("tier", "rfm_segment", "churn_risk")  # listed after the member attributes
    ordered = [d for d in DIMENSIONS if d not in upper] + [d for d in upper if d in DIMENSIONS]
    return {d: DIMENSIONS[d] for d in ordered}


def load_catalog() -> dict[str, Metric]:
    """The whole metric catalog (entries only, no Ibis), the metrics that areas above the
    metric layer register included (the service metrics of :mod:`memberlens.voc.catalog`):
    importing their modules registers them."""
    from memberlens.metrics.catalog import CATALOG
    from memberlens.voc import catalog

    del catalog  # imported for the entries it registers
    return CATALOG


def load_metrics() -> dict[str, Metric]:
    """The whole metric catalog with every definition: :func:`load_catalog` and the
    definitions of :mod:`memberlens.voc.service`."""
    from memberlens.voc import service

    del service  # imported for the definitions it adds
    return load_catalog()


def load_member_features() -> None:
    """Register the member features that areas above the models define (what members say,
    :mod:`memberlens.voc.members`) for the churn model and the drivers analysis."""
    from memberlens.voc import members

    del members  # imported for the features it registers
