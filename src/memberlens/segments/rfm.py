"""RFM segmentation as of a date (DESIGN §7), as Ibis expressions.

As of D (end of day D) the window is the paid member orders whose local date lies in
(D − window_days, D]. Members with at least one such order are scored:

* recency_days = D − the local date of the last paid order (whole days);
* frequency = paid orders in the window; monetary = their amount (``[rfm] monetary =
  "average"`` divides it by frequency, as FineBI does);
* recent = recency_days < threshold, frequent = frequency > threshold, high_value = monetary
  > threshold, the thresholds being the mean over scored members (or the median, or fixed).

The three flags give the eight Chinese segments (重要价值客户 …): the *threshold* scheme.

The *quintile* scheme scores R, F and M from 1 to 5 over the scored members. A member's score
is ``1 + floor(5 · w / n)``, where n is the number of scored members and w the number of them
with a strictly worse value (a longer recency, a lower frequency, a lower monetary). Equal
values therefore get the same score — the score of the first position of their group — so the
scores do not depend on row order; with all values distinct the five groups have n/5 members
each. The R and F scores place a member on :data:`SCORE_GRID`, the common English segment map
(Champions, Loyal Customers, … Lost); rfm_score is the three digits, e.g. "545".

Members with no paid order in the window are not scored. An as-of date before the first order
or after the latest record in the warehouse is refused (:func:`check_as_of`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.config import Config, FixedThresholds
from memberlens.engine.expr import SECONDS_PER_DAY, at_midnight, exact_sum
from memberlens.engine.session import Session
from memberlens.errors import InputError, unknown_choice
from memberlens.facts.coverage import check_as_of
from memberlens.facts.orders import paid_orders
from memberlens.labels import Label
from memberlens.metrics.dimensions import register
from memberlens.metrics.scope import GROUP, Dimension, Scope


@dataclass(frozen=True)
class Segment:
    id: str
    zh: str
    en: str
    code: str  # "RFM" flags, e.g. "101"


SEGMENTS: tuple[Segment, ...] = (
    Segment("important_value", "重要价值客户", "Important value", "111"),
    Segment("important_develop", "重要发展客户", "Important to develop", "101"),
    Segment("important_retain", "重要保持客户", "Important to retain", "011"),
    Segment("important_winback", "重要挽留客户", "Important to win back", "001"),
    Segment("general_value", "一般价值客户", "General value", "110"),
    Segment("general_develop", "一般发展客户", "General to develop", "100"),
    Segment("general_retain", "一般保持客户", "General to retain", "010"),
    Segment("general_winback", "一般挽留客户", "General to win back", "000"),
)


@dataclass(frozen=True)
class ScoreSegment:
    """A segment of the quintile map, named by its R and F scores."""

    id: str
    zh: str
    en: str


SCORE_SEGMENTS: tuple[ScoreSegment, ...] = (
    ScoreSegment("champions", "冠军客户", "Champions"),
    ScoreSegment("loyal_customers", "忠诚客户", "Loyal Customers"),
    ScoreSegment("potential_loyalist", "潜在忠诚客户", "Potential Loyalist"),
    ScoreSegment("new_customers", "新客户", "New Customers"),
    ScoreSegment("promising", "有潜力客户", "Promising"),
    ScoreSegment("need_attention", "需要关注客户", "Need Attention"),
    ScoreSegment("about_to_sleep", "即将沉睡客户", "About to Sleep"),
    ScoreSegment("at_risk", "有流失风险客户", "At Risk"),
    ScoreSegment("cant_lose_them", "不能失去的客户", "Can't Lose Them"),
    ScoreSegment("hibernating", "沉睡客户", "Hibernating"),
    ScoreSegment("lost", "已流失客户", "Lost"),
)

QUINTILES = 5

# R score → the segment for F score 1, 2, 3, 4, 5 (docs/segments.md prints the same grid)
SCORE_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new_customers", "potential_loyalist", "potential_loyalist", "champions", "champions"),
    4: (
        "promising",
        "potential_loyalist",
        "potential_loyalist",
        "loyal_customers",
        "loyal_customers",
    ),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose_them"),
    1: ("lost", "lost", "at_risk", "at_risk", "cant_lose_them"),
}

NOT_SCORED = "(not scored)"
NOT_SCORED_NAMES = {"zh": "(未评分)", "en": NOT_SCORED}


class Scheme(StrEnum):
    """How members are segmented: the eight threshold segments or the quintile map."""

    threshold = "threshold"
    quintile = "quintile"


def scheme(value: str | Scheme) -> Scheme:
    """``value`` as a :class:`Scheme`, or an :class:`InputError` listing the choices."""
    try:
        return Scheme(value)
    except ValueError:
        raise unknown_choice("RFM scheme", str(value), [s.value for s in Scheme]) from None


def segment_names(chosen: Scheme, language: str) -> dict[str, str]:
    """Segment id → 中文 or English name, in the scheme's order."""
    items: tuple[Segment | ScoreSegment, ...] = (
        SEGMENTS if chosen is Scheme.threshold else SCORE_SEGMENTS
    )
    return {s.id: Label(s.zh, s.en)(language) for s in items}


def segment_order(chosen: Scheme) -> dict[str, int]:
    """Segment id → position in the scheme's order, "(not scored)" last."""
    return {segment: i for i, segment in enumerate([*segment_names(chosen, "en"), NOT_SCORED])}


def _measures(session: Session, as_of: date) -> ir.Table:
    """Per scored member: member_id, recency_days, frequency, monetary, revenue (exact total)."""
    window = session.config.rfm.window_days
    paid = paid_orders(session, as_of + timedelta(days=1 - window), as_of + timedelta(days=1))
    # whole days between local dates, from epoch seconds of the dates (same on every engine)
    last_day = paid.ordered_at.truncate("D").epoch_seconds()
    per_member = paid.group_by("member_id").agg(
        last_day=last_day.max(), frequency=paid.count(), revenue=paid.amount.sum()
    )
    recency = (at_midnight(as_of).epoch_seconds() - per_member.last_day) / SECONDS_PER_DAY
    monetary = per_member.revenue.cast("float64")
    if session.config.rfm.monetary == "average":
        monetary = monetary / per_member.frequency
    return per_member.select(
        "member_id",
        recency_days=recency.cast("int64"),
        frequency=per_member.frequency,
        monetary=monetary,
        revenue=per_member.revenue,
    )


def scores(session: Session, as_of: date) -> ir.Table:
    """Per scored member: member_id, recency_days, frequency, monetary (before segmenting)."""
    return _measures(session, as_of).drop("revenue")


def _segment(s: ir.Table, config: Config) -> ir.Table:
    """Adds recent, frequent, high_value, code and segment to a table of R, F and M."""
    threshold = config.rfm.threshold
    if isinstance(threshold, FixedThresholds):
        limits = ibis.memtable(
            {"r": [threshold.recency_days], "f": [threshold.frequency], "m": [threshold.monetary]}
        )
    else:
        how = "mean" if threshold == "mean" else "median"
        limits = s.aggregate(
            r=getattr(s.recency_days.cast("float64"), how)(),
            f=getattr(s.frequency.cast("float64"), how)(),
            m=getattr(s.monetary, how)(),
        )
    t = s.cross_join(limits)
    flags = t.mutate(
        recent=t.recency_days < t.r, frequent=t.frequency > t.f, high_value=t.monetary > t.m
    )
    code = (
        flags.recent.cast("int8").cast("string")
        + flags.frequent.cast("int8").cast("string")
        + flags.high_value.cast("int8").cast("string")
    )
    cases = [(code == seg.code, seg.id) for seg in SEGMENTS]
    return flags.mutate(code=code, segment=ibis.cases(*cases)).drop("r", "f", "m")


def segmented(session: Session, as_of: date) -> ir.Table:
    """Scores with the thresholds applied: adds recent, frequent, high_value, segment, code."""
    return _segment(scores(session, as_of), session.config)


def _quintile(
    value: ir.Column, members: ir.IntegerValue, higher_is_better: bool
) -> ir.IntegerValue:
    """1 + floor(5 · worse / n): ``worse`` counts members with a strictly worse value, so
    equal values share the score of the first position of their group."""
    worse = ibis.rank().over(order_by=value if higher_is_better else ibis.desc(value))
    return ((worse * QUINTILES) // members + 1).cast("int64")


def quintiled(session: Session, as_of: date) -> ir.Table:
    """The threshold segments plus r_score, f_score, m_score (1–5), rfm_score ("545") and
    score_segment (the :data:`SCORE_GRID` cell of R and F), and revenue (exact total)."""
    t = _segment(_measures(session, as_of), session.config)
    members = t.count().over()
    t = t.mutate(
        r_score=_quintile(t.recency_days, members, higher_is_better=False),
        f_score=_quintile(t.frequency, members, higher_is_better=True),
        m_score=_quintile(t.monetary, members, higher_is_better=True),
    )
    cell = t.r_score * 10 + t.f_score
    cases = [
        (cell == r * 10 + f, segment)
        for r, row in SCORE_GRID.items()
        for f, segment in enumerate(row, start=1)
    ]
    return t.mutate(
        rfm_score=t.r_score.cast("string") + t.f_score.cast("string") + t.m_score.cast("string"),
        score_segment=ibis.cases(*cases),
    )


def rfm_expression(
    session: Session, as_of: date, language: str = "zh", quintiles: bool = False
) -> ir.Table:
    """The rows of :func:`rfm` as one Ibis expression, names included (DESIGN §9 columns
    first), so that the engine can hand them over or write them to a file directly."""
    check_as_of(session, as_of)
    t = quintiled(session, as_of) if quintiles else segmented(session, as_of)

    def named(column: ir.StringValue, chosen: Scheme) -> ir.StringValue:
        names = segment_names(chosen, language)
        return ibis.cases(*[(column == key, name) for key, name in names.items()])

    columns: dict[str, Any] = {
        "member_id": t.member_id,
        "recency_days": t.recency_days,
        "frequency": t.frequency,
        "monetary": t.monetary,
        "segment": t.segment,
        "segment_name": named(t.segment, Scheme.threshold),
    }
    if quintiles:
        columns |= {
            "r_score": t.r_score,
            "f_score": t.f_score,
            "m_score": t.m_score,
            "rfm_score": t.rfm_score,
            "score_segment": t.score_segment,
            "score_segment_name": named(t.score_segment, Scheme.quintile),
        }
    return t.select(**columns)


def rfm(session: Session, as_of: date, language: str = "zh", quintiles: bool = False) -> Any:
    """Rows (member_id, recency_days, frequency, monetary, segment, segment_name) as Polars,
    in the engine's order (sorting millions of rows costs more than the scoring).

    With ``quintiles`` the rows go on with r_score, f_score, m_score, rfm_score,
    score_segment and score_segment_name. Raises :class:`InputError` for an as-of date
    outside the data.
    """
    import polars as pl

    expression = rfm_expression(session, as_of, language, quintiles)
    frame = pl.from_arrow(session.arrow(expression))
    assert isinstance(frame, pl.DataFrame)
    return frame


def summary(session: Session, as_of: date, language: str = "zh") -> Any:
    """Segment sizes and revenue share as of ``as_of``, for both schemes (Polars).

    Rows (scheme, segment, segment_name, members, member_share, revenue, revenue_share,
    mean_recency_days, mean_frequency, mean_monetary): every segment of the threshold scheme,
    then of the quintile map, in their defined order, empty ones included (means null).
    revenue is the members' paid amount in the window (the total, whatever ``[rfm] monetary``
    says); the shares are of the scored members and of their revenue.

    One query returns sums per (segment, score_segment) cell; the rest is arithmetic on at
    most 8 × 11 rows.

    >>> summary(session, date(2025, 6, 30)).filter(scheme="quintile")  # doctest: +SKIP
    """
    import polars as pl

    check_as_of(session, as_of)
    t = quintiled(session, as_of)
    cells = t.group_by("segment", "score_segment").agg(  # exact sums: any order, same bits
        members=t.count(),
        revenue=exact_sum(t.revenue),
        recency=t.recency_days.sum(),
        frequency=t.frequency.sum(),
        monetary=exact_sum(t.monetary),
    )
    frame = pl.from_arrow(session.arrow(cells))
    assert isinstance(frame, pl.DataFrame)
    members, revenue = int(frame["members"].sum()), float(frame["revenue"].sum())
    parts = []
    for chosen, key in ((Scheme.threshold, "segment"), (Scheme.quintile, "score_segment")):
        names = segment_names(chosen, language)
        sums = (
            frame.group_by(key)
            .agg(pl.col("members", "revenue", "recency", "frequency", "monetary").sum())
            .with_columns(pl.col("revenue", "recency", "frequency", "monetary").cast(pl.Float64))
        )
        base = pl.DataFrame({"segment": list(names), "segment_name": list(names.values())})
        rows = base.join(
            sums.rename({key: "segment"}), on="segment", how="left", maintain_order="left"
        )
        n = pl.col("members").fill_null(0)
        parts.append(
            rows.select(
                pl.lit(chosen.value).alias("scheme"),
                "segment",
                "segment_name",
                n.alias("members"),
                _share(n, members).alias("member_share"),
                pl.col("revenue").fill_null(0.0).alias("revenue"),
                _share(pl.col("revenue").fill_null(0.0), revenue).alias("revenue_share"),
                *(
                    pl.when(n > 0).then(pl.col(c) / n).alias(f"mean_{c}")
                    for c in ("recency", "frequency", "monetary")
                ),
            ).rename({"mean_recency": "mean_recency_days"})
        )
    return pl.concat(parts)


def _share(part: Any, total: float) -> Any:
    import polars as pl

    return part / total if total else pl.lit(None, dtype=pl.Float64)


def migration(
    session: Session,
    start: date,
    end: date,
    language: str = "zh",
    chosen: Scheme = Scheme.threshold,
) -> Any:
    """Members by segment as of ``start`` (rows) and as of ``end`` (columns), as Polars.

    Long form, the non-empty cells only: (from_segment, from_name, to_segment, to_name,
    members, row_share), row_share being the share of the row's members (those in
    from_segment at ``start``). A member scored on only one of the dates is in
    ``"(not scored)"`` on the other; members scored on neither date are left out.
    Rows and columns follow the scheme's segment order, "(not scored)" last.

    >>> migration(session, date(2025, 3, 31), date(2025, 6, 30))  # doctest: +SKIP
    """
    import polars as pl

    if start >= end:
        raise InputError(
            f"start {start} must be before as_of {end}: the migration runs from the "
            "earlier date to the later one."
        )
    check_as_of(session, start, "start")
    check_as_of(session, end)
    build = segmented if chosen is Scheme.threshold else quintiled
    key = "segment" if chosen is Scheme.threshold else "score_segment"
    before = build(session, start)
    after = build(session, end)
    a = before.select("member_id", from_segment=before[key])
    b = after.select("member_id", to_segment=after[key])
    both = a.outer_join(b, a.member_id == b.member_id)
    pairs = both.select(
        from_segment=both.from_segment.fill_null(NOT_SCORED),
        to_segment=both.to_segment.fill_null(NOT_SCORED),
    )
    cells = pairs.group_by("from_segment", "to_segment").agg(members=pairs.count())
    frame = pl.from_arrow(session.arrow(cells))
    assert isinstance(frame, pl.DataFrame)
    names = segment_names(chosen, language) | {NOT_SCORED: NOT_SCORED_NAMES[language]}
    order = segment_order(chosen)
    return frame.sort(
        pl.col("from_segment").replace_strict(order), pl.col("to_segment").replace_strict(order)
    ).select(
        "from_segment",
        pl.col("from_segment").replace_strict(names).alias("from_name"),
        "to_segment",
        pl.col("to_segment").replace_strict(names).alias("to_name"),
        "members",
        (pl.col("members") / pl.col("members").sum().over("from_segment")).alias("row_share"),
    )


def _segment_labels(s: Scope) -> ir.Table:
    """Members without a paid order in the RFM window are not scored: (unknown)."""
    t = segmented(s.session, s.period.last)
    return t.select("member_id", **{GROUP: t.segment})


register(
    Dimension(
        "rfm_segment",
        "RFM 分群",
        "RFM segment",
        "the member's RFM segment as of the period end ((unknown): not scored)",
        _segment_labels,
    )
)
