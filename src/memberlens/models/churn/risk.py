"""The churn_risk dimension: members split by the level of their latest churn score.

Kept apart from the model (:mod:`memberlens.models.churn.model`) so that registering the
dimension, which every session does, costs no model imports; the scores it reads are the
table the model writes.
"""

from __future__ import annotations

import ibis.expr.types as ir

from memberlens.errors import InputError
from memberlens.metrics.dimensions import register
from memberlens.metrics.scope import GROUP, Dimension, Scope
from memberlens.models.results import CHURN_TABLE


def _risk_labels(s: Scope) -> ir.Table:
    """The latest scores written by 'memberlens churn' (members not scored: (unknown))."""
    if not s.session.has_table(CHURN_TABLE):
        raise InputError(
            "No churn scores in this workspace yet: run 'memberlens -w DIR churn' first, "
            "then split by churn_risk.",
            parameter="by",
            value="churn_risk",
        )
    t = s.table(CHURN_TABLE)
    return t.select("member_id", **{GROUP: t.level})


CHURN_RISK = register(
    Dimension(
        "churn_risk",
        "流失风险",
        "Churn risk",
        "high / medium / low from the latest 'memberlens churn' scores ((unknown): not scored)",
        _risk_labels,
    )
)
