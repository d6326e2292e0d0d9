"""Speed of ``voc sentiment`` and ``voc topics`` on N member texts (target: 1 M in ≤ 2 min).

    uv run python benchmarks/voc_speed.py --texts 20000 [--distinct 0.2]

The texts are the demo program's templates with an order number appended to a share
``--distinct`` of them (so about that share are distinct texts, the rest repeat, as member
texts do). Both steps run in this process on the texts in memory: sentiment of every text
(language and lexicon model, repeated texts cost once) and topics (tokens, TF-IDF, k-means,
rows). Reading the texts from the warehouse is not timed.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--distinct", type=float, default=0.2)
    args = parser.parse_args()

    import polars as pl

    from memberlens.generate.voice import TEMPLATES
    from memberlens.voc.sentiment import classify, classify_many
    from memberlens.voc.text import _jieba, detect_language
    from memberlens.voc.topics import topic_rows

    rng = np.random.default_rng(0)
    base = [text for items in TEMPLATES.values() for text, _ in items]
    picks = rng.integers(0, len(base), args.texts)
    numbered = rng.random(args.texts) < args.distinct
    texts = [
        f"{base[p]} 订单{rng.integers(10**6, 10**7)}" if numbered[i] else base[p]
        for i, p in enumerate(picks)
    ]
    start_day = datetime(2025, 1, 6)
    at = [start_day + timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 56, args.texts)]
    frame = pl.DataFrame({"id": [f"T{i}" for i in range(args.texts)], "at": at, "text": texts})

    _jieba()
    classify.cache_clear()

    t0 = time.perf_counter()
    classified = classify_many(texts)
    languages = [detect_language(t) for t in texts]
    sentiment = time.perf_counter() - t0
    assert len(classified) == len(languages) == args.texts
    classify.cache_clear()
    t1 = time.perf_counter()
    rows, _ = topic_rows(frame, k=8)
    topics = time.perf_counter() - t1
    print(
        f"{args.texts:,} texts ({frame['text'].n_unique():,} distinct): "
        f"sentiment {sentiment:.1f} s, topics {topics:.1f} s ({len(rows)} topics)"
    )


if __name__ == "__main__":
    main()
