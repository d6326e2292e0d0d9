"""Map a source's header to the canonical columns of a table (DESIGN §5).

Precedence: an explicit ``--map canonical=source`` (or ``[mapping.<table>]`` in the config),
then the canonical name itself (compared ignoring case, blanks, ``-`` and ``_``), then the
built-in Chinese aliases in their listed order. A column that matches nothing is reported
and ignored; a missing required column refuses the file with the file's columns listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from memberlens.aliases import HEADER_ALIASES, TABLE_HEADER_ALIASES
from memberlens.errors import SourceError, unknown_choice
from memberlens.schema import TableSpec


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lstrip("\ufeff")).lower()


@dataclass
class HeaderMap:
    """``columns`` maps canonical name → source column; ``ignored`` lists unused source columns."""

    columns: dict[str, str]
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_mapping_options(options: list[str]) -> dict[str, str]:
    """Parse repeated ``canonical=source`` options."""
    mapping: dict[str, str] = {}
    for option in options:
        canonical, sep, source = option.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise SourceError(
                f"--map '{option}' is not of the form canonical=source, e.g. --map order_id=单号"
            )
        mapping[canonical.strip()] = source.strip()
    return mapping


def resolve_header(
    spec: TableSpec, source_columns: list[str], explicit: Mapping[str, str], location: str
) -> HeaderMap:
    by_norm: dict[str, str] = {}
    for column in source_columns:
        by_norm.setdefault(_norm(column), column)
    chosen: dict[str, str] = {}
    notes: list[str] = []
    for canonical, source in explicit.items():
        if canonical not in spec.names:
            raise unknown_choice(f"column of {spec.name}", canonical, spec.names, "(in --map)")
        actual = source if source in source_columns else by_norm.get(_norm(source))
        if actual is None:
            raise SourceError(
                f"--map {canonical}={source}: {location} has no column '{source}'. "
                f"Its columns: {', '.join(source_columns)}."
            )
        chosen[canonical] = actual
    aliases = {**HEADER_ALIASES, **TABLE_HEADER_ALIASES.get(spec.name, {})}
    for canonical in spec.names:
        if canonical in chosen:
            continue
        candidates = [canonical, *aliases.get(canonical, ())]
        matches = [by_norm[_norm(c)] for c in candidates if _norm(c) in by_norm]
        matches = [m for m in dict.fromkeys(matches) if m not in chosen.values()]
        if matches:
            chosen[canonical] = matches[0]
            for other in matches[1:]:
                notes.append(f"'{other}' also matches {canonical}; used '{matches[0]}'")
    missing = [c for c in spec.required if c not in chosen]
    if missing:
        raise SourceError(
            f"{location} has no column for required {spec.name} field(s) "
            f"{', '.join(missing)}. Its columns: {', '.join(source_columns)}. "
            f"Rename a column or pass --map {missing[0]}=<column>."
        )
    used = set(chosen.values())
    duplicates = sorted({c for c in source_columns if source_columns.count(c) > 1 and c in used})
    if duplicates:
        raise SourceError(
            f"{location} has more than one column named {', '.join(duplicates)}; "
            "rename them so each value has one column."
        )
    ignored = [c for c in source_columns if c not in used]
    return HeaderMap(chosen, ignored, notes)
