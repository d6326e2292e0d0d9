"""Finding members by what a person has at hand: a member id, a masked or a whole phone.

A masked phone is what receipts, SMS and the dashboard show: ``138****8000`` (the first
three and last four digits; a run of ``*``, ``＊``, ``x`` or ``•`` stands for the hidden
digits; full-width digits, spaces and dashes are accepted). The candidates are the members
whose phone (digits only, a ``+86`` / ``86`` country code dropped) starts with the known
prefix, ends with the known suffix and has at least as many digits between them as the
mask has stars — so every phone that :func:`memberlens.pii.mask_phone` shows as the query
is a candidate (``138****8000`` is any number of 11 digits or more so masked; ``****8000``
any of 8 or more ending in 8000). At least four digits must be known, or the list would
name most of the program.

A whole phone number is matched digit for digit; callers decide who may search by one (the
service: admins only, as only they see whole phones).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

from memberlens.engine.session import Session
from memberlens.errors import InputError

Kind = Literal["member_id", "masked_phone", "phone"]
MIN_KNOWN_DIGITS = 4
_HIDDEN = "*＊xX•·"
_MASKED = re.compile(rf"^(?:\+?86)?(\d*)([{re.escape(_HIDDEN)}]+)(\d*)$")
_WHOLE = re.compile(r"^\+?\d{7,15}$")


@dataclass(frozen=True)
class PhoneQuery:
    """A parsed phone query: known prefix and suffix, hidden digits (None: a whole number)."""

    prefix: str
    suffix: str
    hidden: int | None

    @property
    def whole(self) -> bool:
        return self.hidden is None


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\-()]", "", folded)


def parse_phone(text: str) -> PhoneQuery | None:
    """The phone query ``text`` is, or None when it is not one (then it may be an id)."""
    compact = _fold(text)
    if _WHOLE.fullmatch(compact):
        digits = compact.lstrip("+")
        if digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        return PhoneQuery(digits, "", None)
    found = _MASKED.fullmatch(compact)
    if found is None:
        return None
    prefix, stars, suffix = found.groups()
    if len(prefix) + len(suffix) < MIN_KNOWN_DIGITS:
        raise InputError(
            f"phone {text[:40]!r}: give at least {MIN_KNOWN_DIGITS} known digits, "
            "e.g. 138****8000.",
            parameter="q",
            value=text[:40],
        )
    return PhoneQuery(prefix, suffix, len(stars))


def _phone_digits(phone: Any) -> Any:
    import ibis

    digits = phone.re_replace(r"[^0-9]", "")
    return ibis.ifelse(digits.startswith("86") & (digits.length() == 13), digits.substr(2), digits)


def find_by_phone(session: Session, query: PhoneQuery, limit: int = 20) -> tuple[list[Any], int]:
    """Members whose phone matches ``query``: (rows of member_id, phone (whole),
    registered_at — at most ``limit``, by member id), the number of matches)."""
    m = session.table("members")
    digits = _phone_digits(m.phone)
    if query.whole:
        condition = digits == query.prefix
    else:
        known = len(query.prefix) + len(query.suffix)
        condition = (
            digits.startswith(query.prefix)
            & digits.endswith(query.suffix)
            & (digits.length() >= known + (query.hidden or 1))
        )
    found = m.filter(m.phone.notnull() & condition)
    total = int(session.scalar(found.count()))
    rows = session.rows(
        found.select("member_id", "phone", "registered_at").order_by("member_id").limit(limit)
    )
    return rows, total
