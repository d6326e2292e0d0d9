"""What members say as member features, and which complaint topics precede lapses.

:func:`member_features` gives one row per member who wrote in a window: tickets,
complaints, texts, mean sentiment score and negative texts; :func:`complaint_topics` the
complaints per member and topic. A churn model joins them on ``member_id`` (members absent
have zeros and no sentiment) as of its feature date.

:func:`lapse_by_complaint_topic` answers "members who complained about X lapse at rate Y
against Z for similar members": for each complaint topic of the window before ``as_of``, the
share of its members with no paid order in the ``horizon`` days after ``as_of``, beside the
lapse rate of members without a complaint who bought in the window, standardised to the
complainers' mix of order counts in the window (1, 2–3, 4 or more orders): similar members
are those who bought as often.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import ibis

from memberlens.engine.expr import at_midnight
from memberlens.errors import InputError

if TYPE_CHECKING:
    import polars as pl

    from memberlens.engine.session import Session

BANDS = ((1, 1), (2, 3), (4, 10**9))  # orders in the window: 1, 2-3, 4+


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # exclusive


def _texts(session: Session, window: Window) -> pl.DataFrame:
    import polars as pl

    from memberlens.voc.sentiment import classify

    frames = []
    for table, key, at in (("tickets", "ticket_id", "opened_at"), ("surveys", "response_id", "at"),
                           ("posts", "post_id", "at")):  # fmt: skip
        t = session.table(table)
        t = t.filter(t.member_id.notnull() & (t[at] >= at_midnight(window.start))
                     & (t[at] < at_midnight(window.end)))  # fmt: skip
        kind = t.kind if table == "tickets" else ibis.null("string")
        frames.append(session.frame(t.select(id=t[key], member_id=t.member_id, text=t.text,
                                             kind=kind)))  # fmt: skip
    frame = pl.concat(frames)
    scores = [None if x is None else classify(x).score for x in frame["text"].to_list()]
    return frame.with_columns(score=pl.Series(scores, dtype=pl.Float64))


def member_features(session: Session, start: date, end: date) -> pl.DataFrame:
    """Per member writing from ``start`` to ``end`` (exclusive): ``tickets``, ``complaints``,
    ``texts``, ``mean_sentiment`` (mean score of their texts), ``negative_texts``."""
    import polars as pl

    frame = _texts(session, Window(start, end))
    return (
        frame.group_by("member_id")
        .agg(
            tickets=pl.col("kind").is_not_null().sum(),
            complaints=(pl.col("kind") == "complaint").sum(),
            texts=pl.col("text").is_not_null().sum(),
            mean_sentiment=pl.col("score").mean(),
            negative_texts=(pl.col("score") <= -0.3).sum(),
        )
        .sort("member_id")
    )


def complaint_topics(
    session: Session, start: date, end: date, k: int = 8
) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    """``member_id``, ``topic``, ``complaints`` of complaint tickets in the window, and the
    topic rows of :func:`memberlens.voc.topics.topic_rows` (labels)."""
    import polars as pl

    from memberlens.voc.topics import texts, topic_rows

    tickets = session.table("tickets")
    complaint_ids = session.frame(
        tickets.filter(tickets.kind == "complaint").select(
            id=tickets.ticket_id, member=tickets.member_id
        )
    )
    frame = texts(session, "tickets", start, end - timedelta(days=1))
    frame = frame.join(complaint_ids, on="id", how="inner").filter(pl.col("member").is_not_null())
    rows, ids = topic_rows(frame.select("id", "at", "text"), k=k, words=session.config.voc.words)
    per = (
        frame.join(ids, on="id")
        .group_by("member", "topic")
        .agg(complaints=pl.len())
        .rename({"member": "member_id"})
        .sort("member_id", "topic")
    )
    return per, rows


def lapse_by_complaint_topic(
    session: Session, as_of: date, window_days: int = 180, horizon_days: int = 90, k: int = 8
) -> list[dict[str, Any]]:
    """Rows ``{topic, label, members, lapsed, lapse_rate, similar_members,
    similar_lapse_rate, difference}`` (see the module docstring)."""
    import polars as pl

    from memberlens.facts.coverage import data_range
    from memberlens.facts.orders import paid_orders

    span = data_range(session)
    if span is None or as_of + timedelta(days=horizon_days) > span[1] + timedelta(days=1):
        raise InputError(
            f"as_of {as_of}: the {horizon_days} days after it must lie within the paid orders "
            f"(last {None if span is None else span[1]}); choose an earlier date.",
            parameter="as_of", value=str(as_of),
        )  # fmt: skip
    start = as_of - timedelta(days=window_days)
    o = paid_orders(session)
    window = o.filter((o.ordered_at >= at_midnight(start)) & (o.ordered_at < at_midnight(as_of)))
    before = session.frame(window.group_by("member_id").aggregate(orders=window.count()))
    until = at_midnight(as_of + timedelta(days=horizon_days))
    after = o.filter((o.ordered_at >= at_midnight(as_of)) & (o.ordered_at < until))
    bought = session.frame(after.select("member_id").distinct()).with_columns(bought=pl.lit(True))
    band = pl.lit(None, dtype=pl.Int64)
    for number, (low, high) in enumerate(BANDS):
        band = pl.when(pl.col("orders").is_between(low, high)).then(number).otherwise(band)
    base = (
        before.join(bought, on="member_id", how="left")
        .with_columns(lapsed=pl.col("bought").is_null(), band=band)
        .select("member_id", "band", "lapsed")
    )
    per, rows = complaint_topics(session, start, as_of, k)
    complained = set(per["member_id"].to_list())
    others = base.filter(~pl.col("member_id").is_in(list(complained)))
    rates = others.group_by("band").agg(rate=pl.col("lapsed").mean(), n=pl.len())
    other_rate = {r["band"]: (r["rate"], r["n"]) for r in rates.to_dicts()}
    out = []
    for row in rows:
        who = per.filter(pl.col("topic") == row["topic"])["member_id"].unique()
        group = base.filter(pl.col("member_id").is_in(who.to_list()))
        if group.height == 0:
            continue
        mix = group.group_by("band").agg(n=pl.len()).to_dicts()
        weighted = [(other_rate[m["band"]][0], m["n"]) for m in mix if m["band"] in other_rate]
        total = sum(n for _, n in weighted)
        similar = sum(r * n for r, n in weighted) / total if total else None
        rate = float(group["lapsed"].mean())  # type: ignore[arg-type]
        out.append({
            "topic": row["topic"], "label": row["label"], "members": group.height,
            "lapsed": int(group["lapsed"].sum()), "lapse_rate": rate,
            "similar_members": others.height, "similar_lapse_rate": similar,
            "difference": None if similar is None else rate - similar,
        })  # fmt: skip
    return out
