"""The character n-gram classifier: its features, the shipped weights and its decisions."""

import math

import pytest

from memberlens.voc import classifier
from memberlens.voc.sentiment import classify, rule_sum
from memberlens.voc.text import normalize


def test_grams_by_hand() -> None:
    assert classifier.grams("好 评啊") == {
        "好", "评", "啊", "好评", "评啊", "好评啊",
    }  # fmt: skip


def test_probabilities_sum_to_one() -> None:
    p = classifier.probabilities(normalize("东西还没用，先收着"))
    assert len(p) == 3 and math.isclose(sum(p), 1.0) and min(p) > 0


def test_no_training_text_is_in_the_evaluation_set() -> None:
    import csv
    from pathlib import Path

    path = Path(__file__).parents[1] / "data" / "voc_sentiment_eval.csv"
    with path.open(encoding="utf-8") as f:
        held_out = {r["text"].strip() for r in csv.DictReader(f)}
    rows = classifier.training_rows()
    assert len(rows) >= 350
    assert {t.strip() for t, _ in rows}.isdisjoint(held_out)


@pytest.mark.slow
def test_shipped_weights_match_a_fresh_fit() -> None:
    weights, intercept = classifier.fit(classifier.training_rows())
    shipped, shipped_intercept = classifier._model()
    assert shipped.keys() == weights.keys()
    assert all(
        math.isclose(a, b, abs_tol=1e-4) for a, b in zip(intercept, shipped_intercept, strict=True)
    )
    worst = max(abs(a - b) for g, w in weights.items() for a, b in zip(w, shipped[g], strict=True))
    assert worst < 1e-4


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("被圈粉了", "positive"),
        ("半天就没电了", "negative"),
        ("第三次寄回去了", "negative"),
    ],
)
def test_classifier_decides_texts_without_a_rule_signal(text: str, expected: str) -> None:
    norm = normalize(text)
    assert rule_sum(norm) == 0  # no lexicon word, no pattern
    pol = classifier.polarity(norm)
    assert (pol > 0) == (expected == "positive")
    assert math.copysign(1, classify(text).score) == math.copysign(1, pol)


def test_questions_without_a_signal_stay_neutral() -> None:
    for text in ("这个能机洗吗", "门店在几楼", "积分几号清算"):
        assert classify(text).sentiment == "neutral"
