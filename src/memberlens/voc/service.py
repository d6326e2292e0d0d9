"""Service metrics of DESIGN §13 as definitions in the style of :mod:`memberlens.metrics.compute`.

Each function takes a :class:`~memberlens.metrics.compute.Scope` and returns an Ibis table
with a ``value`` column (one row, or one per group of the scope's dimension); their catalog
entries are in :mod:`memberlens.voc.catalog` (no Ibis: listing the catalog stays fast).
Importing this module adds the definitions (:func:`memberlens.metrics.compute.define`), so
``metrics``, ``summary`` with its targets and statuses, series and splits treat them as every
other metric; :func:`memberlens.workspace.load_metrics` imports it.

* ``<kind>_rate``: tickets of that kind opened in the period per 1,000 paid member orders
  of the period (``complaint_rate`` is already in the catalog with the same definition);
* ``resolution_hours_median`` / ``resolution_hours_p90``: the median and the 90th percentile
  (linear interpolation between order statistics) of the hours from opened to resolved of
  tickets resolved in the period;
* ``post_resolution_satisfaction``: mean satisfaction (1–5) of tickets resolved in the period.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir

from memberlens.engine.expr import hours_between
from memberlens.metrics.compute import Ratio, define, orders
from memberlens.metrics.scope import Scope
from memberlens.voc.catalog import METRICS


def tickets_per_thousand(kind: str) -> Callable[[Scope], ir.Table]:
    """Tickets of ``kind`` opened in the period, times 1,000 (the numerator of a rate)."""

    def numerator(s: Scope) -> ir.Table:
        found = s.count("tickets", lambda t: (t.kind == kind) & s.within(t, "opened_at"))
        return found.mutate(value=found.value * 1000)

    numerator.__name__ = f"{kind}s_per_thousand"
    return numerator


def _resolved(s: Scope) -> ir.Table:
    t = s.table("tickets")
    return s.tag(t.filter(t.resolved_at.notnull() & s.within(t, "resolved_at")))


def resolution_hours_median(s: Scope) -> ir.Table:
    t = _resolved(s)
    return s.measure(t, hours_between(t.resolved_at, t.opened_at).median())


def resolution_hours_p90(s: Scope) -> ir.Table:
    t = _resolved(s)
    return s.measure(t, hours_between(t.resolved_at, t.opened_at).quantile(0.9))


def post_resolution_satisfaction(s: Scope) -> ir.Table:
    t = _resolved(s)
    t = t.filter(t.satisfaction.notnull())
    return s.measure(t, t.satisfaction.mean())


DEFINITIONS: dict[str, Callable[[Scope], ir.Table]] = {
    "suggestion_rate": Ratio(tickets_per_thousand("suggestion"), orders),
    "return_ticket_rate": Ratio(tickets_per_thousand("return"), orders),
    "inquiry_rate": Ratio(tickets_per_thousand("inquiry"), orders),
    "resolution_hours_median": resolution_hours_median,
    "resolution_hours_p90": resolution_hours_p90,
    "post_resolution_satisfaction": post_resolution_satisfaction,
}


assert {m.id for m in METRICS} == set(DEFINITIONS)  # the entries, registered on import
for _id, _definition in DEFINITIONS.items():
    define(_id, _definition)
