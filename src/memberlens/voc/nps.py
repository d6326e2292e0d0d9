"""NPS with its 95 % interval (DESIGN §13), and whether it predicts repurchase.

NPS = 100 (p₊ − p₋) over the n responses of a period, p₊ the share of promoters (9–10) and
p₋ of detractors (0–6). Each response is one draw of a multinomial (promoter, passive,
detractor) scored +1, 0, −1, so

    Var(NPS / 100) = (p₊ + p₋ − (p₊ − p₋)²) / n,

and the interval is NPS ± 1.96 × 100 × √Var, clipped to [−100, 100] (normal approximation;
with a few dozen responses the interval is wide, which is the point of showing n beside it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from memberlens.engine.expr import at_midnight
from memberlens.voc.adapter import GROUP, UNKNOWN, member_labels

if TYPE_CHECKING:
    from memberlens.dates.periods import Period
    from memberlens.engine.session import Session

Z95 = 1.959963984540054
REPURCHASE_DAYS = 90


@dataclass(frozen=True)
class Nps:
    """Promoter, passive and detractor counts, and the NPS with its interval."""

    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def value(self) -> float | None:
        if not self.n:
            return None
        return 100 * (self.promoters - self.detractors) / self.n

    def interval(self, z: float = Z95) -> tuple[float, float] | None:
        """The normal interval of the multinomial variance (see the module docstring)."""
        if not self.n:
            return None
        p, d = self.promoters / self.n, self.detractors / self.n
        half = z * 100 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / self.n)
        value = 100 * (p - d)
        return max(value - half, -100.0), min(value + half, 100.0)


def nps_rows(session: Session, period: Period, by: str | None = None) -> list[dict[str, Any]]:
    """DESIGN §13 rows ``{period, <by>, n, promoters, passives, detractors, nps, ci}``."""
    r = session.table("surveys")
    r = r.filter(
        r.nps.notnull() & (r.at >= at_midnight(period.first)) & (r.at < at_midnight(period.end))
    )
    if by is not None:
        labels = member_labels(session, period, by).rename(_member="member_id")
        r = r.left_join(labels, r.member_id == labels._member)
        r = r.mutate(**{GROUP: r[GROUP].fill_null(UNKNOWN)})
    counts = {
        "promoters": (r.nps >= 9).cast("int64").sum(),
        "passives": ((r.nps >= 7) & (r.nps <= 8)).cast("int64").sum(),
        "detractors": (r.nps <= 6).cast("int64").sum(),
    }
    expr = r.aggregate(**counts) if by is None else r.group_by(GROUP).aggregate(**counts)
    rows = session.rows(expr.order_by(GROUP) if by is not None else expr)
    out = []
    for row in rows:
        score = Nps(int(row["promoters"] or 0), int(row["passives"] or 0),
                    int(row["detractors"] or 0))  # fmt: skip
        interval = score.interval()
        shaped: dict[str, Any] = {"period": str(period)}
        if by is not None:
            shaped[by] = row[GROUP]
        value = score.value
        shaped |= {
            "n": score.n,
            "promoters": score.promoters,
            "passives": score.passives,
            "detractors": score.detractors,
            "nps": None if value is None else round(value, 2),
            "ci": None if interval is None else [round(interval[0], 2), round(interval[1], 2)],
        }
        out.append(shaped)
    return out


def repurchase_by_band(session: Session, period: Period) -> list[dict[str, Any]]:
    """Does NPS predict loyalty? Each member response in ``period`` against a paid order of the
    same member in the 90 days after it (responses whose 90 days reach past the last paid
    order in the data are left out, as their outcome is not known yet).

    Rows ``{band, n, repurchased, rate, low, high}`` for detractor, passive and promoter (the
    interval is Wilson's), and ``{band: "promoter - detractor", rate: difference, low, high,
    p_value}`` from :func:`memberlens.stats.groups.difference_of_proportions`.
    """
    from memberlens.facts.coverage import data_range
    from memberlens.facts.orders import paid_orders
    from memberlens.stats.groups import Proportion, difference_of_proportions

    span = data_range(session)
    if span is None:
        return []
    last_day = span[1]
    cutoff = min(period.end, last_day - timedelta(days=REPURCHASE_DAYS - 1))
    r = session.table("surveys")
    r = r.filter(
        r.nps.notnull()
        & r.member_id.notnull()
        & (r.at >= at_midnight(period.first))
        & (r.at < at_midnight(cutoff))
    )
    o = paid_orders(session).select(_m="member_id", _at="ordered_at")
    joined = r.left_join(
        o,
        (r.member_id == o._m) & (o._at > r.at) & (o._at <= r.at + ibis_days(REPURCHASE_DAYS)),
    )
    per = joined.group_by("response_id").aggregate(
        nps=joined.nps.max(), bought=joined._m.notnull().any()
    )
    band = (per.nps >= 9).ifelse("promoter", (per.nps <= 6).ifelse("detractor", "passive"))
    banded = per.mutate(band=band)
    summary = banded.group_by("band").aggregate(
        n=banded.count(), repurchased=banded.bought.cast("int64").sum()
    )
    found = {row["band"]: row for row in session.rows(summary)}
    rows: list[dict[str, Any]] = []
    parts = {}
    for name in ("detractor", "passive", "promoter"):
        row = found.get(name, {"n": 0, "repurchased": 0})
        part = Proportion(n=int(row["n"]), successes=int(row["repurchased"] or 0))
        parts[name] = part
        low, high = _wilson(part.successes, part.n)
        rows.append({"band": name, "n": part.n, "repurchased": part.successes,
                     "rate": part.value, "low": low, "high": high})  # fmt: skip
    diff = difference_of_proportions(parts["promoter"], parts["detractor"])
    rows.append({"band": "promoter - detractor", "n": parts["promoter"].n + parts["detractor"].n,
                 "repurchased": None, "rate": diff.estimate, "low": diff.low,
                 "high": diff.high, "p_value": diff.p_value})  # fmt: skip
    return rows


def ibis_days(days: int) -> Any:
    import ibis

    return ibis.interval(days=days)


def _wilson(successes: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    if not n:
        return None, None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half
