"""Topics of member texts: TF-IDF on jieba tokens, k-means, labels from the top keywords.

Texts are counted first and every distinct text is tokenised, scored and clustered once
(member texts repeat: "积分没到账" is written thousands of times). The vectoriser is a TF-IDF
over the distinct texts' tokens (unigrams, words in at least two texts), the clustering a
k-means weighted by each text's count, so a topic's size is its number of texts. A topic's
label is its three heaviest centroid terms, its keywords the top eight.

Why k-means over TF-IDF rather than keyword rules: it needs no list of topics written in
advance (a new complaint, the emerging topic, forms its own cluster), and on short texts
each text belongs to one topic, which k-means gives and NMF does not.

Emerging topics: a topic and ISO week whose count is at least ``min_count`` and at least
``lift`` times the topic's count the week before (a topic absent the week before has an
infinite lift).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from memberlens.errors import InputError, unknown_choice
from memberlens.voc.sentiment import classify
from memberlens.voc.text import masked, tokens

if TYPE_CHECKING:
    import polars as pl

    from memberlens.engine.session import Session

#: The time column of each table with texts.
TEXT_TABLES = {"tickets": ("ticket_id", "opened_at"), "surveys": ("response_id", "at"),
               "posts": ("post_id", "at")}  # fmt: skip
FIT_LIMIT = 20_000  # distinct texts the clustering is fitted on (the most frequent)


@dataclass(frozen=True)
class Emerging:
    topic: int
    label: str
    week_start: date
    n: int
    previous: int
    lift: float | None  # None: absent the week before


def texts(session: Session, table: str, start: date, end: date) -> pl.DataFrame:
    """``id``, ``at``, ``text`` of ``table`` with a text from ``start`` to ``end`` inclusive."""
    from memberlens.engine.expr import at_midnight

    if table not in TEXT_TABLES:
        raise unknown_choice("table", table, TEXT_TABLES, parameter="table")
    if end < start:
        raise InputError(f"end {end} is before start {start}.", parameter="end", value=str(end))
    key, at = TEXT_TABLES[table]
    t = session.table(table)
    t = t.filter(
        t.text.notnull()
        & (t[at] >= at_midnight(start))
        & (t[at] < at_midnight(end + timedelta(days=1)))
    )
    return session.frame(t.select(id=t[key], at=t[at], text=t.text))


def topic_rows(
    frame: pl.DataFrame,
    k: int = 8,
    words: Sequence[str] = (),
    examples: int = 3,
    seed: int = 0,
) -> tuple[list[dict[str, Any]], pl.DataFrame]:
    """DESIGN §13 topic rows, and each text's topic (``id``, ``topic``).

    ``frame`` has ``id``, ``at`` and ``text``. Rows ``{topic, label, keywords, size, share,
    negative_share, trend, examples}``, largest first; ``trend`` is the count per ISO week
    of the window (``[{"week", "n"}, ...]``), ``examples`` the most frequent texts, masked.
    """
    import numpy as np
    import polars as pl
    from sklearn.cluster import KMeans  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    if frame.height == 0:
        return [], pl.DataFrame(
            {"id": [], "topic": []}, schema={"id": pl.String, "topic": pl.Int64}
        )
    distinct = frame.group_by("text").agg(n=pl.len()).sort(["n", "text"], descending=[True, False])
    unique = distinct["text"].to_list()
    counts = distinct["n"].to_numpy()
    toks = [tokens(t, words) for t in unique]
    negative = np.array([classify(t).sentiment == "negative" for t in unique])
    fit = slice(0, FIT_LIMIT)
    vectorizer = TfidfVectorizer(analyzer=lambda x: x, min_df=2 if len(unique) > 50 else 1)
    try:
        matrix = vectorizer.fit_transform(toks[fit])
    except ValueError:  # no token in two texts
        vectorizer = TfidfVectorizer(analyzer=lambda x: x)
        matrix = vectorizer.fit_transform(toks[fit])
    clusters = max(1, min(k, len(unique[fit])))
    model = KMeans(n_clusters=clusters, n_init=4, random_state=seed)
    model.fit(matrix, sample_weight=counts[fit])
    assigned = (
        model.predict(vectorizer.transform(toks)) if len(unique) > FIT_LIMIT else model.labels_
    )
    terms = np.array(vectorizer.get_feature_names_out())
    topic_of = pl.DataFrame({"text": unique, "topic": np.asarray(assigned, dtype=np.int64)})
    tagged = frame.join(topic_of, on="text", how="left").with_columns(
        week=pl.col("at").dt.truncate("1w").dt.date()
    )
    weeks = sorted(tagged["week"].unique().to_list())
    total = int(counts.sum())
    rows: list[dict[str, Any]] = []
    for topic in range(clusters):
        members = np.flatnonzero(assigned == topic)
        if members.size == 0:
            continue
        size = int(counts[members].sum())
        # heaviest first; equal weights (to 12 digits) by the term, so ties never flip
        weights = np.round(model.cluster_centers_[topic], 12)
        order = np.lexsort((terms, -weights))
        top = [str(terms[i]) for i in order[:8] if model.cluster_centers_[topic][i] > 0]
        per_week = tagged.filter(pl.col("topic") == topic).group_by("week").agg(n=pl.len())
        by_week = dict(zip(per_week["week"].to_list(), per_week["n"].to_list(), strict=True))
        rows.append(
            {
                "topic": topic,
                "label": " / ".join(top[:3]),
                "keywords": top,
                "size": size,
                "share": size / total,
                "negative_share": float(counts[members][negative[members]].sum()) / size,
                "trend": [{"week": str(w), "n": int(by_week.get(w, 0))} for w in weeks],
                "examples": [masked(unique[i]) for i in members[:examples]],
            }
        )
    rows.sort(key=lambda r: -r["size"])
    for rank, row in enumerate(rows, 1):
        row["topic"], old = rank, row["topic"]
        row["_cluster"] = old
    renumber = {row.pop("_cluster"): row["topic"] for row in rows}
    ids = tagged.select("id", topic=pl.col("topic").replace_strict(renumber))
    return rows, ids


def emerging(rows: list[dict[str, Any]], min_count: int = 10, lift: float = 2.0) -> list[Emerging]:
    """Each (topic, week) whose count is ≥ ``min_count`` and ≥ ``lift`` × the week before's
    (a topic absent the week before qualifies on the count alone); the first week of the
    window has no week before and is never emerging."""
    found = []
    for row in rows:
        trend = row["trend"]
        for before, now in itertools.pairwise(trend):
            ratio = None if before["n"] == 0 else now["n"] / before["n"]
            if now["n"] >= min_count and (ratio is None or ratio >= lift):
                found.append(
                    Emerging(row["topic"], row["label"], date.fromisoformat(now["week"]),
                             now["n"], before["n"], ratio)
                )  # fmt: skip
    return found
