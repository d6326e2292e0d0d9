"""Text encoding detection for CSV exports: UTF-8 (with or without BOM), UTF-16, GBK/GB18030.

Chinese exports from older systems and from Excel's "Save as CSV" are often GBK. GB18030 is
a superset of GBK, so a file that is not UTF-8 but decodes as GB18030 is read as GB18030.
Detection samples the head of the file and blocks spread through it, so a file whose first
megabyte happens to be ASCII is still recognised.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from memberlens.errors import SourceError

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1")

_HEAD = 1 << 20
_BLOCK = 64 << 10
_BLOCKS = 16


def _samples(path: Path) -> list[bytes]:
    size = path.stat().st_size
    with path.open("rb") as handle:
        samples = [handle.read(_HEAD)]
        if size > _HEAD:
            step = (size - _HEAD) // _BLOCKS
            for i in range(1, _BLOCKS + 1):
                handle.seek(_HEAD + i * step - _BLOCK if i == _BLOCKS else _HEAD + i * step)
                samples.append(handle.read(_BLOCK))
    return samples


def _decodes(samples: list[bytes], encoding: str) -> bool:
    for number, sample in enumerate(samples):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        data = sample
        if number > 0:
            # a block read from the middle may start inside a multi-byte character
            data = _skip_partial(sample, encoding)
        try:
            decoder.decode(data, final=False)
        except UnicodeDecodeError:
            return False
    return True


def _skip_partial(sample: bytes, encoding: str) -> bytes:
    newline = sample.find(b"\n")
    return sample[newline + 1 :] if newline >= 0 else sample[:0]


def detect_encoding(path: Path) -> str:
    """Return the codec name to read ``path`` with, or raise :class:`SourceError`."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    samples = _samples(path)
    if b"\x00" in samples[0]:
        raise SourceError(
            f"{path} contains NUL bytes: it is not a text CSV file (a binary or UTF-16 file "
            "without a byte-order mark). Export it as CSV (UTF-8 or GBK) or .xlsx."
        )
    for encoding in ("utf-8", "gb18030"):
        if _decodes(samples, encoding):
            return encoding
    raise SourceError(
        f"Cannot tell the text encoding of {path}: it is neither UTF-8 nor GBK/GB18030. "
        f"Pass --encoding with one of: {', '.join(ENCODINGS[1:])}."
    )


def resolve_encoding(path: Path, encoding: str) -> str:
    """Check an explicit ``encoding`` option or detect one when it is ``auto``."""
    if encoding == "auto":
        return detect_encoding(path)
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError):
        info = None
    # rot13, base64, zlib … are codecs too, but not text encodings a CSV can be written in
    if info is None or not getattr(info, "_is_text_encoding", True) or "\x00" in encoding:
        shown = encoding.replace("\x00", "\\0")[:80]
        raise SourceError(
            f"Unknown encoding '{shown}'. Use one of: {', '.join(ENCODINGS)}."
        ) from None
    return encoding
