"""Points economics (docs/points.md): FIFO vintages, expiry, breakage, reactivation.

Reached as ``ws.points`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from memberlens.workspace import parse

if TYPE_CHECKING:
    import polars as pl

    from memberlens.points.breakage import Breakage
    from memberlens.points.reactivation import Reactivation
    from memberlens.workspace.base import Host


class Points:
    """Points economics (docs/points.md): FIFO vintages, expiry, breakage, reactivation."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def vintages(self, as_of: str, *, detail: bool = False) -> pl.DataFrame:
        """Points vintages as of ``as_of`` (FIFO): per issue month, or every batch with ``detail``.

        >>> ws.points.vintages("2025-06-30")  # doctest: +SKIP
        """
        from memberlens.facts.coverage import check_ledger
        from memberlens.points.vintages import vintages

        day = parse.day(as_of)
        with self._ws.session() as session:
            check_ledger(session, day)
            return vintages(session, day, detail)  # type: ignore[no-any-return]

    def curves(self, as_of: str) -> pl.DataFrame:
        """Vintage curves: cumulative redeemed / expired shares by months since issue."""
        from memberlens.facts.coverage import check_ledger
        from memberlens.points.vintages import curves

        day = parse.day(as_of)
        with self._ws.session() as session:
            check_ledger(session, day)
            return curves(session, day)  # type: ignore[no-any-return]

    def expiry(self, as_of: str, months: int = 12) -> pl.DataFrame:
        """Open points by expiry month for the ``months`` months after ``as_of``."""
        from memberlens.facts.coverage import check_ledger
        from memberlens.points.expiry import projected_expiry

        day = parse.day(as_of)
        with self._ws.session() as session:
            check_ledger(session, day)
            return projected_expiry(session, day, months)  # type: ignore[no-any-return]

    def breakage(self, as_of: str, *, maturity_months: int | None = None) -> Breakage:
        """Forward breakage of the open points and the liability adjusted for it (IFRS 15)."""
        from memberlens.facts.coverage import check_ledger
        from memberlens.points.breakage import breakage

        day = parse.day(as_of)
        with self._ws.session() as session:
            check_ledger(session, day)
            return breakage(session, day, maturity_months)

    def reactivation(self, as_of: str, *, bands: Sequence[int] | None = None) -> Reactivation:
        """Members inactive for ``[churn] inactive_days`` who still hold points, by band."""
        from memberlens.facts.coverage import check_ledger
        from memberlens.points.reactivation import BANDS, reactivation

        day = parse.day(as_of)
        with self._ws.session() as session:
            check_ledger(session, day)
            return reactivation(session, day, BANDS if bands is None else bands)
