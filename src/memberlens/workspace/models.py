"""Predictions (docs/models.md): CLV, churn risk, survival, one member's profile.

Reached as ``ws.models`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from memberlens.errors import InputError, unknown_choice
from memberlens.workspace import parse

if TYPE_CHECKING:
    from memberlens.members.profile import MemberProfile
    from memberlens.models.churn.model import ChurnResult
    from memberlens.models.churn.survival import Survival
    from memberlens.models.clv.model import ClvResult
    from memberlens.progress import Progress
    from memberlens.workspace.base import Host


class Models:
    """Predictions (docs/models.md): CLV, churn risk, survival, one member's profile."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def clv(
        self,
        calibration_end: str,
        *,
        time_unit: str = "day",
        holdout_end: str | None = None,
        horizon_months: int = 12,
        discount_rate: float = 0.10,
        save: bool = False,
    ) -> ClvResult:
        """BG/NBD + Gamma-Gamma fitted on orders up to ``calibration_end`` (DESIGN §8).

        ``save`` writes the per-member CLV to the warehouse (the member profile reads it).

        >>> ws.clv("2025-06-30", holdout_end="2025-12-31").params  # doctest: +SKIP
        """
        from memberlens.models.clv.model import clv, save_scores

        end = parse.day(calibration_end, "calibration_end")
        holdout = None if holdout_end is None else parse.day(holdout_end, "holdout_end")
        with self._ws.session() as session:
            result = clv(
                session,
                end,
                time_unit=time_unit,
                holdout_end=holdout,
                horizon_months=horizon_months,
                discount_rate=discount_rate,
            )
        if save:
            save_scores(self._ws.warehouse_path, result)
        return result

    def churn(
        self,
        as_of: str | None = None,
        *,
        window_days: int = 90,
        k: float = 3.0,
        save: bool = True,
        progress: Progress | None = None,
    ) -> ChurnResult:
        """Churn-risk model (time-based split), its report, and per-member scores as of
        ``as_of`` (default: the latest order date), saved to the warehouse unless ``save``
        is False.

        >>> ws.models.churn().auc  # doctest: +SKIP
        """
        from memberlens.models.churn.model import churn, save_scores

        day = None if as_of is None else parse.day(as_of)
        with self._ws.session() as session:
            result = churn(session, day, window_days=window_days, k=k, progress=progress)
        if save:
            save_scores(self._ws.warehouse_path, result)
        return result

    def survival(self, as_of: str | None = None, *, k: float = 3.0) -> Survival:
        """Kaplan-Meier curves of time to lapse by tier as of ``as_of`` (default: latest)."""
        from memberlens.facts.coverage import require_orders
        from memberlens.models.churn.survival import kaplan_meier

        with self._ws.session() as session:
            day = require_orders(session)[1] if as_of is None else parse.day(as_of)
            return kaplan_meier(session, day, k)

    def member(
        self, member_id: str, *, language: str | None = None, fit_clv: bool = False
    ) -> MemberProfile:
        """One member's tier, segment, points balance, CLV, P(alive) and churn risk; names
        in ``language`` (default: the workspace's).

        CLV is read from the scores ``clv --save`` last wrote; with ``fit_clv`` and none
        saved yet, the models are fitted to the latest order date and saved first (the next
        profile reuses them).

        >>> ws.models.member("M00000042").churn_level  # doctest: +SKIP
        """
        from dataclasses import replace

        from memberlens.facts.coverage import require_orders
        from memberlens.members.profile import profile
        from memberlens.models.results import CLV_TABLE

        fitted = None
        if fit_clv:
            with self._ws.session(language) as session:
                m = session.table("members")
                known = session.scalar(m.filter(m.member_id == member_id).count()) > 0
                saved = session.has_table(CLV_TABLE)
                latest = require_orders(session)[1]
            if known and not saved:  # an unknown member is refused by profile, unfitted
                self.clv(latest.isoformat(), save=True)
                fitted = (
                    f"CLV fitted to {latest} and saved; refit with "
                    "'memberlens clv --calibration-end D --save'."
                )
        with self._ws.session(language) as session:
            found = profile(session, member_id, session.language)
        return found if fitted is None else replace(found, notes=(fitted, *found.notes))

    def lookup(self, text: str, *, limit: int = 20, whole_phone: bool = True) -> dict[str, Any]:
        """Members found by a member id, a masked phone (``138****8000``) or, unless
        ``whole_phone`` is False, a whole phone number (:mod:`memberlens.members.lookup`).

        Returns ``{"query", "kind", "rows", "total"}``: ``kind`` is ``member_id``,
        ``masked_phone`` or ``phone``; ``rows`` (member_id, phone — whole —, registered_at)
        are at most ``limit``, by member id; ``total`` counts every match.

        >>> ws.models.lookup("138****8000")["rows"]  # doctest: +SKIP
        """
        from memberlens.members.lookup import find_by_phone, parse_phone

        query = text.strip()
        if not query or len(query) > 128 or any(ord(c) < 32 or ord(c) == 127 for c in query):
            raise InputError(
                "q: give a member id (M00000042) or a masked phone (138****8000).",
                parameter="q",
                value=query[:40],
            )
        with self._ws.session() as session:
            m = session.table("members")
            exact = m.filter(m.member_id == query).select("member_id", "phone", "registered_at")
            found = session.rows(exact.limit(1))
            if found:
                return {"query": query, "kind": "member_id", "rows": found, "total": 1}
            phone = parse_phone(query)
            if phone is None:
                return {"query": query, "kind": "member_id", "rows": [], "total": 0}
            if phone.whole and not whole_phone:
                raise InputError(
                    "q: search by a member id or a masked phone such as 138****8000; a whole "
                    "phone number is searched only by those who may see whole numbers.",
                    parameter="q",
                    value=query[:3] + "****",
                )
            rows, total = find_by_phone(session, phone, limit)
        kind = "phone" if phone.whole else "masked_phone"
        return {"query": query, "kind": kind, "rows": rows, "total": total}

    def score_distribution(self, kind: str, *, bins: int = 20) -> dict[str, Any] | None:
        """The histogram of the saved CLV (``kind="clv"``) or churn risks (``"churn"``):
        ``{"kind", "as_of", "members", "edges", "counts", "levels"}``, or None when the
        scores have not been saved (``clv --save``, ``churn``); see
        :func:`memberlens.models.results.distribution`."""
        from memberlens.models.results import distribution

        if kind not in ("clv", "churn"):
            raise unknown_choice("score", kind[:20], ["clv", "churn"], parameter="kind")
        with self._ws.session() as session:
            return distribution(session, kind, bins)
