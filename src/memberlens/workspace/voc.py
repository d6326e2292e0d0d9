"""Voice of the customer: topics, NPS and sentiment (DESIGN §13, docs/voc.md).

Reached as ``ws.voc`` on a :class:`~memberlens.workspace.Workspace`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from memberlens.workspace import parse

if TYPE_CHECKING:
    from memberlens.workspace.base import Host


class Voc:
    """What members say: topic clusters, NPS with its interval, sentiment per text."""

    def __init__(self, ws: Host) -> None:
        self._ws = ws

    def topics(self, table: str, start: str, end: str, *, k: int = 8) -> list[dict[str, Any]]:
        """DESIGN §13 topic rows of ``table``'s texts from ``start`` to ``end`` inclusive
        (examples masked).

        >>> ws.voc.topics("tickets", "2025-01-01", "2025-06-30")  # doctest: +SKIP
        """
        from memberlens.voc.topics import texts, topic_rows

        first, last = parse.day(start, "start"), parse.day(end, "end")
        with self._ws.session() as s:
            frame = texts(s, table, first, last)
        rows, _ = topic_rows(frame, k=k, words=self._ws.config.voc.words)
        return rows

    def nps(self, period: str, by: str | None = None) -> list[dict[str, Any]]:
        """NPS rows of ``period`` (split ``by`` a member dimension) with 95 % intervals."""
        from memberlens.dates.periods import parse_period
        from memberlens.voc.nps import nps_rows

        chosen = parse_period(period)
        with self._ws.session() as s:
            return nps_rows(s, chosen, by)

    def sentiment(self, table: str) -> list[dict[str, Any]]:
        """Rows ``{id, language, sentiment, score}`` for every text of ``table``."""
        from memberlens.voc.sentiment import classify
        from memberlens.voc.text import detect_language
        from memberlens.voc.topics import texts

        with self._ws.session() as s:
            frame = texts(s, table, date(1900, 1, 1), date(9999, 12, 30))
        out: list[dict[str, Any]] = []
        for key, text in zip(frame["id"].to_list(), frame["text"].to_list(), strict=True):
            if text is None or not text.strip():
                out.append({"id": key, "language": "unknown", "sentiment": None, "score": None})
                continue
            found = classify(text)
            out.append({"id": key, "language": detect_language(text),
                        "sentiment": found.sentiment, "score": found.score})  # fmt: skip
        return out
