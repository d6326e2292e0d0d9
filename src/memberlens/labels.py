"""Bilingual strings: one :class:`Label` per thing a person reads, in 中文 and English.

>>> Label("会员等级", "Tier")("en")
'Tier'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")


@dataclass(frozen=True)
class Label:
    """A string in both languages; call it with the workspace language."""

    zh: str
    en: str

    def __call__(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def __str__(self) -> str:
        return self.en
