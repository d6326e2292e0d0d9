"""The catalog entries of the service metrics (DESIGN §13); their definitions are in
:mod:`memberlens.voc.service`.

Importing this module adds the entries to the catalog
(:func:`memberlens.metrics.catalog.register`) without importing Ibis, so ``metrics list``
and the HTTP catalog start fast; :func:`memberlens.workspace.load_catalog` imports it.
"""

from __future__ import annotations

from memberlens.metrics.catalog import Direction, Metric, MetricClass, Unit, register

# fmt: off
_REL = MetricClass.RELATED
METRICS: tuple[Metric, ...] = (
    Metric("suggestion_rate", "建议率(‰)", "Suggestion rate (‰)", Unit.PER_THOUSAND,
           Direction.NEUTRAL, _REL,
           "suggestion tickets opened in the period per 1,000 paid member orders"),
    Metric("return_ticket_rate", "退换货反馈率(‰)", "Return ticket rate (‰)", Unit.PER_THOUSAND,
           Direction.DOWN, _REL,
           "return tickets opened in the period per 1,000 paid member orders"),
    Metric("inquiry_rate", "咨询率(‰)", "Inquiry rate (‰)", Unit.PER_THOUSAND,
           Direction.NEUTRAL, _REL,
           "inquiry tickets opened in the period per 1,000 paid member orders"),
    Metric("resolution_hours_median", "解决时长中位数(小时)", "Median resolution hours",
           Unit.HOURS, Direction.DOWN, _REL,
           "median hours from opened to resolved of tickets resolved in the period"),
    Metric("resolution_hours_p90", "解决时长P90(小时)", "P90 resolution hours", Unit.HOURS,
           Direction.DOWN, _REL,
           "90th percentile of hours from opened to resolved of tickets resolved in the period"),
    Metric("post_resolution_satisfaction", "解决后满意度", "Satisfaction after resolution",
           Unit.SCORE, Direction.UP, _REL,
           "mean satisfaction (1-5) of tickets resolved in the period"),
)
# fmt: on

for _entry in METRICS:
    register(_entry)
