"""The one place VoC reaches into the metric layer (member dimension labels).

DESIGN §6 dimensions label every member as of the end of a period; the metric layer owns
them. Everything in :mod:`memberlens.voc` asks for labels here, so a change of that layer's
interface is fixed in one function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memberlens.metrics.scope import GROUP, UNKNOWN

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from memberlens.dates.periods import Period
    from memberlens.engine.session import Session

__all__ = ["GROUP", "UNKNOWN", "dimension_name", "member_labels"]


def member_labels(session: Session, period: Period, by: str) -> ir.Table:
    """``member_id`` and ``GROUP``: each member's label of dimension ``by`` at the period's end."""
    from memberlens.metrics.dimensions import dimension
    from memberlens.metrics.scope import Scope

    found = dimension(by)
    return found.labels(Scope(session, period, found))


def dimension_name(by: str, language: str) -> str:
    from memberlens.metrics.dimensions import dimension

    return dimension(by).name(language)
