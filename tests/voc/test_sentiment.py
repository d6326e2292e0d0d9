"""Sentiment rules on hand-labelled texts, and the held-out evaluation set's accuracy."""

import csv
from pathlib import Path

import pytest

from memberlens.voc.sentiment import classify, classify_many

EVAL = Path(__file__).parents[1] / "data" / "voc_sentiment_eval.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("积分一直没有到账", "negative"),  # no general negative word: the domain pattern
        ("客服电话打不通", "negative"),
        ("太棒了，积分又过期了", "negative"),  # 反讽: the complaint outweighs the praise
        ("请问积分什么时候过期？", "neutral"),  # a question
        ("希望积分可以兑换更多商品", "neutral"),  # a suggestion
        ("会员日真的很划算", "positive"),
        ("不好用", "negative"),
        ("not good at all", "negative"),  # negation flips the English word
        ("不差", "neutral"),  # a negated negative is faint praise (0.3 of its weight)
        ("店员很热情，但是积分规则太复杂", "negative"),  # the clause after 但是 weighs more
        ("积分秒到账👍", "positive"),
        ("coupon didn't work at checkout 😡", "negative"),
        ("发货快，包装完好", "positive"),  # general review words
        ("做工粗糙，与描述不符", "negative"),
        ("质量没有想象中好", "negative"),  # 没有 reaches three tokens
        ("不是特别满意", "negative"),
        ("收到了，还没用", "neutral"),  # 还没用 is not 没用 (useless)
        ("包装很好，可惜东西是坏的", "negative"),
    ],
)
def test_rules(text: str, expected: str) -> None:
    assert classify(text).sentiment == expected


def test_degree_scales_the_score() -> None:
    assert classify("非常满意").score > classify("满意").score > classify("有点满意").score > 0


def test_scores_in_range_and_missing_texts() -> None:
    results = classify_many(["垃圾垃圾垃圾垃圾垃圾，太差太差太差", None, "  ", "好"])
    assert results[1] is None and results[2] is None
    assert results[0] is not None and -1 <= results[0].score < -0.9


def test_generator_templates_all_right() -> None:
    from memberlens.generate.voice import sentiment_truth

    wrong = [r for r in sentiment_truth() if classify(r["text"]).sentiment != r["sentiment"]]
    assert wrong == []


def test_held_out_loyalty_texts() -> None:
    """The evaluation set (never used to build the lexicon): at least 300 texts, three
    classes; the accuracy figure is the one benchmarks/voc_sentiment_eval.py prints."""
    with EVAL.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 300
    assert {r["label"] for r in rows} == {"positive", "neutral", "negative"}
    right = sum(classify(r["text"]).sentiment == r["label"] for r in rows)
    assert right / len(rows) >= 0.80
