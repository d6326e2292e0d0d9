"""The planted truths of the demo program: every parameter a later analysis should recover.

They are written to ``truth.json`` beside the data (see :mod:`memberlens.generate.program`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class BgNbd:
    """Fader, Hardie & Lee (2005): λ ~ Gamma(r, α) per day, dropout p ~ Beta(a, b)."""

    r: float = 0.55
    alpha: float = 14.0
    a: float = 0.8
    b: float = 4.0


@dataclass(frozen=True)
class GammaGamma:
    """Fader, Hardie & Lee (2005): spend z ~ Gamma(p, ν), ν ~ Gamma(q, v) (rates)."""

    p: float = 4.5
    q: float = 3.8
    v: float = 85.0

    @property
    def mean_spend(self) -> float:
        return self.p * self.v / (self.q - 1)


@dataclass(frozen=True)
class HeavyTail:
    """The second distribution (``distribution = "heavy"``), for checking that speed and
    accuracy hold beyond the BG/NBD program: purchase rates log-normal (a heavier tail than
    the Gamma), a share of buyers who never buy again, and long inactive spells (a share of
    members buy nothing for 120–400 days somewhere in the program's life)."""

    median_rate: float = 0.012  # purchases per operational day, the median member
    sigma: float = 1.5  # of log λ
    one_order_share: float = 0.35  # buyers who never make a repeat purchase
    spell_share: float = 0.30  # members with one long inactive spell
    spell_days: tuple[int, int] = (120, 400)


DISTRIBUTIONS = ("bgnbd", "heavy")


@dataclass(frozen=True)
class Plan:
    """Everything that shapes a generated program; the defaults are the demo's."""

    members: int
    seed: int = 20251231
    start: date = date(2022, 1, 1)
    end: date = date(2025, 12, 31)
    bgnbd: BgNbd = field(default_factory=BgNbd)
    gamma_gamma: GammaGamma = field(default_factory=GammaGamma)
    distribution: str = "bgnbd"  # or "heavy": see HeavyTail (bgnbd is then not the truth)
    heavy: HeavyTail = field(default_factory=HeavyTail)
    buyer_share: float = 0.85  # members who ever make a first purchase
    same_day_first_purchase: float = 0.6
    non_member_order_share: float = 0.30  # non-member orders per member order
    refund_share: float = 0.03
    cancel_share: float = 0.01
    earn_per_currency: float = 1.0
    redeem_block: int = 500
    sign_in_points: int = 5
    referral_points: int = 200
    complaint_compensation: int = 100
    ticket_rate: float = 0.02  # service tickets per paid member order (half are complaints)
    complaint_dropout: float = 0.3  # after a complaint the member stops buying with this chance
    anomaly_day: date = date(2025, 8, 19)
    experiment_lift: float = 0.05
    experiment_window_days: int = 14
    nps_shares: tuple[float, float, float] = (0.25, 0.30, 0.45)  # detractor, passive, promoter

    def truth(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("start", "end", "anomaly_day"):
            data[key] = str(data[key])
        return data
