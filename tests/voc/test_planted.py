"""Planted truths of the demo texts recovered: complaint topics, the emerging week, post
sentiment shares (tests/conftest.py's 3,000-member program)."""

import math
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from memberlens.voc.sentiment import classify
from memberlens.voc.topics import emerging, topic_rows

pytestmark = pytest.mark.slow


def _complaints(folder: Path) -> pl.DataFrame:
    t = pl.read_parquet(folder / "tickets.parquet").filter(pl.col("kind") == "complaint")
    return t.select(id="ticket_id", at="opened_at", text="text")


def test_complaint_topics_and_the_emerging_week(program: tuple[Path, dict[str, Any]]) -> None:
    folder, truth = program
    voice = truth["voice"]
    planted = {text: name for name, t in voice["complaint_topics"].items() for text in t["texts"]}
    planted |= dict.fromkeys(voice["emerging"]["texts"], voice["emerging"]["topic"])
    frame = _complaints(folder)
    rows, ids = topic_rows(frame, k=10)
    joined = frame.join(ids, on="id").with_columns(planted=pl.col("text").replace_strict(planted))
    # each cluster holds one planted topic (homogeneity); a topic written in Chinese and in
    # English forms one cluster per language (no shared tokens), so sizes add over clusters
    purity = 0
    for topic in set(joined["topic"].to_list()):
        planted_in = Counter(joined.filter(pl.col("topic") == topic)["planted"].to_list())
        purity += planted_in.most_common(1)[0][1]
    assert purity / joined.height >= 0.9
    # planted shares among the complaints outside the emerging topic, within 3 standard errors
    regular = joined.filter(pl.col("planted") != voice["emerging"]["topic"])
    n = regular.height
    for name, spec in voice["complaint_topics"].items():
        share = regular.filter(pl.col("planted") == name).height / n
        se = math.sqrt(spec["share"] * (1 - spec["share"]) / n)
        assert abs(share - spec["share"]) <= 3 * se, name
    # the emerging topic: appears in the planted week only, found by lift with a minimum count
    found = emerging(rows, min_count=3)
    week = date.fromisoformat(voice["emerging"]["week_start"])
    assert any(e.week_start == week and ("闪退" in e.label or "crashes" in e.label)
               for e in found), found  # fmt: skip


def test_post_sentiment_shares(program: tuple[Path, dict[str, Any]]) -> None:
    folder, truth = program
    posts = pl.read_parquet(folder / "posts.parquet")["text"].to_list()
    counts = Counter(classify(t).sentiment for t in posts)
    for mood, share in truth["voice"]["post_sentiment_shares"].items():
        se = math.sqrt(share * (1 - share) / len(posts))
        assert abs(counts[mood] / len(posts) - share) <= 4 * se, (mood, counts)


def test_the_planted_complaint_dropout_is_recovered(
    demo_ws: Any, program: tuple[Path, dict[str, Any]]
) -> None:
    """A complaint ends the member's buying with the planted probability (0.3): recovered
    within its 95 % interval widened to 3 standard errors, and complaints raise the lapse
    rate over the next 90 days clearly above the rate after an ordinary order."""
    from memberlens.voc.members import complaint_lapse_by_topic, complaint_lapse_effect

    planted = program[1]["voice"]["complaint_dropout"]["probability"]
    with demo_ws.session() as s:
        found = complaint_lapse_effect(s, horizon_days=90)
        topics = complaint_lapse_by_topic(s, k=6)
    low, high = found["ci"]
    se = (high - low) / 2 / 1.96
    assert found["complaints"] >= 100
    assert abs(found["dropout"] - planted) <= 3 * se
    assert low > 0  # the effect is there
    # the same effect in every topic (planted alike for all): within 3 standard errors
    assert sum(r["complaints"] for r in topics) == found["complaints"]
    for row in topics:
        assert row["similar_lapse_rate"] == pytest.approx(found["lapse_after_order"])
        low, high = row["ci"]
        assert abs(row["dropout"] - planted) <= 3 * (high - low) / 2 / 1.96, row["label"]
