"""Points economics: FIFO vintages, vintage curves, projected expiry, breakage, reactivation.

Every computation over the ledger is an Ibis expression (see :mod:`memberlens.points.fifo`
for the set-based FIFO allocation); only small aggregates are combined in Python.

* :mod:`~memberlens.points.fifo`          batches, consumptions and their FIFO allocation
* :mod:`~memberlens.points.vintages`      each batch as of a date; issue-month summaries; curves
* :mod:`~memberlens.points.expiry`        open points by expiry month for the next 12 months
* :mod:`~memberlens.points.breakage`      forward breakage from mature vintages; adjusted liability
* :mod:`~memberlens.points.reactivation`  inactive members still holding points
"""
