"""One member's profile: tier, RFM segment, points balance, CLV, P(alive) and churn risk.

Everything is as of the latest data date (the last paid order), the date the CLI and the
HTTP API show. Tier and RFM segment are computed for that date (tiers include invitations;
the tiers held over the year before come from the tier-history replay;
RFM thresholds are over all scored members); CLV, P(alive) and churn risk are read from the
results the ``clv --save`` and ``churn`` commands last wrote to the warehouse (``None``
with the reason when they have not been run). The points balance is the sum of every
loaded ledger entry: the current balance. The phone is masked (at most the last four
digits visible, :func:`memberlens.pii.mask_phone`); the HTTP API shows it whole to admins.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.models.results import CHURN_TABLE, CLV_TABLE
from memberlens.pii import mask_phone


@dataclass(frozen=True)
class MemberProfile:
    member_id: str
    registered_at: datetime
    as_of: date
    tier: str
    tier_name: str
    segment: str | None  # None: no paid order in the RFM window
    segment_name: str | None
    recency_days: int | None
    orders: int  # paid orders ever (up to as_of)
    spend: float  # their amount
    points_balance: int
    clv: float | None
    p_alive: float | None
    expected_purchases: float | None
    expected_spend: float | None
    clv_calibration_end: date | None
    churn_risk: float | None
    churn_level: str | None
    churn_as_of: date | None
    #: held tiers over the year to as_of: (tier, valid_from, valid_to or None), oldest first
    tier_history: tuple[tuple[str, date, date | None], ...] | None = None
    notes: tuple[str, ...] = ()
    #: the phone masked as :func:`memberlens.pii.mask_phone` does (None: not given)
    phone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["notes"] = list(self.notes)
        for key, value in out.items():
            if isinstance(value, date | datetime):
                out[key] = value.isoformat()
        if self.tier_history is not None:
            out["tier_history"] = [
                {
                    "tier": tier,
                    "valid_from": start.isoformat(),
                    "valid_to": None if end is None else end.isoformat(),
                }
                for tier, start, end in self.tier_history
            ]
        return out


def _one(session: Session, expression: Any) -> dict[str, Any] | None:
    rows = session.arrow(expression.limit(2)).to_pylist()
    return rows[0] if rows else None


def profile(session: Session, member_id: str, language: str = "zh") -> MemberProfile:
    """The profile of ``member_id`` (InputError when there is no such member)."""
    from memberlens.facts.coverage import require_orders
    from memberlens.program.tiers import tiers_expression
    from memberlens.segments.rfm import scheme as rfm_scheme
    from memberlens.segments.rfm import segment_names, segmented

    m = session.table("members")
    member = _one(
        session, m.filter(m.member_id == member_id).select("member_id", "registered_at", "phone")
    )
    if member is None:
        raise InputError(
            f"No member '{member_id}' in this workspace. Member ids are case-sensitive; "
            "list some with 'memberlens -w DIR tiers --as-of D'."
        )
    as_of = require_orders(session)[1]
    tiers = tiers_expression(session, as_of)
    tier_row = _one(session, tiers.filter(tiers.member_id == member_id).select("tier"))
    tier = tier_row["tier"] if tier_row else session.config.tiers.levels[0].id
    names = {level.id: level.label(language) for level in session.config.tiers.levels}
    s = segmented(session, as_of)
    rfm_row = _one(session, s.filter(s.member_id == member_id).select("segment", "recency_days"))
    segment = rfm_row["segment"] if rfm_row else None
    segment_label = segment_names(rfm_scheme("threshold"), language).get(segment or "")
    o = session.table("orders")
    paid = o.filter((o.member_id == member_id) & (o.status == "paid"))
    totals = _one(session, paid.aggregate(orders=paid.count(), spend=paid.amount.sum()))
    p = session.table("points")
    points = _one(session, p.filter(p.member_id == member_id).aggregate(balance=p.points.sum()))
    notes: list[str] = []
    clv_row = churn_row = None
    if session.has_table(CLV_TABLE):
        c = session.table(CLV_TABLE)
        clv_row = _one(session, c.filter(c.member_id == member_id))
    else:
        notes.append("No CLV yet: run 'memberlens clv --calibration-end D --save'.")
    if session.has_table(CHURN_TABLE):
        c = session.table(CHURN_TABLE)
        churn_row = _one(session, c.filter(c.member_id == member_id))
    else:
        notes.append("No churn scores yet: run 'memberlens churn'.")
    if churn_row is None and session.has_table(CHURN_TABLE):
        notes.append("Not scored for churn: no purchase yet, or already lapsed.")
    history = _tier_history(session, member_id, as_of)
    return MemberProfile(
        member_id=member_id,
        registered_at=member["registered_at"],
        as_of=as_of,
        tier=tier,
        tier_name=names.get(tier, tier),
        segment=segment,
        segment_name=segment_label,
        recency_days=rfm_row["recency_days"] if rfm_row else None,
        orders=int(totals["orders"]) if totals else 0,
        spend=float(totals["spend"] or 0) if totals else 0.0,
        points_balance=int(points["balance"] or 0) if points else 0,
        clv=clv_row["clv"] if clv_row else None,
        p_alive=clv_row["p_alive"] if clv_row else None,
        expected_purchases=clv_row["expected_purchases"] if clv_row else None,
        expected_spend=clv_row["expected_spend"] if clv_row else None,
        clv_calibration_end=clv_row["calibration_end"] if clv_row else None,
        churn_risk=churn_row["risk"] if churn_row else None,
        churn_level=churn_row["level"] if churn_row else None,
        churn_as_of=churn_row["as_of"] if churn_row else None,
        tier_history=history,
        notes=tuple(notes),
        phone=mask_phone(member["phone"]),
    )


def _tier_history(
    session: Session, member_id: str, as_of: date
) -> tuple[tuple[str, date, date | None], ...] | None:
    """The member's held tiers over the year to ``as_of`` from the tier-history replay
    (:mod:`memberlens.program.history`); None where that module is not available."""
    try:
        from memberlens.program.history import tier_history
    except ImportError:
        return None
    first = session.scalar(session.table("members").registered_at.min())
    start = as_of - timedelta(days=364)
    if first is not None and first.date() > start:
        start = min(first.date(), as_of)  # a program younger than a year: from its start
    history = tier_history(session, start, as_of).history
    rows = history.filter(history["member_id"] == member_id).sort("valid_from")
    return tuple((r["tier"], r["valid_from"], r["valid_to"]) for r in rows.iter_rows(named=True))
