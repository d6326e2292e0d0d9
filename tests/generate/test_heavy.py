"""The second distribution: heavier tails, one-order buyers, long inactive spells — and the
demo program's random stream untouched by its existence."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from memberlens.generate import generate
from memberlens.generate.params import HeavyTail

MEMBERS = 4_000


def paid_orders_per_buyer(folder: Path) -> pl.DataFrame:
    orders = pl.read_parquet(folder / "orders.parquet")
    paid = orders.filter((pl.col("status") == "paid") & pl.col("member_id").is_not_null())
    return (
        paid.sort("ordered_at")
        .group_by("member_id")
        .agg(
            orders=pl.len(),
            longest_gap=pl.col("ordered_at").diff().dt.total_days().max(),
        )
    )


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame]:
    root = tmp_path_factory.mktemp("distributions")
    generate(root / "bgnbd", MEMBERS, seed=7, chunk_size=2_000)
    truth = generate(root / "heavy", MEMBERS, seed=7, chunk_size=2_000, distribution="heavy")
    plan = truth["plan"]
    assert plan["distribution"] == "heavy" and plan["heavy"]["one_order_share"] == 0.35
    return paid_orders_per_buyer(root / "bgnbd"), paid_orders_per_buyer(root / "heavy")


def test_one_order_buyers_are_at_least_the_planted_share(
    both: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    bgnbd, heavy = both
    single = (heavy["orders"] == 1).mean()
    assert single >= HeavyTail().one_order_share  # planted, plus those who never got round
    assert single > (bgnbd["orders"] == 1).mean() + 0.1


def test_the_tail_is_heavier(both: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    bgnbd, heavy = both

    # the top 1 % of buyers hold a larger share of the orders
    def top_share(frame: pl.DataFrame) -> float:
        counts = frame["orders"].sort(descending=True)
        return float(counts.head(max(1, len(counts) // 100)).sum() / counts.sum())

    assert top_share(heavy) > 1.3 * top_share(bgnbd)


def test_long_inactive_spells(both: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    bgnbd, heavy = both

    def spelled(frame: pl.DataFrame) -> float:
        repeaters = frame.filter(pl.col("orders") >= 3)
        return float((repeaters["longest_gap"] >= 120).mean())

    assert spelled(heavy) > spelled(bgnbd) + 0.05


def test_an_unknown_distribution_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="heavy"):
        generate(tmp_path, 10, distribution="pareto")
