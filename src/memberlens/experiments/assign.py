"""Deterministic assignment: salted SHA-256 bucketing of members into variants (DESIGN §12).

A member's bucket is the first 60 bits of SHA-256(``salt:experiment_id:member_id``) as a
fraction of 2⁶⁰; the variants take consecutive slices of [0, 1) in proportion to their
weights (a holdout is a variant like any other). The same salt, id, members and weights
give the same list, on any machine; a new salt re-randomises. The list has the columns of
the ``experiments`` table, ready for ``memberlens ingest experiments FILE``.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import accumulate

from memberlens.errors import InputError

BITS = 60


def bucket(salt: str, experiment_id: str, member_id: str) -> float:
    """The member's position in [0, 1)."""
    digest = hashlib.sha256(f"{salt}:{experiment_id}:{member_id}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> (64 - BITS)) / float(1 << BITS)


def assign(
    members: Iterable[str],
    experiment_id: str,
    variants: Sequence[str],
    salt: str,
    *,
    assigned_at: datetime,
    weights: Sequence[float] | None = None,
) -> list[dict[str, object]]:
    """Rows (experiment_id, member_id, variant, assigned_at), one per distinct member.

    >>> when = datetime(2026, 1, 1)
    >>> rows = assign(["M0", "M1"], "E1", ["control", "treatment"], "s", assigned_at=when)
    >>> [r["variant"] for r in rows]
    ['control', 'treatment']
    """
    names = list(variants)
    if len(names) < 2 or len(set(names)) != len(names):
        raise InputError(
            f"variants {','.join(names)}: name at least two different variants, such as "
            "control,treatment.",
            parameter="variants",
            value=",".join(names),
        )
    shares = [1.0] * len(names) if weights is None else [float(w) for w in weights]
    if len(shares) != len(names) or any(w <= 0 for w in shares):
        raise InputError(
            f"weights {','.join(f'{w:g}' for w in shares)}: give one positive weight per "
            f"variant ({','.join(names)}), such as {','.join(['50'] * len(names))}.",
            parameter="weights",
        )
    if not salt:
        raise InputError(
            "salt: give a salt (any text, such as the experiment's name and date); it keeps "
            "this experiment's buckets independent of others'.",
            parameter="salt",
        )
    total = sum(shares)
    edges = [c / total for c in accumulate(shares)][:-1]
    when = assigned_at
    out: list[dict[str, object]] = []
    for member in dict.fromkeys(members):
        arm = names[bisect.bisect_right(edges, bucket(salt, experiment_id, member))]
        out.append(
            {
                "experiment_id": experiment_id,
                "member_id": member,
                "variant": arm,
                "assigned_at": when,
            }
        )
    return out
