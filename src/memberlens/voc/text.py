"""Text core for the voice of the customer: language, tokens, stop words, keywords, masking.

Chinese is segmented with jieba and a user dictionary of program words (积分, 黑卡, 会员日 …)
plus the workspace's own words (``[voc] words``, passed as ``words``); English is split into
lower-case word tokens. A text's language is ``zh`` when at least 80 % of its letters are
Chinese characters, ``en`` when at most 20 % are, ``mixed`` between (``unknown`` without
letters).

>>> detect_language("积分一直没有到账")
'zh'
>>> tokens("积分一直没有到账")
['积分', '没有', '到账']
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from memberlens.pii import mask_text

LanguageId = Literal["zh", "en", "mixed", "unknown"]

#: Program, product and service words segmented as one token.
PROGRAM_WORDS: tuple[str, ...] = (
    "积分",
    "黑卡",
    "会员日",
    "金卡",
    "银卡",
    "钻石卡",
    "白金卡",
    "普卡",
    "优惠券",
    "满减",
    "到账",
    "兑换",
    "过期",
    "会员",
    "会员卡",
    "等级",
    "升级",
    "降级",
    "保级",
    "小程序",
    "公众号",
    "客服",
    "门店",
    "店员",
    "收银",
    "结账",
    "退款",
    "退货",
    "换货",
    "发货",
    "配送",
    "快递",
    "积分商城",
    "礼品",
    "生日礼",
    "权益",
    "签到",
    "抵扣",
    "抵现",
    "券",
    "折扣",
    "没到账",
    "未到账",
    "不到账",
    "用不了",
    "不能用",
    "无法使用",
    "闪退",
    "报错",
    "扣积分",
    "双11",
    "双十一",
    "618",
    "积分规则",
    "会员价",
    "储值",
    "余额",
    "核销",
)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_EN_TOKEN = re.compile(r"[a-z][a-z0-9']*[a-z0-9]|[a-z]")
_ZH_BLOCK = re.compile(r"[\u4e00-\u9fff0-9A-Za-z']+")

#: Stop words of both languages, written for member texts (function words, fillers).
STOP_WORDS: frozenset[str] = frozenset(
    [
        "的",
        "了",
        "是",
        "我",
        "你",
        "他",
        "她",
        "它",
        "们",
        "我们",
        "你们",
        "他们",
        "在",
        "和",
        "与",
        "及",
        "也",
        "就",
        "都",
        "还",
        "又",
        "这",
        "那",
        "这个",
        "那个",
        "有",
        "啊",
        "吧",
        "呢",
        "吗",
        "哦",
        "哈",
        "哈哈",
        "嗯",
        "呀",
        "啦",
        "嘛",
        "么",
        "一个",
        "一下",
        "一些",
        "什么",
        "怎么",
        "为什么",
        "如何",
        "请问",
        "可以",
        "能",
        "会",
        "要",
        "想",
        "说",
        "让",
        "把",
        "被",
        "给",
        "对",
        "从",
        "到",
        "跟",
        "很",
        "太",
        "非常",
        "特别",
        "真的",
        "真",
        "就是",
        "但是",
        "但",
        "不过",
        "而且",
        "然后",
        "因为",
        "所以",
        "如果",
        "已经",
        "一直",
        "还是",
        "或者",
        "自己",
        "这样",
        "那样",
        "感觉",
        "觉得",
        "每次",
        "今天",
        "昨天",
        "现在",
        "时候",
        "之后",
        "以后",
        "一次",
        "上次",
        "这次",
        "次",
        "个",
        "里",
        "上",
        "下",
        "中",
        "后",
        "前",
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "my",
        "me",
        "i",
        "you",
        "your",
        "we",
        "our",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "so",
        "very",
        "just",
        "can",
        "could",
        "would",
        "should",
        "will",
        "am",
        "im",
        "i'm",
        "it's",
        "dont",
        "don't",
        "what",
        "when",
        "how",
        "why",
        "there",
        "here",
        "from",
        "by",
        "as",
        "if",
        "about",
        "any",
        "all",
        "get",
        "got",
    ]
)

_setup_lock = threading.Lock()
_setup_words: frozenset[str] | None = None
_module: Any = None


def _jieba(words: Sequence[str] = ()) -> Any:
    """jieba with the program dictionary (and ``words``) loaded, initialised once."""
    global _setup_words, _module
    if _module is not None and (not words or _setup_words.issuperset(words)):  # type: ignore[union-attr]
        return _module
    import logging
    import warnings

    with warnings.catch_warnings():
        # jieba 0.42's sources hold invalid escapes (SyntaxWarning) on first compilation
        warnings.simplefilter("ignore")
        import jieba
        import jieba.analyse
        import jieba.posseg

    wanted = frozenset(words)
    with _setup_lock:
        if _setup_words is None:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            from memberlens.voc.lexicon import dictionary_words

            for word in (*PROGRAM_WORDS, *dictionary_words()):
                jieba.add_word(word, freq=200_000, tag="nz")
            _setup_words = frozenset()
        for word in wanted - _setup_words:
            jieba.add_word(word, freq=200_000, tag="nz")
        _setup_words |= wanted
        _module = jieba
    return jieba


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits as ASCII), lower case, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def detect_language(text: str) -> LanguageId:
    """``zh``, ``en`` or ``mixed`` by the share of Chinese characters among letters."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    # a Chinese character carries about a word; an English word averages ~5 letters
    words = latin / 5
    if han + words == 0:
        return "unknown"
    share = han / (han + words)
    if share >= 0.8:
        return "zh"
    if share <= 0.2:
        return "en"
    return "mixed"


def tokens(text: str, words: Sequence[str] = (), stop: bool = True) -> list[str]:
    """Tokens of a text: jieba for Chinese runs, word tokens for English, stop words removed."""
    jieba = _jieba(words)
    out: list[str] = []
    for block in _ZH_BLOCK.findall(normalize(text)):
        pieces = jieba.lcut(block, HMM=True) if _HAN.search(block) else [block]
        for piece in pieces:
            if _HAN.search(piece):
                out.append(piece)
            else:
                out.extend(_EN_TOKEN.findall(piece))
    if stop:
        out = [t for t in out if t not in STOP_WORDS and not t.isdigit()]
    return out


def keywords(texts: Iterable[str], top: int = 10, words: Sequence[str] = ()) -> list[str]:
    """The ``top`` keywords of a collection by TF-IDF over its texts (smoothed idf).

    A word scores its total term frequency times ``log((1 + n) / (1 + df)) + 1``; words of
    one character are left out (in Chinese they are rarely a topic).
    """
    import math
    from collections import Counter

    tf: Counter[str] = Counter()
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        n += 1
        found = [t for t in tokens(text, words) if len(t) > 1]
        tf.update(found)
        df.update(set(found))
    scored = {w: c * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in tf.items()}
    return [w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def textrank(text: str, top: int = 5, words: Sequence[str] = ()) -> list[str]:
    """Keywords of one text by jieba's TextRank (nouns, verbs and program words)."""
    jieba = _jieba(words)
    found = jieba.analyse.textrank(
        normalize(text), topK=top * 2, allowPOS=("n", "nz", "vn", "v", "nr", "ns", "eng")
    )
    return [w for w in found if w not in STOP_WORDS][:top]


def masked(text: str | None) -> str | None:
    """A text with phones, e-mail addresses and id numbers masked (every output uses this)."""
    return None if text is None else mask_text(text)


__all__ = [
    "PROGRAM_WORDS",
    "STOP_WORDS",
    "detect_language",
    "keywords",
    "masked",
    "normalize",
    "textrank",
    "tokens",
]
