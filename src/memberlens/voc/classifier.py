"""A small character n-gram classifier beside the lexicon (DESIGN §13).

Multinomial logistic regression (scikit-learn, L2, ``C = 1``) on binary character 1- to
3-grams of the normalised text, three classes, fitted on the project-written training texts in
``voc/data/`` (``sentiment_train.csv`` and ``sentiment_tuning.csv``; never the evaluation set,
never the public reviews). The fitted coefficients ship in ``voc/data/sentiment_ngrams.json``
(rounded to five decimals; rewrite them with
``benchmarks/voc_sentiment_eval.py --refit`` after
changing a training file, a test checks that they match a fresh fit), so scoring needs no
scikit-learn import and is a sum over the text's n-grams:

    z_c = b_c + Σ_{g ∈ grams(text)} w_{g,c},   p = softmax(z)

:func:`polarity` returns ``p_positive − p_negative`` ∈ (−1, 1), which the sentiment model adds
to the lexicon sum (see :mod:`memberlens.voc.sentiment`).
"""

from __future__ import annotations

import csv
import json
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

CLASSES = ("negative", "neutral", "positive")
FILES = ("sentiment_train.csv", "sentiment_tuning.csv")
NGRAMS = (1, 3)
MODEL_FILE = "sentiment_ngrams.json"
DIGITS = 5

_lock = threading.Lock()


def grams(text: str) -> set[str]:
    """The distinct character n-grams (``NGRAMS``) of a normalised text, spaces dropped."""
    chars = "".join(text.split())
    low, high = NGRAMS
    return {chars[i : i + n] for n in range(low, high + 1) for i in range(len(chars) - n + 1)}


def training_rows() -> list[tuple[str, str]]:
    """(text, label) of the project-written training files."""
    rows: list[tuple[str, str]] = []
    folder = resources.files("memberlens.voc") / "data"
    for name in FILES:
        with (folder / name).open(encoding="utf-8") as f:
            rows.extend((r["text"], r["label"]) for r in csv.DictReader(f))
    return rows


def fit(rows: Sequence[tuple[str, str]]) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
    """Coefficients per n-gram and intercepts (in ``CLASSES`` order) fitted on ``rows``."""
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    from memberlens.voc.text import normalize

    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([dict.fromkeys(grams(normalize(t)), 1) for t, _ in rows])
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, [label for _, label in rows])
    order = [list(model.classes_).index(c) for c in CLASSES]
    coef = model.coef_[order]
    weights = {
        gram: tuple(float(coef[k, j]) for k in range(len(CLASSES)))
        for gram, j in vectorizer.vocabulary_.items()
    }
    return weights, tuple(float(model.intercept_[k]) for k in order)


def write(path: Path | None = None) -> Path:
    """Fit on :func:`training_rows` and store the coefficients (``MODEL_FILE``), rounded."""
    weights, intercept = fit(training_rows())
    target = path or Path(str(resources.files("memberlens.voc") / "data" / MODEL_FILE))
    data = {
        "classes": list(CLASSES),
        "intercept": [round(v, DIGITS) for v in intercept],
        "weights": {g: [round(v, DIGITS) for v in w] for g, w in sorted(weights.items())},
    }
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    return target


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
    with _lock:
        raw = (resources.files("memberlens.voc") / "data" / MODEL_FILE).read_text("utf-8")
        data = json.loads(raw)
        weights = {g: tuple(w) for g, w in data["weights"].items()}
        return weights, tuple(data["intercept"])


def probabilities(text: str) -> tuple[float, ...]:
    """Class probabilities (``CLASSES`` order) of a normalised text."""
    weights, intercept = _model()
    z = list(intercept)
    for gram in grams(text):
        w = weights.get(gram)
        if w is not None:
            z[0] += w[0]
            z[1] += w[1]
            z[2] += w[2]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return tuple(v / total for v in e)


def polarity(text: str) -> float:
    """``p_positive − p_negative`` of a normalised text."""
    p = probabilities(text)
    return p[2] - p[0]


__all__ = ["CLASSES", "fit", "grams", "polarity", "probabilities", "training_rows", "write"]
