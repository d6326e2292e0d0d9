"""Generate a whole synthetic loyalty program, chunk by chunk, into Parquet files.

Members are generated in blocks of ``chunk_size``; each block is independent given its own
seed (spawned from the program seed), so memory stays bounded at any program size and the
output is the same for the same seed, size and chunk size. Each table is one Parquet file
with a row group per block. ``truth.json`` records every planted parameter and effect.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from memberlens.generate.base import Chunk, Counters
from memberlens.generate.calendar import DAY, WEEKDAY, Clock, peaks
from memberlens.generate.engagement import (
    EXPERIMENT_ID,
    EXPERIMENT_START,
    assign_experiment,
    campaigns_table,
    catalogue,
    events,
    touch_campaigns,
)
from memberlens.generate.members import generate_members
from memberlens.generate.orders import base_purchases, build_orders, order_items, orders_table
from memberlens.generate.params import DISTRIBUTIONS, Plan
from memberlens.generate.points import ledger, points_table
from memberlens.generate.voice import posts, sentiment_truth, surveys, tickets, voice_truth
from memberlens.progress import Progress, Silent
from memberlens.schema import LOAD_ORDER

TRUTH_FILE = "truth.json"
DEFAULT_CHUNK = 200_000


class _Writers:
    """One Parquet writer per table, opened on the first batch."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = dict.fromkeys(LOAD_ORDER, 0)

    def write(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(self.out / f"{name}.parquet", table.schema)
        self.writers[name].write_table(table, row_group_size=1 << 20)
        self.rows[name] += table.num_rows

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


def generate(
    out: str | Path,
    members: int,
    *,
    seed: int = Plan.seed,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Progress | None = None,
    distribution: str = "bgnbd",
) -> dict[str, Any]:
    """Write every canonical table of a program of ``members`` members into ``out``.

    ``distribution`` is ``"bgnbd"`` (the demo program: BG/NBD purchases, Gamma-Gamma spend)
    or ``"heavy"`` (:class:`~memberlens.generate.params.HeavyTail`: log-normal rates,
    one-order buyers and long inactive spells — a second program to measure against).
    Returns the truth (also written to ``out/truth.json``).

    Examples
    --------
    >>> from memberlens.generate import generate
    >>> truth = generate("/tmp/demo-data", members=1000)  # doctest: +SKIP
    >>> truth["bgnbd"]["r"]                                 # doctest: +SKIP
    0.55
    """
    if members < 1:
        raise ValueError(f"members must be at least 1 (got {members})")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution {distribution!r}: choose one of {', '.join(DISTRIBUTIONS)}")
    plan = Plan(members=members, seed=seed, distribution=distribution)
    clock = Clock.build(plan.start, plan.end)
    campaigns = catalogue(clock)
    campaign_ids = tuple(c.id for c in campaigns)
    recruitment = [(c.id, c.start, c.end) for c in campaigns if c.kind == "recruitment"]
    chunks = math.ceil(members / chunk_size)
    seeds = np.random.SeedSequence(seed).spawn(chunks)
    counters = Counters()
    width = max(8, len(str(members)))
    writers = _Writers(folder)
    stats = _Stats(len(campaigns))
    bar = progress or Silent()
    bar.start("generating members", members, "members")
    try:
        for index in range(chunks):
            lo, hi = index * chunk_size, min(members, (index + 1) * chunk_size)
            chunk = Chunk(
                plan, clock, index, lo, hi, np.random.default_rng(seeds[index]), counters, width
            )
            member_t, identity_t, state = generate_members(chunk, recruitment)
            bought_by, bought_at = base_purchases(chunk, state)
            touches = touch_campaigns(chunk, state, campaigns, bought_by, bought_at)
            experiment_t, tested_by, tested_at = assign_experiment(chunk, state)
            orders = build_orders(
                chunk,
                state,
                np.concatenate([bought_by, touches.member, tested_by]),
                np.concatenate([bought_at, touches.at, tested_at]),
                np.concatenate(
                    [np.full(bought_by.size, -1), touches.campaign, np.full(tested_by.size, -1)]
                ),
            )
            # tickets first: a complaint may end the member's buying (the planted dropout)
            ticket_t, kept, compensated_by, compensated_at = tickets(chunk, orders)
            orders = orders.take(kept)
            order_id = chunk.next_ids("orders", "O", orders.member.size, 10)
            event_t, signed_by, signed_at = events(chunk, state, orders, touches)
            entries = ledger(
                chunk,
                state,
                orders,
                campaigns,
                (signed_by, signed_at),
                (compensated_by, compensated_at),
            )
            writers.write("members", member_t)
            writers.write("identities", identity_t)
            writers.write("orders", orders_table(chunk, orders, order_id, campaign_ids))
            writers.write("order_items", order_items(chunk, orders, order_id))
            writers.write("points", points_table(chunk, entries, order_id, campaign_ids))
            writers.write("events", event_t)
            writers.write("campaign_touches", touches.table)
            writers.write("experiments", experiment_t)
            writers.write("tickets", ticket_t)
            writers.write("surveys", surveys(chunk, orders))
            writers.write("posts", posts(chunk, orders))
            stats.add(state, touches, campaign_ids, entries, plan, clock)
            bar.update(hi)
        touched = dict(zip(campaign_ids, stats.touches.tolist(), strict=True))
        writers.write("campaigns", campaigns_table(campaigns, clock, touched))
    finally:
        writers.close()
        bar.finish()
    truth = _truth(plan, clock, campaigns, stats, writers.rows)
    (folder / TRUTH_FILE).write_text(
        json.dumps(truth, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return truth


class _Stats:
    """Running totals behind the known effects in truth.json."""

    def __init__(self, campaigns: int) -> None:
        self.touches = np.zeros(campaigns, np.int64)
        self.redeemers = 0
        self.members = 0
        self.lam_redeemers = 0.0
        self.lam_others = 0.0
        self.anomaly_entries = 0
        self.anomaly_points = 0

    def add(
        self,
        state: Any,
        touches: Any,
        campaign_ids: tuple[str, ...],
        entries: Any,
        plan: Plan,
        clock: Clock,
    ) -> None:
        self.members += state.redeemer.size
        self.redeemers += int(state.redeemer.sum())
        self.lam_redeemers += float(state.lam[state.redeemer].sum())
        self.lam_others += float(state.lam[~state.redeemer].sum())
        codes = touches.table.column("campaign_id").to_numpy(zero_copy_only=False)
        for i, cid in enumerate(campaign_ids):
            self.touches[i] += int((codes == cid).sum())
        day = (plan.anomaly_day - clock.start).days
        on_day = (entries.kind == 0) & (entries.source == 0) & (entries.at // DAY == day)
        # half of that day's purchase earn entries are the duplicates
        self.anomaly_entries += int(on_day.sum()) // 2
        self.anomaly_points += int(entries.points[on_day].sum()) // 2


def _truth(
    plan: Plan, clock: Clock, campaigns: list[Any], stats: _Stats, rows: dict[str, int]
) -> dict[str, Any]:
    others = stats.members - stats.redeemers
    detractor, _, promoter = plan.nps_shares
    return {
        "plan": plan.truth(),
        "bgnbd": {**plan.truth()["bgnbd"], "time_unit": "day"},
        "gamma_gamma": {**plan.truth()["gamma_gamma"], "mean_spend": plan.gamma_gamma.mean_spend},
        "seasonality": {
            "peaks": [
                {"name": p.name, "date": str(p.day), "height": p.height}
                for p in peaks(clock.start, clock.end)
            ],
            "weekday_multipliers_monday_first": WEEKDAY.tolist(),
        },
        "points": {
            "earn_per_currency": plan.earn_per_currency,
            "expiry": "points earned in year Y expire at 23:59:59 on 31 December of Y + 1 (FIFO)",
            "redeem_block": plan.redeem_block,
            "redeemer_share": stats.redeemers / max(stats.members, 1),
            # redeemers are drawn more often among heavy buyers: a selection effect
            "redeemer_rate_ratio": (stats.lam_redeemers / max(stats.redeemers, 1))
            / (stats.lam_others / max(others, 1)),
        },
        "campaigns": {
            c.id: {
                "kind": c.kind,
                "lift": c.lift,
                "window_days": c.window_days,
                "reach": c.reach,
                "holdout_share": 0.10 if c.targeted else None,
                "touches": int(stats.touches[i]),
            }
            for i, c in enumerate(campaigns)
        },
        "experiment": {
            "id": EXPERIMENT_ID,
            "assigned_on": str(EXPERIMENT_START),
            "control": "control",
            "treatment": "treatment",
            "lift": plan.experiment_lift,
            "window_days": plan.experiment_window_days,
            "meaning": "treatment members make one extra order in the window with this probability",
        },
        "points_effect": {
            "effect_on_orders": 0.0,
            "meaning": "redeeming points changes no member's purchase rate; redeemers are "
            "drawn more often among heavy buyers (redeemer_rate_ratio), so a naive comparison "
            "overstates the effect",
        },
        "anomaly": {
            "kind": "points_issued_twice",
            "date": str(plan.anomaly_day),
            "duplicate_entries": stats.anomaly_entries,
            "duplicate_points": stats.anomaly_points,
        },
        "nps": {
            "detractor_share": detractor,
            "promoter_share": promoter,
            "expected_nps": round(100 * (promoter - detractor), 2),
        },
        "sentiment": sentiment_truth(),
        "voice": voice_truth(clock, plan),
        "rows": rows,
    }
