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

    def tier_summary(self, as_of: str, *, language: str | None = None) -> pl.DataFrame:
        """Members per tier as of the end of ``as_of``: rows (tier, tier_name, members,
        share) in ladder order, every level included; names in ``language`` (default: the
        workspace's), from the config's levels (``name``, ``name_en``)."""
        import polars as pl

        frame = self.tiers(as_of)
        config = self._ws.language_config(language)
        counts = dict(frame.group_by("tier").len("members").iter_rows())
        total = max(frame.height, 1)
        levels = config.tiers.levels
        return pl.DataFrame(
            {
                "tier": [level.id for level in levels],
                "tier_name": [level.label(config.workspace.language) for level in levels],
                "members": [int(counts.get(level.id, 0)) for level in levels],
                "share": [counts.get(level.id, 0) / total for level in levels],
            },
            schema={"tier": pl.String, "tier_name": pl.String, "members": pl.Int64,
                    "share": pl.Float64},
        )  # fmt: skip

    def tier_migration(self, start: str, end: str, *, language: str | None = None) -> pl.DataFrame:
        """Members by the tier held on ``start`` (``from``) and on ``end`` (``to``), long form:
        rows (from, from_name, to, to_name, members); members registered in between come
        ``from`` ``(new)``. Held tiers come from the replay (:meth:`tier_history`)."""
        import polars as pl

        from memberlens.labels import Label

        first, last = parse.days(start, end)
        wide = self.tier_history(start, end).migration(first, last)
        config = self._ws.language_config(language)
        lang = config.workspace.language
        names = {level.id: level.label(lang) for level in config.tiers.levels}
        names["(new)"] = Label("新会员", "(new)")(lang)
        long = wide.unpivot(index="from", variable_name="to", value_name="members")
        return long.filter(pl.col("members") > 0).select(
            "from",
            pl.col("from").replace_strict(names, default=pl.col("from")).alias("from_name"),
            "to",
            pl.col("to").replace_strict(names, default=pl.col("to")).alias("to_name"),
            pl.col("members").cast(pl.Int64),
        )

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
