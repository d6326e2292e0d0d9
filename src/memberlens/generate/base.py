"""Shared pieces of the generator: the per-chunk context, id formatting, Arrow columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memberlens.generate.calendar import Clock
from memberlens.generate.params import Plan

CHANNELS = ("store", "mini_program", "app", "ecommerce")
CHANNEL_SHARE = np.array([0.45, 0.30, 0.15, 0.10])
CITIES = ("上海", "北京", "杭州", "深圳", "广州", "成都", "南京", "武汉")
CITY_SHARE = np.array([0.22, 0.18, 0.13, 0.12, 0.11, 0.10, 0.08, 0.06])
STORES_PER_CITY = (8, 7, 5, 5, 4, 4, 4, 3)


@dataclass
class Counters:
    """Running numbers for ids that must be unique across chunks."""

    orders: int = 0
    entries: int = 0
    tickets: int = 0
    responses: int = 0
    posts: int = 0


@dataclass
class Chunk:
    """One block of consecutive members, generated independently of the others."""

    plan: Plan
    clock: Clock
    index: int
    lo: int  # first member number (0-based, global)
    hi: int
    rng: np.random.Generator
    counters: Counters
    width: int  # digits in a member id
    cache: dict[str, pa.Array] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.hi - self.lo

    def member_ids(self, local: np.ndarray) -> pa.Array:
        """Member ids for local member numbers (0 .. size-1)."""
        if "member_ids" not in self.cache:
            self.cache["member_ids"] = ids("M", np.arange(self.lo + 1, self.hi + 1), self.width)
        return self.cache["member_ids"].take(pa.array(np.asarray(local, np.int64)))

    def next_ids(self, kind: str, prefix: str, n: int, width: int = 10) -> pa.Array:
        first = getattr(self.counters, kind)
        setattr(self.counters, kind, first + n)
        return ids(prefix, np.arange(first + 1, first + n + 1), width)


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers, computed in Arrow (no Python strings)."""
    text = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, text, "")


def timestamps(start: date, seconds: np.ndarray) -> pa.Array:
    """Arrow timestamps (naive, local business time) for seconds since the program start."""
    epoch = int(
        datetime(start.year, start.month, start.day).timestamp() - datetime(1970, 1, 1).timestamp()
    )
    return pa.array(np.asarray(seconds, np.int64) + epoch, pa.timestamp("s"))


def money(values: np.ndarray) -> pa.Array:
    """Amounts rounded to cents (float64, as most exports carry them)."""
    return pa.array(np.round(np.asarray(values, float), 2), pa.float64())


def pick(labels: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """Strings for integer codes (-1 → null) via a dictionary array."""
    codes = np.asarray(codes, np.int32)
    indices = pa.array(codes, pa.int32(), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(labels)).cast(pa.string())


def group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first element of each run of equal keys."""
    first = np.ones(len(sorted_keys), bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


def group_cumsum(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at every ``first``."""
    total = np.cumsum(values)
    starts = np.flatnonzero(first)
    offsets = np.zeros(len(values), total.dtype)
    before = (
        np.concatenate([[0], total[starts[1:] - 1]]) if len(starts) else np.array([], total.dtype)
    )
    lengths = np.diff(np.append(starts, len(values)))
    offsets = np.repeat(before, lengths)
    return total - offsets  # type: ignore[no-any-return]


def stores() -> tuple[list[str], np.ndarray]:
    """Store ids and their city codes (fixed for every program)."""
    names: list[str] = []
    city: list[int] = []
    for code, count in enumerate(STORES_PER_CITY):
        for _ in range(count):
            names.append(f"S{len(names) + 1:03d}")
            city.append(code)
    return names, np.array(city)
