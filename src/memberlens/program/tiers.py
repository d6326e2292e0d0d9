"""Member tiers as of a date (DESIGN §7), from the configured ladder.

Every member registered at or before the end of D has a tier: the highest level of
``[[tiers.levels]]`` all of whose thresholds are met by the qualification measures over the
trailing ``tiers.window_days`` up to the end of D; the first level has none. The measures
(``config.THRESHOLDS``) are paid spend, paid orders, points earned (earn entries) and active
days (local days with a paid order, an event or an earn/redeem entry); only those the ladder
uses are computed. An invitation valid on D (``[tiers] invitations``) grants its
invitation-only level when that ranks higher.

``near_next`` lists members close to the next level with the gap on each threshold.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.config import THRESHOLDS, Config, TierLevel
from memberlens.engine.expr import at_midnight
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.activity import activity
from memberlens.facts.orders import paid_orders
from memberlens.labels import Label, resolve
from memberlens.metrics.dimensions import register
from memberlens.metrics.scope import GROUP, Dimension, Scope

Window = tuple[date, date]  # [first day, day after the last) in business time


def window_ending(config: Config, as_of: date) -> Window:
    """The qualification window that ends with the end of ``as_of``."""
    return as_of + timedelta(days=1 - config.tiers.window_days), as_of + timedelta(days=1)


def used_measures(levels: Sequence[TierLevel]) -> list[str]:
    """The qualification measures some level's thresholds refer to, in THRESHOLDS order."""
    return [m for f, m in THRESHOLDS.items() if any(f in level.thresholds for level in levels)]


def measures(session: Session, levels: Sequence[TierLevel], windows: Sequence[Window]) -> ir.Table:
    """Per member with any fact: the ladder's measures in each window, ``<measure>_<k>``.

    One grouped pass over each source table the ladder needs, with one conditional
    aggregate per window, so twelve evaluation dates cost one scan, not twelve.
    """
    wanted = used_measures(levels)
    first = at_midnight(min(w[0] for w in windows))
    last = at_midnight(max(w[1] for w in windows))
    bounds = [(at_midnight(a), at_midnight(b)) for a, b in windows]
    parts: list[ir.Table] = []
    if "spend" in wanted or "orders" in wanted:
        paid = paid_orders(session, first, last)
        aggs: dict[str, ir.Value] = {}
        for k, (start, end) in enumerate(bounds):
            inside = (paid.ordered_at >= start) & (paid.ordered_at < end)
            if "spend" in wanted:
                aggs[f"spend_{k}"] = paid.amount.sum(where=inside).cast("float64").fill_null(0)
            if "orders" in wanted:
                aggs[f"orders_{k}"] = paid.count(where=inside)
        parts.append(paid.group_by("member_id").agg(**aggs))
    if "points_earned" in wanted:
        p = session.table("points")
        earn = p.filter((p.kind == "earn") & (p.at >= first) & (p.at < last))
        parts.append(
            earn.group_by("member_id").agg(
                **{
                    f"points_earned_{k}": earn.points.sum(
                        where=(earn.at >= start) & (earn.at < end)
                    ).fill_null(0)
                    for k, (start, end) in enumerate(bounds)
                }
            )
        )
    if "active_days" in wanted:
        days = _active_days(session)
        days = days.filter((days.day >= first) & (days.day < last))
        parts.append(
            days.group_by("member_id").agg(
                **{
                    f"active_days_{k}": days.count(where=(days.day >= start) & (days.day < end))
                    for k, (start, end) in enumerate(bounds)
                }
            )
        )
    table = parts[0]
    for part in parts[1:]:
        table = table.outer_join(part, "member_id").mutate(
            member_id=ibis.coalesce(table.member_id, part.member_id)
        )
        table = table.drop(*[c for c in table.columns if c.endswith("_right")])
    return table


def _active_days(session: Session) -> ir.Table:
    """Distinct (member_id, local day as a timestamp) with a paid order, event or earn/redeem."""
    facts = activity(session)
    return facts.select("member_id", day=facts.at.truncate("D")).distinct()


def level_index(t: ir.Table, ladder: Sequence[TierLevel], k: int | str) -> ir.IntegerValue:
    """Position in ``ladder`` of the highest level whose thresholds the measures
    ``<measure>_<k>`` of ``t`` meet."""
    index: ir.IntegerValue = ibis.literal(0, "int8")
    for i, level in enumerate(ladder[1:], start=1):
        condition = ibis.literal(True)
        for field, value in level.thresholds.items():
            condition &= t[f"{THRESHOLDS[field]}_{k}"].fill_null(0) >= value
        index = ibis.ifelse(condition, ibis.literal(i, "int8"), index)
    return index


def levels_on(session: Session, members: ir.Table, windows: Sequence[Window]) -> ir.Table:
    """``members``' columns and ``level_<k>``: the index in the ladder of the level each
    member qualifies for in window k, from one pass over the facts (:func:`measures`)."""
    ladder = session.config.tiers.ladder
    t = members.left_join(measures(session, ladder, windows), "member_id")
    t = t.drop("member_id_right")
    return t.select(
        *members.columns, **{f"level_{k}": level_index(t, ladder, k) for k in range(len(windows))}
    )


def qualification(session: Session, as_of: date) -> ir.Table:
    """member_id, the ladder's measures, ``qualified`` (level id) for every member registered
    by the end of ``as_of``; members without facts have zero measures."""
    ladder = session.config.tiers.ladder
    window = window_ending(session.config, as_of)
    m = session.table("members")
    members = m.filter(m.registered_at < at_midnight(window[1])).select("member_id")
    t = members.left_join(measures(session, ladder, [window]), "member_id").drop("member_id_right")
    names = {f"{measure}_0": measure for measure in used_measures(ladder)}
    t = t.mutate(**{name: t[column].fill_null(0) for column, name in names.items()})
    index = level_index(t, ladder, 0)
    t = t.mutate(qualified=ibis.cases(*[(index == i, lv.id) for i, lv in enumerate(ladder)]))
    return t.drop(*names)


def tiers_expression(session: Session, as_of: date) -> ir.Table:
    """member_id, the measures, ``qualified`` and ``tier`` (with invitations) as of ``as_of``."""
    t = qualification(session, as_of)
    invited = invitations(session.config, session.root)
    if invited is None:
        return t.mutate(tier=t.qualified)
    day = ibis.literal(as_of)
    valid = invited.filter(
        (invited.valid_from <= day) & (invited.valid_to.isnull() | (invited.valid_to >= day))
    )
    return _granted(t, valid, session.config.tiers.levels, ["member_id"])


def tiers_on(session: Session, days: Sequence[date]) -> ir.Table:
    """member_id, ``day`` and ``tier`` for each of ``days`` and every member registered by
    its end: on each day the tier :func:`tiers_expression` gives, with the facts read in one
    pass for all days (:func:`measures`' conditional aggregates per window), not one per day."""
    days = sorted(set(days))
    if not days:
        raise ValueError("tiers_on needs at least one day")
    ladder = session.config.tiers.ladder
    windows = [window_ending(session.config, d) for d in days]
    m = session.table("members")
    wide = levels_on(session, m.select("member_id", "registered_at"), windows)
    long = wide.pivot_longer(
        ibis.selectors.startswith("level_"),
        names_to="k",
        names_pattern=r"level_(\d+)",
        names_transform=int,
        values_to="level",
    )
    bound = ibis.cases(*[(long.k == k, at_midnight(w[1])) for k, w in enumerate(windows)])
    long = long.filter(long.registered_at < bound).select(
        "member_id",
        day=ibis.cases(*[(long.k == k, ibis.literal(d)) for k, d in enumerate(days)]),
        qualified=ibis.cases(*[(long.level == i, lv.id) for i, lv in enumerate(ladder)]),
    )
    invited = invitations(session.config, session.root)
    if invited is None:
        return long.mutate(tier=long.qualified).drop("qualified")
    valid = invited.join(
        long.select("member_id", "day"),
        (invited.member_id == long.member_id)
        & (invited.valid_from <= long.day)
        & (invited.valid_to.isnull() | (invited.valid_to >= long.day)),
    ).select("member_id", "day", "tier")
    levels = session.config.tiers.levels
    return _granted(long, valid, levels, ["member_id", "day"]).drop("qualified")


def _granted(
    t: ir.Table, valid: ir.Table, levels: Sequence[TierLevel], keys: list[str]
) -> ir.Table:
    """``t`` with ``tier``: its ``qualified`` level, or the highest invitation of ``valid``
    (rows of ``keys`` and ``tier``) where that ranks higher."""

    def rank(tier: ir.StringValue) -> ir.IntegerValue:
        return ibis.cases(*[(tier == lv.id, i) for i, lv in enumerate(levels)])

    best = valid.mutate(rank=rank(valid.tier)).group_by(keys).agg(rank=ibis._.rank.max())
    t = t.left_join(best, keys).drop(*[f"{k}_right" for k in keys])
    higher = t["rank"].notnull() & (t["rank"] > rank(t.qualified))
    ids = ibis.cases(*[(t["rank"] == i, lv.id) for i, lv in enumerate(levels)])
    return t.mutate(tier=ibis.ifelse(higher, ids, t.qualified)).drop("rank")


def invitations(config: Config, root: Path | None) -> ir.Table | None:
    """``[tiers] invitations`` as a table (member_id, tier, valid_from, valid_to), validated."""
    if config.tiers.invitations is None:
        return None
    import polars as pl

    path = Path(config.tiers.invitations)
    if not path.is_absolute() and root is not None:
        path = root / path
    if not path.exists():
        raise InputError(
            f"[tiers] invitations = '{config.tiers.invitations}': {path} does not exist; "
            "write a CSV with member_id, tier, valid_from[, valid_to] or remove the key."
        )
    frame = pl.read_csv(path, infer_schema=False)
    missing = [c for c in ("member_id", "tier", "valid_from") if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path} lacks the column(s) {', '.join(missing)} (it has "
            f"{', '.join(frame.columns)}); expected member_id, tier, valid_from[, valid_to]."
        )
    if "valid_to" not in frame.columns:
        frame = frame.with_columns(valid_to=pl.lit(None, pl.String))
    allowed = [level.id for level in config.tiers.levels if level.invitation_only]
    bad = sorted(set(frame["tier"].to_list()) - set(allowed))
    if bad:
        raise InputError(
            f"{path}: tier(s) {', '.join(repr(b) for b in bad)} are not invitation-only levels "
            f"(invitation_only levels: {', '.join(allowed) or 'none'}); mark the level "
            "invitation_only = true in [[tiers.levels]] or fix the file."
        )
    try:
        frame = frame.select(
            "member_id",
            "tier",
            pl.col("valid_from").str.to_date("%Y-%m-%d"),
            pl.col("valid_to").str.to_date("%Y-%m-%d"),
        )
    except pl.exceptions.InvalidOperationError:
        raise InputError(f"{path}: write valid_from / valid_to as 2025-03-31.") from None
    return ibis.memtable(frame.to_arrow())


def tiers(session: Session, as_of: date) -> Any:
    """Rows (member_id, tier) as a Polars frame, per the CLI contract."""
    import polars as pl

    from memberlens.facts.coverage import check_as_of

    check_as_of(session, as_of)
    expression = tiers_expression(session, as_of).select("member_id", "tier")
    frame = pl.from_arrow(session.arrow(expression))  # in the engine's order: sorting costs
    assert isinstance(frame, pl.DataFrame)
    return frame


def near_next(session: Session, as_of: date, progress: float = 0.8) -> Any:
    """Members below the top of the ladder who have reached at least ``progress`` of every
    threshold of their next level: their measures, the gap on each threshold and the
    overall progress (the smallest ratio), closest first."""
    import polars as pl

    from memberlens.facts.coverage import check_as_of

    if not 0 < progress <= 1:
        raise InputError(
            f"progress {progress}: give a share between 0 and 1, e.g. 0.8.", parameter="progress"
        )
    check_as_of(session, as_of)
    ladder = session.config.tiers.ladder
    t = qualification(session, as_of)
    rows = []
    for current, following in itertools.pairwise(ladder):
        mine = t.filter(t.qualified == current.id)
        ratios = []
        gaps = {}
        for field, value in following.thresholds.items():
            measure = mine[THRESHOLDS[field]]
            ratios.append(ibis.least(measure / value, 1.0) if value > 0 else ibis.literal(1.0))
            gaps[f"{THRESHOLDS[field]}_gap"] = ibis.greatest(value - measure, 0)
        least = ratios[0]
        for ratio in ratios[1:]:
            least = ibis.least(least, ratio)
        rows.append(
            mine.mutate(next_tier=ibis.literal(following.id), progress=least, **gaps)
            .filter(ibis._.progress >= progress)
            .rename(tier="qualified")
        )
    if not rows:
        return pl.DataFrame()
    frames = [pl.from_arrow(session.arrow(r)) for r in rows]
    frame = pl.concat([f for f in frames if isinstance(f, pl.DataFrame)], how="diagonal_relaxed")
    gaps_first = ["member_id", "tier", "next_tier", "progress"]
    rest = [c for c in frame.columns if c not in gaps_first]
    return frame.select(*gaps_first, *rest).sort(
        ["progress", "member_id"], descending=[True, False]
    )


def _tier_labels(s: Scope) -> ir.Table:
    t = tiers_expression(s.session, s.period.last)
    return t.select("member_id", **{GROUP: t.tier})


register(
    Dimension("tier", "会员等级", "Tier", "the member's tier as of the period end", _tier_labels)
)


def tier_labels(config: Config) -> dict[str, Label]:
    """Level id → its name as a person reads it (``name`` / ``name_en``), lowest first."""
    return {level.id: level.label for level in config.tiers.levels}


def tier_id(config: Config, value: str, parameter: str | None = None) -> str:
    """The level id ``value`` names: the id, its ``name`` (金卡会员) or its ``name_en``."""
    return resolve("tier", value, tier_labels(config), parameter=parameter)
