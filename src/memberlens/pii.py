"""Personal data in outputs: phone numbers, e-mail addresses and id-card numbers masked.

Every output that can hold a phone, an e-mail address or an id number masks it unless the
caller asks for whole values explicitly (and is warned). The rules, written once:

* a phone number of 11 or more digits keeps its first three and last four digits
  (``138****1234``, DESIGN §13); 8–10 digits keep the last four (``****5678``); 5–7 digits
  the last two (``****67``); shorter ones nothing (``****``) — a short number is never shown
  whole;
* an e-mail address keeps the first character of the local part and the domain
  (``z***@example.com``);
* a Chinese id-card number (18 characters, or the old 15 digits) keeps the last four
  (``**************123X``).

Text is searched after folding full-width digits and letters (``１３８``) to ASCII, and
numbers split by spaces or hyphens (``138 0013 8000``) are found too.

Spreadsheet cells that begin with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
could run as formulas when a CSV or workbook is opened; :func:`safe_cell` prefixes them with
an apostrophe, except plain numbers such as ``-12.5``.

>>> mask_phone("13800138000")
'138****8000'
>>> mask_text("电话 138 0013 8000，邮箱 zhang.san@example.com")
'电话 138****8000，邮箱 z***@example.com'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

MASK = "****"

_PHONE = re.compile(r"(?<![\dA-Za-z])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_ID = re.compile(
    r"(?<![\dA-Za-z])\d{6}[\s-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"[\s-]?\d{3}[\dXx](?![\dA-Za-z])"
    r"|(?<![\dA-Za-z])\d{6}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![\dA-Za-z])"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _digits(text: str) -> str:
    return "".join(c for c in _fold(text) if c.isdigit())


def mask_phone(value: str | None) -> str | None:
    """A phone number masked by the rules above (None stays None)."""
    if value is None:
        return None
    digits = _digits(value)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    n = len(digits)
    if n >= 11:
        return digits[:3] + MASK + digits[-4:]
    if n >= 8:
        return MASK + digits[-4:]
    if n >= 5:
        return MASK + digits[-2:]
    return MASK


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_id(value: str) -> str:
    compact = re.sub(r"[\s-]", "", _fold(value))
    return "*" * (len(compact) - 4) + compact[-4:]


def _fold(text: str) -> str:
    """Full-width digits and letters as ASCII, one character for one (indices kept)."""
    out = []
    for c in text:
        folded = unicodedata.normalize("NFKC", c)
        out.append(folded if len(folded) == 1 else c)
    return "".join(out)


def mask_text(text: str | None) -> str | None:
    """Free text with every phone number, e-mail address and id-card number masked."""
    if text is None:
        return None
    folded = _fold(text)
    spans: list[tuple[int, int, str]] = []
    for pattern, masker in ((_EMAIL, mask_email), (_ID, mask_id), (_PHONE, mask_phone)):
        for m in pattern.finditer(folded):
            if any(m.start() < end and start < m.end() for start, end, _ in spans):
                continue
            spans.append((m.start(), m.end(), str(masker(m.group()))))
    if not spans:
        return text
    out, last = [], 0
    for start, end, replacement in sorted(spans):
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def safe_cell(value: Any) -> Any:
    """A value for a spreadsheet cell that cannot run as a formula (strings only)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


_FORMULA_PATTERN = r"^[=+\-@\t\r]"
_NUMBER_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def safe_cell_expr(value: Any) -> Any:
    """:func:`safe_cell` as an Ibis expression on a string column (the engine writes CSV
    files of millions of rows itself)."""
    import ibis

    risky = value.re_search(_FORMULA_PATTERN) & ~value.re_search(_NUMBER_PATTERN)
    return ibis.ifelse(risky, ibis.literal("'") + value, value)


def safe_cell_polars(name: str) -> Any:
    """:func:`safe_cell` as a Polars expression on the string column ``name``."""
    import polars as pl

    column = pl.col(name)
    risky = column.str.contains(_FORMULA_PATTERN) & ~column.str.contains(_NUMBER_PATTERN)
    return pl.when(risky).then(pl.lit("'") + column).otherwise(column).alias(name)


def mask_phone_expr(phone: Any) -> Any:
    """:func:`mask_phone` as an Ibis expression on a column of digit strings (in the engine,
    for millions of rows)."""
    import ibis

    digits = phone.re_replace(r"[^0-9]", "")
    # the country code of +86 138… is not part of the number (as in mask_phone)
    digits = ibis.ifelse(
        (digits.length() == 13) & digits.startswith("86"), digits.right(11), digits
    )
    n = digits.length()
    masked = ibis.cases(
        (n >= 11, digits.left(3) + MASK + digits.right(4)),
        (n >= 8, MASK + digits.right(4)),
        (n >= 5, MASK + digits.right(2)),
        else_=ibis.literal(MASK),
    )
    return ibis.ifelse(phone.isnull(), ibis.null("string"), masked)
