"""Points economics: FIFO vintages, vintage curves, projected expiry, breakage, reactivation.

Every computation over the ledger is an Ibis expression (see :mod:`memberlens.points.fifo`
for the set-based FIFO allocation); only small aggregates are combined in Python.

* :mod:`~memberlens.points.fifo`          batches, consumptions and their FIFO allocation
* :mod:`~memberlens.points.vintages`      each batch as of a date; issue-month summaries; curves
* :mod:`~memberlens.points.expiry`        open points by expiry month for the next 12 months
* :mod:`~memberlens.points.breakage`      forward breakage from mature vintages; adjusted liability
* :mod:`~memberlens.points.reactivation`  inactive members still holding points
"""

from memberlens.lazy import exports

__all__ = ["Breakage", "Reactivation", "curves", "projected_expiry"]

__getattr__, __dir__ = exports(
    __name__,
    {
        "curves": "memberlens.points.vintages",
        "projected_expiry": "memberlens.points.expiry",
        "Breakage": "memberlens.points.breakage",
        "Reactivation": "memberlens.points.reactivation",
    },
)
