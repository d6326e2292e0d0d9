"""Voice of the customer: service tickets, NPS/CSAT surveys and social posts.

Every text comes from a template whose sentiment is known (``TEMPLATES``); ``truth.json``
lists them so a sentiment analysis can be scored against the truth.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pyarrow as pa

from memberlens.generate.base import Chunk, pick, timestamps
from memberlens.generate.calendar import DAY, Clock
from memberlens.generate.orders import Orders
from memberlens.generate.params import Plan
from memberlens.schema import TICKET_KINDS

BRAND = "悦享生活"

#: Complaint topics with their planted shares of complaint tickets, and their texts.
COMPLAINT_TOPICS: dict[str, tuple[float, tuple[str, ...]]] = {
    "points_not_credited": (
        0.4,
        (
            "积分没有到账，客服也不回复，太失望了",
            "上周的积分到现在还没到账",
            "Points from my last order never arrived and nobody answers.",
        ),
    ),
    "coupon_failure": (
        0.25,
        (
            "优惠券无法使用，结账时一直报错",
            "领的优惠券结账用不了",
            "The coupon failed at checkout again.",
        ),
    ),
    "staff_queue": (
        0.2,
        (
            "门店排队太久，店员态度很差",
            "收银排队半小时，店员很不耐烦",
            "The cashier was rude and the queue took forever.",
        ),
    ),
    "product_expired": (
        0.15,
        (
            "买到的商品已经过期了，要求退款",
            "商品临期过期，质量很差",
        ),
    ),
}
#: The emerging topic: complaints about the app crashing, only in one planted week.
EMERGING_TOPIC = "app_crash"
EMERGING_TEXTS = (
    "小程序更新后一直闪退，积分页面打不开",
    "新版小程序闪退，没法用积分",
    "The app crashes since the update, cannot open my points.",
)
EMERGING_RATE = 0.15  # app-crash complaints per paid order in the planted week
EMERGING_WEEKS_BEFORE_END = 6  # the planted week starts on the Monday this many weeks back

# (text, sentiment) — sentiment is positive, neutral or negative
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "complaint": tuple(
        (text, "negative") for _, texts in COMPLAINT_TOPICS.values() for text in texts
    )
    + tuple((text, "negative") for text in EMERGING_TEXTS),
    "suggestion": (
        ("希望积分可以兑换更多商品", "neutral"),
        ("建议小程序增加订单查询功能", "neutral"),
        ("Please add more rewards to the points catalogue.", "neutral"),
    ),
    "return": (
        ("商品有破损，申请退货", "negative"),
        ("尺寸不合适，想换货", "neutral"),
        ("The item arrived damaged, I want to return it.", "negative"),
    ),
    "inquiry": (
        ("请问积分什么时候过期？", "neutral"),
        ("会员等级怎么升级？", "neutral"),
        ("How do I upgrade to gold membership?", "neutral"),
    ),
    "promoter": (
        ("服务很好，积分兑换很方便，会推荐给朋友", "positive"),
        ("会员日优惠力度大，非常满意", "positive"),
        ("Great service and the points are easy to use!", "positive"),
        ("I love the member day deals, highly recommend.", "positive"),
    ),
    "passive": (
        ("整体还可以，价格有点贵", "neutral"),
        ("商品不错，就是活动规则有点复杂", "neutral"),
        ("It's fine, nothing special.", "neutral"),
    ),
    "detractor": (
        ("积分规则太复杂，过期了都不知道", "negative"),
        ("配送太慢，体验很差", "negative"),
        ("Too expensive and the app keeps crashing.", "negative"),
    ),
    "post_positive": (
        (f"今天在{BRAND}用积分换了一杯咖啡，开心！", "positive"),
        (f"{BRAND}的会员日真的划算，推荐大家去", "positive"),
        (f"Just redeemed my points at {BRAND}, love it!", "positive"),
    ),
    "post_neutral": (
        (f"{BRAND}双11有什么活动吗？", "neutral"),
        (f"有人知道{BRAND}金卡怎么升级吗", "neutral"),
    ),
    "post_negative": (
        (f"{BRAND}的积分又过期了，规则太坑", "negative"),
        (f"{BRAND} customer service is terrible.", "negative"),
    ),
}

TICKET_SHARE = np.array([0.5, 0.1, 0.15, 0.25])
POST_SOURCES = ("message_board", "weibo", "wechat", "review")


def _texts(rng: np.random.Generator, groups: np.ndarray, names: tuple[str, ...]) -> pa.Array:
    """A template text for each row of ``groups`` (an index into ``names``; -1: no text)."""
    flat: list[str] = []
    offsets = []
    for name in names:
        offsets.append(len(flat))
        flat.extend(text for text, _ in TEMPLATES[name])
    sizes = np.array([len(TEMPLATES[name]) for name in names])
    start = np.array(offsets)
    safe = np.maximum(groups, 0)
    choice = start[safe] + (rng.random(groups.size) * sizes[safe]).astype(np.int64)
    return pick(tuple(flat), np.where(groups >= 0, choice, -1))


def emerging_week(clock: Clock) -> tuple[int, int]:
    """Seconds since the start of the planted week's Monday and of the Monday after."""
    end = clock.start + timedelta(days=clock.days - 1)
    monday = end - timedelta(days=end.weekday() + 7 * EMERGING_WEEKS_BEFORE_END)
    first = (monday - clock.start).days * DAY
    return first, first + 7 * DAY


def _ticket_texts(rng: np.random.Generator, kind: np.ndarray, crashes: int) -> pa.Array:
    """Texts of tickets: complaints by planted topic (the last ``crashes`` are app crashes),
    the other kinds from their templates."""
    names = tuple(COMPLAINT_TOPICS)
    shares = np.array([COMPLAINT_TOPICS[t][0] for t in names])
    flat = [text for t in names for text in COMPLAINT_TOPICS[t][1]] + list(EMERGING_TEXTS)
    starts = np.cumsum([0] + [len(COMPLAINT_TOPICS[t][1]) for t in names])
    sizes = np.diff(starts)
    n = kind.size
    topic = rng.choice(len(names), n, p=shares)
    complaint = starts[topic] + (rng.random(n) * sizes[topic]).astype(np.int64)
    crash = starts[-1] + rng.integers(0, len(EMERGING_TEXTS), n)
    complaint = np.where(np.arange(n) >= n - crashes, crash, complaint)
    offset = len(flat)
    for name in TICKET_KINDS[1:]:
        flat.extend(text for text, _ in TEMPLATES[name])
    other_start = {name: offset + sum(len(TEMPLATES[k]) for k in TICKET_KINDS[1:i])
                   for i, name in enumerate(TICKET_KINDS[1:], 1)}  # fmt: skip
    codes = complaint.copy()
    for code, name in enumerate(TICKET_KINDS):
        if code == 0:
            continue
        rows = kind == code
        codes[rows] = other_start[name] + rng.integers(0, len(TEMPLATES[name]), int(rows.sum()))
    return pick(tuple(flat), codes)


def tickets(chunk: Chunk, orders: Orders) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    """Service tickets after some orders, and the planted complaint dropout.

    After each complaint the member stops buying with probability
    ``plan.complaint_dropout``: every later order of the member is removed (with the tickets
    about them). Returns the tickets, the rows of ``orders`` to keep, and the compensated
    (member, time) pairs for the ledger.
    """
    rng, clock = chunk.rng, chunk.clock
    base = np.flatnonzero(orders.paid & (rng.random(orders.member.size) < chunk.plan.ticket_rate))
    first, last = emerging_week(clock)
    week = (orders.at >= first) & (orders.at < last)
    crash = np.flatnonzero(orders.paid & week & (rng.random(orders.member.size) < EMERGING_RATE))
    paid = np.concatenate([base, crash])
    n = paid.size
    member = orders.member[paid]
    delay = np.where(
        np.arange(n) < base.size, rng.integers(3600, 72 * 3600, n), rng.integers(0, 3600, n)
    )
    opened = np.minimum(
        orders.at[paid] + delay, np.where(np.arange(n) < base.size, clock.horizon - 1, last - 1)
    )
    kind = np.concatenate(
        [rng.choice(4, base.size, p=TICKET_SHARE), np.zeros(crash.size, np.int64)]
    )
    hours = rng.lognormal(np.log(18), 1.0, n)
    resolved_at = opened + (hours * 3600).astype(np.int64)
    resolved = (rng.random(n) > 0.06) & (resolved_at < clock.horizon)
    satisfaction = np.clip(np.round(5.2 - 0.03 * hours + rng.normal(0, 0.8, n)), 1, 5).astype(
        np.int64
    )
    texts = _ticket_texts(rng, kind, crash.size)
    # the planted dropout: the member's first complaint that triggers it ends their buying
    triggers = (kind == 0) & (rng.random(n) < chunk.plan.complaint_dropout)
    stop = np.full(chunk.size, np.iinfo(np.int64).max)
    np.minimum.at(stop, member[triggers], opened[triggers])
    owner = np.maximum(orders.member, 0)
    keep_orders = (orders.member < 0) | (orders.at <= stop[owner])
    kept = keep_orders[paid]
    resolved_ts = timestamps(clock.start, resolved_at)
    table = pa.table(
        {
            "ticket_id": chunk.next_ids("tickets", "T", int(kept.sum()), 8),
            "member_id": chunk.member_ids(member[kept]),
            "opened_at": timestamps(clock.start, opened[kept]),
            "kind": pick(TICKET_KINDS, kind[kept]),
            "text": texts.filter(pa.array(kept)),
            "resolved_at": pa.array(
                resolved_ts.to_numpy(zero_copy_only=False)[kept],
                pa.timestamp("s"),
                mask=~resolved[kept],
            ),
            "satisfaction": pa.array(satisfaction[kept], pa.int64(), mask=~resolved[kept]),
        }
    )
    compensated = kept & resolved & (kind == 0) & (rng.random(n) < 0.3)
    return table, np.flatnonzero(keep_orders), member[compensated], resolved_at[compensated]


def surveys(chunk: Chunk, orders: Orders) -> pa.Table:
    """NPS/CSAT responses after some orders, with the planted NPS shares."""
    rng, plan, clock = chunk.rng, chunk.plan, chunk.clock
    picked = np.flatnonzero(orders.paid & (rng.random(orders.member.size) < 0.015))
    n = picked.size
    band = rng.choice(3, n, p=np.array(plan.nps_shares))  # 0 detractor, 1 passive, 2 promoter
    nps = np.select(
        [band == 0, band == 1],
        [rng.choice(7, n, p=[0.04, 0.04, 0.06, 0.1, 0.16, 0.25, 0.35]), rng.integers(7, 9, n)],
        rng.integers(9, 11, n),
    )
    csat = np.clip(
        np.select(
            [band == 0, band == 1],
            [rng.integers(1, 4, n), rng.integers(3, 5, n)],
            rng.integers(4, 6, n),
        ),
        1,
        5,
    )
    with_text = rng.random(n) < 0.4
    groups = np.where(with_text, band, -1)
    at = np.minimum(orders.at[picked] + rng.integers(3600, 48 * 3600, n), clock.horizon - 1)
    return pa.table(
        {
            "response_id": chunk.next_ids("responses", "R", n, 9),
            "member_id": chunk.member_ids(orders.member[picked]),
            "at": timestamps(clock.start, at),
            "nps": pa.array(nps, pa.int64()),
            "csat": pa.array(csat, pa.int64()),
            "text": _texts(rng, groups, ("detractor", "passive", "promoter")),
        }
    )


def posts(chunk: Chunk, orders: Orders) -> pa.Table:
    """Social posts about the brand by members (and some by non-members)."""
    rng, clock = chunk.rng, chunk.clock
    picked = np.flatnonzero(orders.paid & (rng.random(orders.member.size) < 0.004))
    n = picked.size
    outsiders = int(rng.poisson(0.3 * n))
    member = np.concatenate([orders.member[picked], np.full(outsiders, -1)])
    at = np.concatenate(
        [
            orders.at[picked] + rng.integers(600, 3 * DAY, n),
            rng.integers(0, clock.horizon, outsiders),
        ]
    )
    at = np.minimum(at, clock.horizon - 1)
    total = member.size
    mood = rng.choice(3, total, p=np.array(POST_MOOD_SHARES))
    member_id = chunk.member_ids(np.maximum(member, 0))
    import pyarrow.compute as pc

    return pa.table(
        {
            "post_id": chunk.next_ids("posts", "B", total, 8),
            "member_id": pc.if_else(pa.array(member >= 0), member_id, pa.nulls(total, pa.string())),
            "at": timestamps(clock.start, at),
            "source": pick(POST_SOURCES, rng.choice(4, total, p=[0.2, 0.35, 0.3, 0.15])),
            "text": _texts(rng, mood, ("post_positive", "post_neutral", "post_negative")),
            "shares": pa.array(rng.poisson(np.where(mood == 0, 3.0, 1.0)), pa.int64()),
            "likes": pa.array(rng.poisson(np.where(mood == 0, 12.0, 4.0)), pa.int64()),
        }
    )


def sentiment_truth() -> list[dict[str, str]]:
    return [
        {"text": text, "sentiment": mood, "group": group}
        for group, items in TEMPLATES.items()
        for text, mood in items
    ]


POST_MOOD_SHARES = (0.55, 0.25, 0.20)  # positive, neutral, negative posts


def voice_truth(clock: Clock, plan: Plan) -> dict[str, object]:
    """The planted facts of the texts, for truth.json."""
    first, _ = emerging_week(clock)
    return {
        "complaint_topics": {
            name: {"share": share, "texts": list(texts)}
            for name, (share, texts) in COMPLAINT_TOPICS.items()
        },
        "emerging": {
            "topic": EMERGING_TOPIC,
            "week_start": str(clock.start + timedelta(days=first // DAY)),
            "complaints_per_paid_order": EMERGING_RATE,
            "texts": list(EMERGING_TEXTS),
            "meaning": "app-crash complaints appear only in this ISO week",
        },
        "complaint_dropout": {
            "probability": plan.complaint_dropout,
            "meaning": "after each complaint ticket the member stops buying with this "
            "probability (every later order is removed); so among members who complained, "
            "the lapse rate over a later window is p + (1 - p) × the rate of similar members",
        },
        "post_sentiment_shares": dict(
            zip(("positive", "neutral", "negative"), POST_MOOD_SHARES, strict=True)
        ),
    }
