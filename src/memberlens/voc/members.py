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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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
                                             kind=kind, at=t[at].cast("timestamp"))))  # fmt: skip
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


def _after(session: Session, horizon_days: int) -> tuple[pl.DataFrame, pl.DataFrame, Any]:
    """Paid member orders (member_id, at, sorted), complaint tickets of members (id,
    member_id, at, text) and the cut: an event's window must end by the last paid order."""
    import polars as pl

    from memberlens.facts.coverage import data_range
    from memberlens.facts.orders import paid_orders

    if horizon_days < 1:
        raise InputError(
            f"horizon_days {horizon_days}: use at least 1 day.",
            parameter="horizon_days", value=str(horizon_days),
        )  # fmt: skip
    span = data_range(session)
    if span is None:
        raise InputError("No paid member orders: load orders first.")
    cut = datetime.combine(span[1] + timedelta(days=1 - horizon_days), time())
    o = paid_orders(session)
    orders = session.frame(o.select(member_id=o.member_id, at=o.ordered_at)).sort("member_id", "at")
    t = session.table("tickets")
    t = t.filter((t.kind == "complaint") & t.member_id.notnull())
    complaints = session.frame(
        t.select(id=t.ticket_id, member_id=t.member_id, at=t.opened_at, text=t.text)
    )
    return orders, complaints.with_columns(pl.col("at").cast(pl.Datetime("us"))), cut


def _stopped(events: pl.DataFrame, orders: pl.DataFrame, horizon_days: int) -> pl.Series:
    """For each event (member_id, at): no paid order of the member in (at, at + horizon]."""
    import polars as pl

    following = events.with_row_index("_row").sort("member_id", "at").join_asof(
        orders.rename({"at": "next_at"}).with_columns(pl.col("next_at").cast(pl.Datetime("us"))),
        left_on="at", right_on="next_at", by="member_id",
        strategy="forward", allow_exact_matches=False, check_sortedness=False,
    ).sort("_row")  # fmt: skip
    late = following["next_at"] > following["at"] + timedelta(days=horizon_days)
    return (following["next_at"].is_null() | late.fill_null(False)).alias("stopped")


def _effect(y: float | None, n_y: int, z: float | None, n_z: int) -> dict[str, Any]:
    """Y, Z, their difference and the dropout (Y − Z) / (1 − Z) with a delta-method 95 % CI."""
    import math

    dropout = ci = None
    if y is not None and z is not None and z < 1 and n_y and n_z:
        dropout = (y - z) / (1 - z)
        var = y * (1 - y) / n_y / (1 - z) ** 2 + ((1 - y) / (1 - z) ** 2) ** 2 * z * (1 - z) / n_z
        half = 1.959963984540054 * math.sqrt(var)
        ci = [dropout - half, dropout + half]
    return {
        "lapse_rate": y,
        "similar_lapse_rate": z,
        "difference": None if y is None or z is None else y - z,
        "dropout": dropout,
        "ci": ci,
    }


def _rate(stopped: pl.Series) -> float | None:
    return None if stopped.len() == 0 else float(stopped.mean())  # type: ignore[arg-type]


def complaint_lapse_effect(session: Session, horizon_days: int = 90) -> dict[str, Any]:
    """How much a complaint raises the chance that the member stops buying.

    Each complaint ticket of a member (opened at t, at least ``horizon_days`` before the
    last paid order) against each paid member order (placed at t, as early): the share
    followed by no paid order of the same member in (t, t + horizon]. Complaints follow
    orders, so the orders are the "similar" moments of the same members and programs.
    With Y the rate after complaints and Z after orders, ``dropout`` = (Y − Z) / (1 − Z)
    estimates the probability that a complaint ends the member's buying (the planted
    ``voice.complaint_dropout`` of a generated program); its 95 % interval by the delta
    method from the binomial variances of Y and Z.
    """
    import polars as pl

    orders, complaints, cut = _after(session, horizon_days)
    events = complaints.filter(pl.col("at") < cut).select("member_id", "at")
    base = orders.filter(pl.col("at") < cut)
    y = _stopped(events, orders, horizon_days)
    z = _stopped(base, orders, horizon_days)
    found = _effect(_rate(y), y.len(), _rate(z), z.len())
    return {
        "horizon_days": horizon_days,
        "complaints": y.len(),
        "lapse_after_complaint": found["lapse_rate"],
        "orders": z.len(),
        "lapse_after_order": found["similar_lapse_rate"],
        "difference": found["difference"],
        "dropout": found["dropout"],
        "ci": found["ci"],
    }


def complaint_lapse_by_topic(
    session: Session,
    start: date | None = None,
    end: date | None = None,
    horizon_days: int = 90,
    k: int = 8,
) -> list[dict[str, Any]]:
    """ "Members who complained about X lapse at rate Y against Z for similar members".

    Complaint tickets opened from ``start`` to ``end`` (inclusive; default: all whose
    ``horizon_days`` lie in the data) are clustered into ``k`` topics; per topic Y is the
    share of its complaints followed by no paid order of the member in the ``horizon_days``
    after, Z the same share after the paid member orders of the same days (the moments of
    similar members: complaints follow orders), with the difference and the dropout
    (Y − Z) / (1 − Z) and its 95 % interval (:func:`complaint_lapse_effect`). Rows
    ``{topic, label, complaints, lapsed, lapse_rate, similar_orders, similar_lapse_rate,
    difference, dropout, ci, examples}``, largest topic first; examples are masked.
    """
    import polars as pl

    from memberlens.voc.topics import topic_rows

    orders, complaints, cut = _after(session, horizon_days)
    low = datetime.min if start is None else datetime.combine(start, time())
    high = cut if end is None else min(cut, datetime.combine(end + timedelta(days=1), time()))
    inside = complaints.filter((pl.col("at") >= low) & (pl.col("at") < high))
    base = orders.filter((pl.col("at") >= low) & (pl.col("at") < high))
    if inside.height == 0:
        return []
    z = _stopped(base, orders, horizon_days)
    rows, ids = topic_rows(inside.select("id", "at", "text").filter(pl.col("text").is_not_null()),
                           k=k, words=session.config.voc.words)  # fmt: skip
    tagged = inside.join(ids, on="id", how="inner")
    tagged = tagged.with_columns(_stopped(tagged.select("member_id", "at"), orders, horizon_days))
    out = []
    for row in rows:
        mine = tagged.filter(pl.col("topic") == row["topic"])["stopped"]
        found = _effect(_rate(mine), mine.len(), _rate(z), z.len())
        out.append({"topic": row["topic"], "label": row["label"], "complaints": mine.len(),
                    "lapsed": int(mine.sum()), **found, "similar_orders": z.len(),
                    "examples": row["examples"]})  # fmt: skip
    return out


#: complaint topics the churn and drivers features flag (k of the k-means)
FEATURE_TOPICS = 6


def churn_features(
    session: Session, windows: Sequence[tuple[date, date]]
) -> tuple[list[pl.DataFrame], dict[str, str]]:
    """VoC member features for each window ``[start, end)``: ``voc_texts`` (texts written),
    ``voc_negative_share`` (their share the sentiment model calls negative),
    ``voc_mean_sentiment`` (mean score; missing without a text) and
    ``voc_topic_<n>`` (1 = a complaint about topic n in the window). The complaint topics
    are fitted once on the complaints of all the windows, so topic n is the same in each
    (unsupervised, on texts alone: no outcome enters it). The complaint count is already a
    churn feature (``complaints_365``)."""
    import polars as pl

    from memberlens.voc.topics import topic_rows

    first = min(w[0] for w in windows)
    last = max(w[1] for w in windows)
    frame = _texts(session, Window(first, last)).filter(pl.col("text").is_not_null())
    complaints = frame.filter(pl.col("kind") == "complaint")
    labels: dict[str, str] = {}
    topic_of = pl.DataFrame({"id": [], "topic": []}, schema={"id": pl.String, "topic": pl.Int64})
    if complaints.height:
        rows, topic_of = topic_rows(complaints.select("id", "at", "text"), k=FEATURE_TOPICS,
                                    words=session.config.voc.words)  # fmt: skip
        labels = {f"voc_topic_{r['topic']}": r["label"] for r in rows}
    tagged = frame.join(topic_of, on="id", how="left")
    topics = sorted(labels)
    out = []
    for start, end in windows:
        inside = tagged.filter(
            (pl.col("at") >= datetime.combine(start, time()))
            & (pl.col("at") < datetime.combine(end, time()))
        )
        flags = [((pl.col("topic") == int(c.rsplit("_", 1)[1])) & (pl.col("kind") == "complaint"))
                 .any().cast(pl.Int64).alias(c) for c in topics]  # fmt: skip
        per = inside.group_by("member_id").agg(
            pl.len().cast(pl.Int64).alias("voc_texts"),
            (pl.col("score") <= -0.3).mean().alias("voc_negative_share"),
            pl.col("score").mean().alias("voc_mean_sentiment"),
            *flags,
        )
        out.append(per.sort("member_id"))
    return out, labels


def _register() -> None:
    from memberlens.models.churn.extra import FeatureSource, register

    register(
        FeatureSource(
            "voc",
            "texts written, negative share and mean sentiment of them, complaint topics",
            churn_features,
            no_fill=frozenset({"voc_mean_sentiment", "voc_negative_share"}),
            binary_prefix="voc_topic_",
        )
    )


_register()
