"""Sentiment of member texts: ``positive | neutral | negative`` and a score in [−1, 1].

A lexicon model written for loyalty-program texts (:mod:`memberlens.voc.lexicon`):

1. the text is normalised (NFKC, lower case) and cut into clauses at punctuation;
2. each clause is segmented (jieba with the program dictionary; English word tokens); a
   lexicon word adds its weight, times the nearest degree adverb before it (很 1.3, 有点
   0.6 …); a negator among the two tokens before it (three for 没有, 不是, 并不: 没有想象中
   好) flips it (a negated negative word counts 0.3: 不差 is faint praise);
3. a clause after a contrast word (但是, 不过, but) weighs 1.5, one before it 0.6;
4. domain patterns add their weight: complaints that hold no general negative word
   (积分一直没有到账, 客服打不通, 又过期了) and praise of service events (马上就到账了);
5. a question or a suggestion with no complaint pattern is shrunk (× 0.3, × 0.4): asking
   when points expire or wishing for more rewards is neutral;
6. a text on which no lexicon word and no pattern fires (s = 0) is decided by a character
   n-gram classifier fitted on project-written texts (:mod:`memberlens.voc.classifier`):
   s = 2 (p₊ − p₋), shrunk like step 5 for a question or a suggestion;
7. score = tanh(s / 3) of the sum s; positive at score ≥ 0.3, negative at ≤ −0.3.

>>> classify("积分一直没有到账").sentiment
'negative'
>>> classify("请问积分什么时候过期？").sentiment
'neutral'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from memberlens.voc import classifier
from memberlens.voc import lexicon as lx
from memberlens.voc.text import _jieba, normalize

SentimentId = Literal["positive", "neutral", "negative"]
SENTIMENTS: tuple[SentimentId, ...] = ("positive", "neutral", "negative")
THRESHOLD = 0.3
SCALE = 3.0
CLASSIFIER_WEIGHT = 2.0

_CLAUSE = re.compile(r"[，,。.!！;；~～…\n]+|(?<=[?？])")
_TOKEN = re.compile(r"[\u4e00-\u9fff]+|[a-z][a-z0-9']*|\d+")
_LEXICON = {**lx.POSITIVE, **{w: -v for w, v in lx.NEGATIVE.items()}}
_DICT_WORDS = lx.dictionary_words()


@dataclass(frozen=True)
class Sentiment:
    sentiment: SentimentId
    score: float


def _tokens(clause: str) -> list[str]:
    jieba = _jieba(_DICT_WORDS)
    out: list[str] = []
    for run in _TOKEN.findall(clause):
        if run.isascii():
            out.append(run)
        else:
            out.extend(jieba.lcut(run, HMM=False))
    return out


def _clause_sum(tokens: Sequence[str]) -> float:
    total = 0.0
    for i, token in enumerate(tokens):
        weight = _LEXICON.get(token)
        if weight is None:
            continue
        if token in lx.DEGREE and i + 1 < len(tokens) and tokens[i + 1] in _LEXICON:
            continue  # 好 before a sentiment word is a degree adverb (好开心)
        before = tokens[max(0, i - 3) : i]
        negated = sum(t in lx.NEGATORS for t in before[-2:]) % 2 == 1
        if not negated and len(before) == 3 and before[0] in lx.WIDE_NEGATORS:
            negated = not any(t in lx.NEGATORS for t in before[1:])  # 没有想象中好
        degree = next((lx.DEGREE[t] for t in reversed(before[-2:]) if t in lx.DEGREE), 1.0)
        value = weight * degree
        if negated:
            value = -value if value > 0 else -0.3 * value
        total += value
    return total


def _lexicon_sum(text: str) -> float:
    clauses = [c for c in _CLAUSE.split(text) if c and c.strip()]
    sums: list[float] = []
    contrast_at = -1
    for k, clause in enumerate(clauses):
        tokens = _tokens(clause)
        if tokens and (tokens[0] in lx.CONTRAST or any(t in lx.CONTRAST for t in tokens[:2])):
            contrast_at = k
        sums.append(_clause_sum(tokens))
    if contrast_at > 0:
        sums = [s * (0.6 if k < contrast_at else 1.5) for k, s in enumerate(sums)]
    return sum(sums)


def rule_sum(norm: str) -> float:
    """The lexicon and pattern sum of a normalised text (steps 1–5)."""
    s = _lexicon_sum(norm)
    complaint = sum(w for p, w in lx.COMPLAINT_PATTERNS if p.search(norm))
    praise = sum(w for p, w in lx.PRAISE_PATTERNS if p.search(norm))
    if not complaint:
        s *= _shrink(norm)
    return s + praise - complaint


def _shrink(norm: str) -> float:
    """0.3 for a question, 0.4 for a suggestion, else 1."""
    if lx.QUESTION.search(norm):
        return 0.3
    if lx.SUGGESTION.search(norm):
        return 0.4
    return 1.0


@lru_cache(maxsize=200_000)
def classify(text: str) -> Sentiment:
    """The sentiment of one text (see the module docstring for the rules)."""
    norm = normalize(text)
    s = rule_sum(norm)
    if s == 0:  # no lexicon word, no pattern: the n-gram classifier decides
        s = CLASSIFIER_WEIGHT * classifier.polarity(norm) * _shrink(norm)
    score = math.tanh(s / SCALE)
    if score >= THRESHOLD:
        label: SentimentId = "positive"
    elif score <= -THRESHOLD:
        label = "negative"
    else:
        label = "neutral"
    return Sentiment(label, round(score, 4))


def classify_many(texts: Iterable[str | None]) -> list[Sentiment | None]:
    """:func:`classify` of each text (None for a missing text); repeated texts cost once."""
    return [None if t is None or not t.strip() else classify(t) for t in texts]


__all__ = ["SENTIMENTS", "Sentiment", "classify", "classify_many"]
