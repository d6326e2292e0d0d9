"""Member value (docs/segments.md): RFM, value tiers, target lists.

Reached as ``ws.segments`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from memberlens.workspace import parse

if TYPE_CHECKING:
    import polars as pl

    from memberlens.segments.targets import TargetRule
    from memberlens.segments.value import ValueReport
    from memberlens.workspace.base import Host


class Segments:
    """Member value (docs/segments.md): RFM, value tiers, target lists."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def rfm(
        self, as_of: str, *, quintiles: bool = False, language: str | None = None
    ) -> pl.DataFrame:
        """RFM scores and segments as of the end of ``as_of`` (DESIGN §7); segment names in
        ``language`` (default: the workspace's).

        ``quintiles`` adds the 1–5 scores and the English segment map (r_score, f_score,
        m_score, rfm_score, score_segment, score_segment_name).
        """
        from memberlens.segments.rfm import rfm

        with self._ws.session(language) as session:
            return rfm(session, parse.day(as_of), session.language, quintiles)  # type: ignore[no-any-return]

    def write_rfm(
        self, as_of: str, path: str | Path, *, quintiles: bool = False, bom: bool = True
    ) -> int:
        """Write :meth:`rfm`'s rows to a .csv (with a UTF-8 BOM unless ``bom`` is False),
        .parquet or .xlsx file (by the engine where it can); returns the number of rows."""
        from memberlens.engine.output import write
        from memberlens.segments.rfm import rfm_expression

        language = self._ws.config.workspace.language
        with self._ws.session() as session:
            expression = rfm_expression(session, parse.day(as_of), language, quintiles)
            return write(session, expression, Path(path), bom=bom)

    def rfm_summary(self, as_of: str, *, language: str | None = None) -> pl.DataFrame:
        """Per RFM segment (threshold scheme, then quintile map): members, revenue, shares and
        mean recency, frequency and monetary; segment names in ``language`` (default: the
        workspace's)."""
        from memberlens.segments.rfm import summary

        with self._ws.session(language) as session:
            return summary(session, parse.day(as_of), session.language)  # type: ignore[no-any-return]

    def rfm_migration(self, start: str, as_of: str, scheme: str = "threshold") -> pl.DataFrame:
        """Members by RFM segment as of ``start`` × as of ``as_of`` (long form, row shares);
        ``scheme`` is ``threshold`` (the eight segments) or ``quintile`` (the score map)."""
        from memberlens.segments.rfm import migration
        from memberlens.segments.rfm import scheme as parse_scheme

        chosen = parse_scheme(scheme)
        first = parse.day(start, "start")
        language = self._ws.config.workspace.language
        with self._ws.session() as session:
            return migration(session, first, parse.day(as_of), language, chosen)  # type: ignore[no-any-return]

    def value(self, as_of: str, *, language: str | None = None) -> ValueReport:
        """Value tiers, the value × loyalty matrix and the Pareto view as of ``as_of``."""
        from memberlens.segments.value import value

        with self._ws.session(language) as session:
            return value(session, parse.day(as_of), session.language)

    def value_members(self, as_of: str) -> pl.DataFrame:
        """Per scored member: spend, orders, value tier, active months, loyal, value group."""
        from memberlens.segments.value import values_frame

        with self._ws.session() as session:
            return values_frame(session, parse.day(as_of))

    def targets(
        self,
        as_of: str,
        rule: TargetRule | None = None,
        *,
        full_phone: bool = False,
        language: str | None = None,
    ) -> pl.DataFrame:
        """The members matching ``rule`` as of ``as_of``, phones masked unless ``full_phone``.

        >>> from memberlens.segments.targets import TargetRule
        >>> rule = TargetRule(segments=("important_winback",))
        >>> ws.segments.targets("2025-06-30", rule)  # doctest: +SKIP
        """
        from memberlens.segments.targets import TargetRule, target_list

        with self._ws.session(language) as session:
            return target_list(
                session, parse.day(as_of), rule or TargetRule(), full_phone, session.language
            )
