"""Members and their channel identities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from memberlens.generate.base import (
    CHANNEL_SHARE,
    CHANNELS,
    CITIES,
    CITY_SHARE,
    Chunk,
    ids,
    pick,
    stores,
    timestamps,
)
from memberlens.generate.calendar import DAY, daily_intensity, time_of_day

GENDERS = ("female", "male", "unknown")
ID_PREFIX = {"store": "C", "mini_program": "wx_o", "app": "A", "ecommerce": "tb_"}
EXTRA_CHANNEL_SHARE = {"store": 0.20, "mini_program": 0.40, "app": 0.25, "ecommerce": 0.15}


@dataclass
class MemberState:
    """Per-member latent traits the other tables are generated from."""

    registered: np.ndarray  # seconds since start
    channel: np.ndarray  # code into CHANNELS
    store: np.ndarray  # code into stores() or -1
    city: np.ndarray
    lam: np.ndarray  # BG/NBD purchase rate per day
    p: np.ndarray  # BG/NBD dropout probability
    nu: np.ndarray  # Gamma-Gamma spend rate
    redeemer: np.ndarray  # bool: uses points
    referrer: np.ndarray  # global member number of the referrer or -1
    has_app: np.ndarray  # bool: has an app or mini-program identity
    source_campaign: np.ndarray  # index into recruitment campaigns or -1
    single: np.ndarray | None = None  # bool: never buys again (the heavy distribution only)
    spell: np.ndarray | None = None  # (start, end) seconds of an inactive spell, or (-1, -1)


def registration_days(chunk: Chunk, n: int) -> np.ndarray:
    """Registration day: a launch wave, then growth that follows the retail calendar."""
    clock = chunk.clock
    level = daily_intensity(clock.start, clock.end)
    trend = 0.5 + np.arange(clock.days) / clock.days
    weights = level * trend
    weights[:30] += 4 * weights.mean()  # existing customers join in the first month
    cdf = np.cumsum(weights) / weights.sum()
    return np.searchsorted(cdf, chunk.rng.random(n))


def generate_members(
    chunk: Chunk, recruitment: list[tuple[str, int, int]]
) -> tuple[pa.Table, pa.Table, MemberState]:
    """Members, identities and latent traits of one chunk.

    ``recruitment`` lists (campaign id, start second, end second) of recruitment campaigns.
    """
    rng, plan, n = chunk.rng, chunk.plan, chunk.size
    day = registration_days(chunk, n)
    registered = day * DAY + time_of_day(rng, n)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_SHARE)
    store_names, store_city = stores()
    city = rng.choice(len(CITIES), size=n, p=CITY_SHARE)
    store = np.full(n, -1)
    in_store = channel == 0
    # a store member's store is in their city
    for code in range(len(CITIES)):
        mine = np.flatnonzero(store_city == code)
        rows = np.flatnonzero(in_store & (city == code))
        store[rows] = rng.choice(mine, size=rows.size)
    gender = rng.choice(3, size=n, p=[0.58, 0.38, 0.04])
    age_days = rng.integers(18 * 365, 66 * 365, size=n)
    birthday = pa.array(
        (np.datetime64("2025-12-31") - age_days.astype("timedelta64[D]")).astype("datetime64[D]"),
        pa.date32(),
    )
    phone = pc.binary_join_element_wise(
        "1",
        pa.array(rng.choice([3, 5, 7, 8, 9], size=n).astype(str)),
        pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 10**9, size=n)), pa.string()), 9, "0"),
        "",
    )
    bg, gg = plan.bgnbd, plan.gamma_gamma
    lam = rng.gamma(bg.r, 1 / bg.alpha, size=n)
    p = rng.beta(bg.a, bg.b, size=n)
    nu = rng.gamma(gg.q, 1 / gg.v, size=n)
    # heavy buyers collect more points and are more likely to redeem them (selection, known)
    quantile = stats.gamma.cdf(lam, bg.r, scale=1 / bg.alpha)
    single = spell = None
    if plan.distribution == "heavy":  # drawn after the others: the BG/NBD stream is unchanged
        heavy = plan.heavy
        z = rng.standard_normal(n)
        lam = heavy.median_rate * np.exp(heavy.sigma * z)
        quantile = stats.norm.cdf(z)
        single = rng.random(n) < heavy.one_order_share
        spell = _spells(chunk, n, registered)
    redeemer = rng.random(n) < 0.12 + 0.55 * quantile
    referrer = np.full(n, -1)
    global_number = np.arange(chunk.lo, chunk.hi)
    referred = (rng.random(n) < 0.08) & (global_number > 0)
    referrer[referred] = (rng.random(referred.sum()) * global_number[referred]).astype(np.int64)
    source_campaign = np.full(n, -1)
    for code, (_, lo, hi) in enumerate(recruitment):
        joined = (registered >= lo) & (registered <= hi) & (rng.random(n) < 0.5)
        source_campaign[joined] = code
    recruit_ids = tuple(c for c, _, _ in recruitment) or ("",)

    member_id = chunk.member_ids(np.arange(n))
    members = pa.table(
        {
            "member_id": member_id,
            "registered_at": timestamps(chunk.clock.start, registered),
            "channel": pick(CHANNELS, channel),
            "store_id": pick(tuple(store_names), store),
            "city": pick(CITIES, city),
            "gender": pick(GENDERS, gender),
            "birthday": birthday,
            "phone": phone,
            "source_campaign_id": pick(recruit_ids, source_campaign),
            "referrer_id": pc.if_else(
                pa.array(referrer >= 0),
                ids("M", referrer + 1, chunk.width),
                pa.nulls(n, pa.string()),
            ),
        }
    )
    identities, has_app = _identities(chunk, channel, member_id)
    state = MemberState(
        registered,
        channel,
        store,
        city,
        lam,
        p,
        nu,
        redeemer,
        referrer,
        has_app,
        source_campaign,
        single,
        spell,
    )
    return members, identities, state


def _spells(chunk: Chunk, n: int, registered: np.ndarray) -> np.ndarray:
    """(start, end) seconds of one long inactive spell per member of a share, else (-1, -1)."""
    rng, heavy, clock = chunk.rng, chunk.plan.heavy, chunk.clock
    low, high = heavy.spell_days
    length = rng.integers(low, high + 1, n) * DAY
    begin = registered + (rng.random(n) * np.maximum(clock.horizon - registered, 0)).astype(
        np.int64
    )
    has = rng.random(n) < heavy.spell_share
    spell = np.full((n, 2), -1, np.int64)
    spell[has, 0] = begin[has]
    spell[has, 1] = begin[has] + length[has]
    return spell


def _identities(
    chunk: Chunk, channel: np.ndarray, member_id: pa.Array
) -> tuple[pa.Table, np.ndarray]:
    rng, n = chunk.rng, chunk.size
    parts = []
    has_app = np.isin(channel, (1, 2))
    number = np.arange(chunk.lo, chunk.hi, dtype=np.int64)
    for code, name in enumerate(CHANNELS):
        holds = (channel == code) | (rng.random(n) < EXTRA_CHANNEL_SHARE[name])
        if name in ("mini_program", "app"):
            has_app |= holds
        rows = np.flatnonzero(holds)
        # a salted number per channel keeps external ids unique and unlike member ids
        external = ids(ID_PREFIX[name], number[rows] * 7 + 1_000_003 * (code + 1), 12)
        parts.append(
            pa.table(
                {
                    "member_id": member_id.take(pa.array(rows)),
                    "channel": pick((name,), np.zeros(rows.size, np.int32)),
                    "external_id": external,
                }
            )
        )
    return pa.concat_tables(parts), has_app
