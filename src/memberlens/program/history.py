"""The tier a member holds over time under the program's rules: a point-in-time history.

DESIGN §7's ``tiers --as-of`` is the level a member *qualifies* for on a day. A program
grants tiers by rules (``[tiers]``), and this module replays them from ``start`` to ``end``:

* On ``start`` every registered member holds the level they qualify for; a member who
  registers later starts at the base level on the registration day.
* ``upgrade = "immediate"``: a member moves up on the first day their trailing-window
  measures reach a higher level (the highest reached that day). ``"evaluation"``: only at
  evaluation dates.
* Evaluation dates are the ends of each ``evaluation`` period (month / quarter / year) inside
  (start, end]. At the end of one, a member who qualifies for a lower level moves down to it
  (from the next day), unless protected (保级): a level reached, or re-qualified for at an
  evaluation, is kept for ``protection_days`` days.
* Invitation-only levels (``[tiers] invitations``) replace a lower held tier for their
  validity.

The result is one row per member and stretch: (member_id, tier, valid_from, valid_to), with
valid_to null while it lasts to ``end``. The heavy parts run in the engine (one pass per
source table for every evaluation date; one window pass for immediate upgrades); the rules
run as a few numpy operations per evaluation date over all members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import numpy as np

from memberlens.config import Config
from memberlens.dates.periods import Grain, containing
from memberlens.engine.expr import SECONDS_PER_DAY, at_midnight
from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.facts.orders import paid_orders
from memberlens.program.tiers import (
    invitations,
    level_index,
    levels_on,
    used_measures,
    window_ending,
)

if TYPE_CHECKING:
    import polars as pl

EPOCH = date(1970, 1, 1)
NEVER = np.iinfo(np.int32).max


def evaluation_dates(config: Config, start: date, end: date) -> list[date]:
    """Ends of the ``[tiers] evaluation`` periods inside (start, end]."""
    grain = Grain(config.tiers.evaluation)
    dates = []
    period = containing(start, grain)
    while period.last <= end:
        if period.last > start:
            dates.append(period.last)
        period = period.next()
    return dates


@dataclass(frozen=True)
class TierHistory:
    """A replay of the tier rules from ``start`` to ``end``."""

    start: date
    end: date
    evaluations: list[date]
    levels: list[str]  # every level id, lowest first (invitation-only levels included)
    history: pl.DataFrame  # member_id, tier, valid_from, valid_to (null: still held at end)

    def on(self, day: date) -> pl.DataFrame:
        """member_id, tier held on ``day`` (members registered by then)."""

        if not self.start <= day <= self.end:
            raise InputError(
                f"{day} is outside the replayed history {self.start}..{self.end}; "
                "replay a range that contains it."
            )
        return self._held(day).sort("member_id")

    def _held(self, day: date) -> pl.DataFrame:
        import polars as pl

        held = self.history.filter(
            (pl.col("valid_from") <= day)
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= day))
        )
        return held.select("member_id", "tier")

    def distribution(self) -> pl.DataFrame:
        """Members per tier on the start, every evaluation date and the end (long form)."""
        import polars as pl

        days = sorted({self.start, *self.evaluations, self.end})
        frames = [
            self._held(d).group_by("tier").len("members").with_columns(date=pl.lit(d)) for d in days
        ]
        order = {t: i for i, t in enumerate(self.levels)}
        return (
            pl.concat(frames)
            .with_columns(rank=pl.col("tier").replace_strict(order))
            .sort("date", "rank")
            .select("date", "tier", pl.col("members").cast(pl.Int64))
        )

    def migration(self, first: date, second: date) -> pl.DataFrame:
        """Members by tier on ``first`` (rows, column ``from``) and on ``second`` (columns);
        members registered between the two dates count in the row ``(new)``."""
        import polars as pl

        a = self.on(first).rename({"tier": "from"})
        b = self.on(second).rename({"tier": "to"})
        pairs = b.join(a, on="member_id", how="left").with_columns(
            pl.col("from").fill_null("(new)")
        )
        counts = pairs.group_by("from", "to").len("members")
        wide = counts.pivot(on="to", index="from", values="members").fill_null(0)
        present = [t for t in self.levels if t in wide.columns]
        order = {t: i for i, t in enumerate([*self.levels, "(new)"])}
        return (
            wide.with_columns(rank=pl.col("from").replace_strict(order))
            .sort("rank")
            .select("from", *present)
        )

    def movements(self) -> pl.DataFrame:
        """Upgrades and downgrades per month of the history (changes of held tier)."""
        import polars as pl

        order = {t: i for i, t in enumerate(self.levels)}
        h = self.history.sort("member_id", "valid_from").with_columns(
            rank=pl.col("tier").replace_strict(order)
        )
        h = h.with_columns(
            before=pl.col("rank").shift(1).over("member_id"),
        ).filter(pl.col("before").is_not_null())
        return (
            h.with_columns(month=pl.col("valid_from").dt.strftime("%Y-%m"))
            .group_by("month")
            .agg(
                upgrades=(pl.col("rank") > pl.col("before")).sum(),
                downgrades=(pl.col("rank") < pl.col("before")).sum(),
            )
            .sort("month")
        )


def tier_history(session: Session, start: date, end: date) -> TierHistory:
    """Replay the tier rules of the session's config from ``start`` to ``end`` (module doc)."""
    import polars as pl

    from memberlens.facts.coverage import check_as_of

    if end < start:
        raise InputError(
            f"start {start} is after end {end}; give the earlier date first.", parameter="start"
        )
    check_as_of(session, end, "end")
    m = session.table("members")
    first = session.arrow(m.registered_at.min()).as_py()
    if first is None or start < first.date():
        raise InputError(
            f"start {start} is before the first member registered"
            f"{'' if first is None else f' ({first.date()})'}; start the history then or later."
        )
    rules = session.config.tiers
    ladder = rules.ladder
    evaluations = evaluation_dates(session.config, start, end)
    bounds = [start, *evaluations] + ([end] if not evaluations or evaluations[-1] != end else [])
    members = _levels(session, start, end, [start, *evaluations])
    n = members.height
    registered = members["reg_day"].to_numpy()
    first = _first_days(session, members, bounds) if rules.upgrade == "immediate" else None

    day0 = _day(start)
    cur = np.where(registered <= day0, members["level_0"].to_numpy(), 0).astype(np.int8)
    since = np.where(registered <= day0, day0, registered).astype(np.int64)
    changes: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [
        (np.arange(n), np.maximum(registered, day0), cur.copy())
    ]
    for j in range(1, len(bounds)):
        if first is not None:
            rows = first.filter(pl.col("interval") == j)
            m = rows["index"].to_numpy()
            level = rows["level"].to_numpy().astype(np.int8)
            day = rows["day"].to_numpy().astype(np.int64)
            keep = level > cur[m]
            m, level, day = m[keep], level[keep], day[keep]
            if m.size:
                # rows come sorted by (member, level): a day's last row is its highest level
                last = np.ones(m.size, bool)
                last[:-1] = (m[1:] != m[:-1]) | (day[1:] != day[:-1])
                changes.append((m[last], day[last], level[last]))
                cur[m] = np.maximum(cur[m], level)
                top = np.ones(m.size, bool)
                top[:-1] = m[1:] != m[:-1]
                since[m[top]] = day[top]
        if j <= len(evaluations):
            evaluated = _day(bounds[j])
            q = members[f"level_{j}"].to_numpy().astype(np.int8)
            active = registered <= evaluated
            held = evaluated + 1 - since
            down = active & (q < cur) & (held >= rules.protection_days)
            up = active & (q > cur)
            requalified = active & (q >= cur)
            moved = np.flatnonzero(down | up)
            changes.append((moved, np.full(moved.size, evaluated + 1), q[moved]))
            cur[moved] = q[moved]
            since[requalified | down] = evaluated + 1
    levels = [level.id for level in rules.levels]
    ladder_ids = [level.id for level in ladder]
    history = _stretches(members["member_id"], changes, ladder_ids, _day(end))
    invited = invitations(session.config, session.root)
    if invited is not None:
        history = _overlay(history, invited.to_polars(), levels, start, end)
    return TierHistory(start, end, evaluations, levels, history)


def _day(d: date) -> int:
    return (d - EPOCH).days


def _day_number(timestamp: ir.TimestampValue, start: date) -> ir.IntegerValue:
    """Days since 1970-01-01 of a timestamp's local date (differences of epoch seconds, so
    every engine agrees whatever its session time zone)."""
    since = timestamp.truncate("D").epoch_seconds() - at_midnight(start).epoch_seconds()
    return ((since / SECONDS_PER_DAY).round() + _day(start)).cast("int32")


def _levels(session: Session, start: date, end: date, dates: list[date]) -> pl.DataFrame:
    """member_id, reg_day and the qualified level index on each of ``dates`` (level_k)."""
    import polars as pl

    windows = [window_ending(session.config, d) for d in dates]
    m = session.table("members")
    members = m.filter(m.registered_at < at_midnight(end + timedelta(days=1))).select(
        "member_id", reg_day=_day_number(m.registered_at, start)
    )
    t = levels_on(session, members, windows)
    frame = pl.from_arrow(session.arrow(t.order_by("member_id")))
    assert isinstance(frame, pl.DataFrame)
    return frame.with_row_index("index")


def _first_days(session: Session, members: pl.DataFrame, bounds: list[date]) -> pl.DataFrame:
    """(index, interval, level, day): the first day inside each interval (bounds[j-1],
    bounds[j]] on which a member's trailing-window measures reach ``level`` or more."""
    import polars as pl

    ladder = session.config.tiers.ladder
    wanted = used_measures(ladder)
    start, end = bounds[0], bounds[-1]
    lower = at_midnight(start + timedelta(days=1 - session.config.tiers.window_days))
    upper = at_midnight(end + timedelta(days=1))
    facts = _day_facts(session, wanted, lower, upper, start)
    window = ibis.range_window(
        group_by="member_id",
        order_by="day",
        preceding=session.config.tiers.window_days - 1,
        following=0,
    )
    running = facts.mutate(**{f"{w}_run": facts[w].sum().over(window) for w in wanted})
    running = running.filter(running.day > _day(start))
    running = running.mutate(level=level_index(running, ladder, "run")).filter(ibis._.level > 0)
    interval: ir.IntegerValue = ibis.literal(len(bounds) - 1, "int32")
    for j in range(len(bounds) - 2, 0, -1):
        interval = ibis.ifelse(running.day <= _day(bounds[j]), j, interval)
    running = running.mutate(interval=interval)
    firsts = running.group_by("member_id", "interval").agg(
        **{f"first_{i}": running.day.min(where=running.level >= i) for i in range(1, len(ladder))}
    )
    frame = pl.from_arrow(session.arrow(firsts))
    assert isinstance(frame, pl.DataFrame)
    long = (
        frame.unpivot(index=["member_id", "interval"], variable_name="level", value_name="day")
        .drop_nulls("day")
        .with_columns(pl.col("level").str.strip_prefix("first_").cast(pl.Int8))
    )
    return (
        long.join(members.select("member_id", "index"), on="member_id")
        .select("index", "interval", "level", "day")
        .sort("index", "level")
    )


def _day_facts(
    session: Session, wanted: list[str], lower: Any, upper: Any, start: date
) -> ir.Table:
    """Per member and local day in [lower, upper): the measures' daily amounts."""
    zero = {w: ibis.literal(0, "float64") for w in wanted}
    parts = []
    paid = paid_orders(session, lower, upper)
    if "spend" in wanted or "orders" in wanted or "active_days" in wanted:
        values = dict(zero)
        if "spend" in wanted:
            values["spend"] = paid.amount.cast("float64")
        if "orders" in wanted:
            values["orders"] = ibis.literal(1.0)
        parts.append(paid.select("member_id", day=_day_number(paid.ordered_at, start), **values))
    p = session.table("points")
    p = p.filter((p.at >= lower) & (p.at < upper))
    if "points_earned" in wanted or "active_days" in wanted:
        earn = p.filter(p.kind.isin(["earn", "redeem"]))
        values = dict(zero)
        if "points_earned" in wanted:
            values["points_earned"] = ibis.ifelse(earn.kind == "earn", earn.points, 0).cast(
                "float64"
            )
        parts.append(earn.select("member_id", day=_day_number(earn.at, start), **values))
    if "active_days" in wanted:
        e = session.table("events")
        e = e.filter((e.at >= lower) & (e.at < upper))
        parts.append(e.select("member_id", day=_day_number(e.at, start), **zero))
    facts = ibis.union(*parts) if len(parts) > 1 else parts[0]
    if "active_days" not in wanted:
        # the RANGE frame over days takes a day's rows together: no need to group them first
        return facts
    daily = facts.group_by("member_id", "day").agg(
        **{w: facts[w].sum() for w in wanted if w != "active_days"}
    )
    return daily.mutate(active_days=ibis.literal(1.0))  # one row per day: the window counts


def _stretches(
    member_id: pl.Series,
    changes: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    ladder: list[str],
    end_day: int,
) -> pl.DataFrame:
    """(member_id, tier, valid_from, valid_to) from the change events, in order."""
    import polars as pl

    index = np.concatenate([c[0] for c in changes])
    day = np.concatenate([c[1] for c in changes])
    level = np.concatenate([c[2] for c in changes])
    sequence = np.concatenate([np.full(c[0].size, i, np.int32) for i, c in enumerate(changes)])
    inside = day <= end_day
    index, day, level, sequence = index[inside], day[inside], level[inside], sequence[inside]
    order = np.lexsort((sequence, day, index))  # by member, day, then the order of the rules
    index, day, level = index[order], day[order], level[order]
    # a day's last event is what holds at its end
    last = np.ones(index.size, bool)
    last[:-1] = (index[1:] != index[:-1]) | (day[1:] != day[:-1])
    index, day, level = index[last], day[last], level[last]
    # only events that change the held level start a stretch
    change = np.ones(index.size, bool)
    change[1:] = (index[1:] != index[:-1]) | (level[1:] != level[:-1])
    index, day, level = index[change], day[change], level[change]
    continues = np.zeros(index.size, bool)
    continues[:-1] = index[1:] == index[:-1]
    valid_to = np.zeros(index.size, np.int64)
    valid_to[:-1] = day[1:] - 1
    names = pl.Series(ladder)
    return pl.DataFrame(
        {
            "member_id": member_id.gather(index),
            "tier": names.gather(level.astype(np.uint32)),
            "valid_from": _dates(pl.Series(day)),
            "valid_to": _dates(pl.Series(valid_to)).set(pl.Series(~continues), None),
        }
    )


def _dates(days: pl.Series) -> pl.Series:
    import polars as pl

    return days.cast(pl.Int32).cast(pl.Date)


def _overlay(
    history: pl.DataFrame, invited: pl.DataFrame, levels: list[str], start: date, end: date
) -> pl.DataFrame:
    """Invitation-only tiers replace lower held tiers while the invitation is valid."""
    import polars as pl

    rank = {t: i for i, t in enumerate(levels)}
    touched = set(invited["member_id"].to_list())
    keep = history.filter(~pl.col("member_id").is_in(list(touched)))
    rows: list[tuple[str, str, date, date | None]] = []
    for member in sorted(touched):
        stretches = [
            (t, a, b)
            for t, a, b in history.filter(pl.col("member_id") == member)
            .select("tier", "valid_from", "valid_to")
            .iter_rows()
        ]
        if not stretches:
            continue
        days: dict[date, str] = {}  # day → tier, over the member's held stretches
        for tier, a, b in stretches:
            d = a
            while d <= (b or end):
                days[d] = tier
                d += timedelta(days=1)
        for grant in invited.filter(pl.col("member_id") == member).iter_rows(named=True):
            d = max(grant["valid_from"], start)
            while d <= min(grant["valid_to"] or end, end):
                if d in days and rank[grant["tier"]] > rank[days[d]]:
                    days[d] = grant["tier"]
                d += timedelta(days=1)
        run: list[Any] = []
        for d in sorted(days):
            if run and run[1] == days[d] and run[3] == d - timedelta(days=1):
                run[3] = d
            else:
                if run:
                    rows.append((member, run[1], run[2], run[3]))
                run = [member, days[d], d, d]
        rows.append((member, run[1], run[2], None if run[3] == end else run[3]))
    extra = pl.DataFrame(rows, schema=history.schema, orient="row")
    return pl.concat([keep, extra]).sort("member_id", "valid_from")
