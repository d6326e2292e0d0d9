"""The one place this package calls analytics it does not own (tiers, RFM segments), so
their signatures can change in one place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis.expr.types as ir

from memberlens.engine.session import Session


def tiers_on(session: Session, days: Sequence[date]) -> ir.Table:
    """member_id, day and tier as of the end of each of ``days`` (one pass for all)."""
    from memberlens.program.tiers import tiers_on as on_days

    return on_days(session, days)


def segment_members(session: Session, segment: str, as_of: date) -> list[str]:
    """The members of RFM segment ``segment`` (its id or its name) as of ``as_of``."""
    import polars as pl

    from memberlens.errors import unknown_choice
    from memberlens.segments.rfm import rfm

    frame = rfm(session, as_of, session.language)
    columns = [c for c in ("segment", "segment_name") if c in frame.columns]
    names = {v for c in columns for v in frame[c].unique().to_list() if v is not None}
    if segment not in names:
        raise unknown_choice(
            "segment", segment, names, "See 'memberlens rfm --as-of D'.", parameter="segment"
        )
    chosen = frame.filter(pl.any_horizontal(*[pl.col(c) == segment for c in columns]))
    return list(chosen["member_id"].to_list())
