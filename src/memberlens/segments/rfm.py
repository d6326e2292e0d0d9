"""RFM segmentation as of a date (DESIGN §7), as one Ibis expression.

As of D (end of day D) the window is the paid member orders whose local date lies in
(D − window_days, D]. Members with at least one such order are scored:

* recency_days = D − the local date of the last paid order (whole days);
* frequency = paid orders in the window; monetary = their amount (``[rfm] monetary =
  "average"`` divides it by frequency, as FineBI does);
* recent = recency_days < threshold, frequent = frequency > threshold, high_value = monetary
  > threshold, the thresholds being the mean over scored members (or the median, or fixed).

The three flags give the eight Chinese segments (重要价值客户 …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from memberlens.config import Config, FixedThresholds
from memberlens.metrics.compute import at_midnight


@dataclass(frozen=True)
class Segment:
    id: str
    zh: str
    en: str
    code: str  # "RFM" flags, e.g. "101"


SEGMENTS: tuple[Segment, ...] = (
    Segment("important_value", "重要价值客户", "Important value", "111"),
    Segment("important_develop", "重要发展客户", "Important to develop", "101"),
    Segment("important_retain", "重要保持客户", "Important to retain", "011"),
    Segment("important_winback", "重要挽留客户", "Important to win back", "001"),
    Segment("general_value", "一般价值客户", "General value", "110"),
    Segment("general_develop", "一般发展客户", "General to develop", "100"),
    Segment("general_retain", "一般保持客户", "General to retain", "010"),
    Segment("general_winback", "一般挽留客户", "General to win back", "000"),
)


def scores(backend: Any, config: Config, as_of: date) -> ir.Table:
    """Per scored member: member_id, recency_days, frequency, monetary (before segmenting)."""
    window = config.rfm.window_days
    o = backend.table("orders")
    paid = o.filter(
        (o.status == "paid")
        & o.member_id.notnull()
        & (o.ordered_at >= at_midnight(as_of + timedelta(days=1 - window)))
        & (o.ordered_at < at_midnight(as_of + timedelta(days=1)))
    )
    # whole days between local dates, from epoch seconds of the dates (same on every engine)
    last_day = paid.ordered_at.truncate("D").epoch_seconds()
    per_member = paid.group_by("member_id").agg(
        last_day=last_day.max(), frequency=paid.count(), monetary=paid.amount.sum().cast("float64")
    )
    recency = (at_midnight(as_of).epoch_seconds() - per_member.last_day) / 86_400
    monetary = per_member.monetary
    if config.rfm.monetary == "average":
        monetary = monetary / per_member.frequency
    return per_member.select(
        "member_id",
        recency_days=recency.cast("int64"),
        frequency=per_member.frequency,
        monetary=monetary,
    )


def segmented(backend: Any, config: Config, as_of: date) -> ir.Table:
    """Scores with the thresholds applied: adds recent, frequent, high_value, segment, code."""
    s = scores(backend, config, as_of)
    threshold = config.rfm.threshold
    if isinstance(threshold, FixedThresholds):
        limits = ibis.memtable(
            {"r": [threshold.recency_days], "f": [threshold.frequency], "m": [threshold.monetary]}
        )
    else:
        how = "mean" if threshold == "mean" else "median"
        limits = s.aggregate(
            r=getattr(s.recency_days.cast("float64"), how)(),
            f=getattr(s.frequency.cast("float64"), how)(),
            m=getattr(s.monetary, how)(),
        )
    t = s.cross_join(limits)
    flags = t.mutate(
        recent=t.recency_days < t.r, frequent=t.frequency > t.f, high_value=t.monetary > t.m
    )
    code = (
        flags.recent.cast("int8").cast("string")
        + flags.frequent.cast("int8").cast("string")
        + flags.high_value.cast("int8").cast("string")
    )
    cases = [(code == seg.code, seg.id) for seg in SEGMENTS]
    return flags.mutate(code=code, segment=ibis.cases(*cases)).drop("r", "f", "m")


def rfm(backend: Any, config: Config, as_of: date, language: str = "zh") -> Any:
    """Rows (member_id, recency_days, frequency, monetary, segment, segment_name) as Polars."""
    import polars as pl

    frame = pl.from_arrow(
        backend.to_pyarrow(segmented(backend, config, as_of).order_by("member_id"))
    )
    assert isinstance(frame, pl.DataFrame)
    names = {s.id: (s.zh if language == "zh" else s.en) for s in SEGMENTS}
    return frame.select(
        "member_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        segment_name=pl.col("segment").replace_strict(names, default=None),
    )
