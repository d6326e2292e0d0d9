"""The program's rules (docs/segments.md): tiers, tier history, what-if replays.

Reached as ``ws.program`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from memberlens.config import CONFIG_FILE
from memberlens.workspace import parse

if TYPE_CHECKING:
    import polars as pl

    from memberlens.program.history import TierHistory
    from memberlens.program.whatif import WhatIf
    from memberlens.workspace.base import Host


class Program:
    """The program's rules (docs/segments.md): tiers, tier history, what-if replays."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def tiers(self, as_of: str) -> pl.DataFrame:
        """Every member's tier as of the end of ``as_of`` (DESIGN §7)."""
        from memberlens.program.tiers import tiers

        with self._ws.session() as session:
            return tiers(session, parse.day(as_of))  # type: ignore[no-any-return]

    def tiers_near(self, as_of: str, progress: float = 0.8) -> pl.DataFrame:
        """Members who have reached ``progress`` of every threshold of their next tier,
        with the gaps, as of the end of ``as_of``."""
        from memberlens.program.tiers import near_next

        with self._ws.session() as session:
            return near_next(session, parse.day(as_of), progress)  # type: ignore[no-any-return]

    def tier_history(self, start: str, end: str) -> TierHistory:
        """The tiers members hold from ``start`` to ``end`` under the ``[tiers]`` rules."""
        from memberlens.program.history import tier_history

        first, last = parse.days(start, end)
        with self._ws.session() as session:
            return tier_history(session, first, last)

    def what_if(self, candidate: str | Path, start: str, end: str) -> WhatIf:
        """Replay history under the candidate ``[tiers]``/``[points]`` rules of a TOML file
        beside the current rules; figures for ``start``..``end``."""
        from memberlens.program.whatif import candidate_config, what_if

        rules = candidate_config(self._ws.root / CONFIG_FILE, Path(candidate))
        first, last = parse.days(start, end)
        with self._ws.session() as session:
            return what_if(session, rules, first, last)
