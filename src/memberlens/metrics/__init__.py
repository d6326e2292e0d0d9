"""The loyalty KPI system (DESIGN §6).

* :mod:`~memberlens.metrics.catalog` — every metric as data (id, names, unit, direction).
* :mod:`~memberlens.dates.periods` — day / ISO week / month / quarter / year / range.
* :mod:`~memberlens.metrics.compute` — each definition as an Ibis expression.
* :mod:`~memberlens.metrics.evaluate` — values for a period, with 环比 and 同比.
"""
