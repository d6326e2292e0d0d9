"""The labels of the ids a person reads in results, per column, for every interface.

The command line's tables, the report, the workbook and the dashboard show a result's ids
(``normal``, ``mini_program``, ``important_winback``, ``(unknown)``) as these labels in the
workspace language; the results themselves keep the ids (DESIGN §9). Tiers come from the
``[tiers]`` levels (``name`` / ``name_en``), RFM segments from :mod:`memberlens.segments.rfm`,
the rest from :mod:`memberlens.labels`.

>>> vocabulary(config)["tier"]["silver"]("zh")  # doctest: +SKIP
'银卡会员'
"""

from __future__ import annotations

from collections.abc import Mapping

from memberlens.config import Config
from memberlens.labels import (
    CHANNELS,
    CHURN_FEATURES,
    CHURN_LEVELS,
    HEADERS,
    NOT_SCORED,
    UNKNOWN,
    UNKNOWN_ID,
    Label,
)
from memberlens.program.tiers import tier_labels
from memberlens.segments.rfm import NOT_SCORED as NOT_SCORED_ID
from memberlens.segments.rfm import SEGMENTS

NEW = Label("(新会员)", "(new)")  # members registered during a tier migration
#: The two groups of ``points_user`` (a redeem entry in the year to the period end or not).
YES_NO = {"yes": Label("是", "yes"), "no": Label("否", "no")}


def vocabulary(config: Config) -> dict[str, Mapping[str, Label]]:
    """Column → (id → label): tiers, RFM segments, channels, churn levels, points users and
    the names of figures (``members_<tier>`` included) for the columns that hold them."""
    levels = tier_labels(config)
    tiers: dict[str, Label] = {**levels, "(new)": NEW}
    segments = {s.id: Label(s.zh, s.en) for s in SEGMENTS} | {NOT_SCORED_ID: NOT_SCORED}
    members = HEADERS["members"]
    figures = dict(HEADERS) | {
        f"members_{tier}": Label(f"{members.zh} · {name.zh}", f"{members.en} · {name.en}")
        for tier, name in levels.items()
    }
    unknown = {UNKNOWN_ID: UNKNOWN}
    scored = segments | {UNKNOWN_ID: NOT_SCORED}
    return {
        "tier": tiers | unknown,
        "next_tier": tiers,
        "from": tiers,
        "current": tiers,
        "channel": CHANNELS | unknown,
        "segment": scored,
        "rfm_segment": scored,
        "level": CHURN_LEVELS,
        "churn_level": CHURN_LEVELS,
        "figure": figures,
        "field": figures,
        "feature": CHURN_FEATURES,
        "points_user": YES_NO,
    }
