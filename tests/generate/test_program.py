"""The generated program: deterministic, loadable without loss, and true to its plan."""

from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

import memberlens as ml
from memberlens.generate import generate
from memberlens.schema import LOAD_ORDER, TABLES

Program = tuple[Path, dict[str, Any]]


def sql(folder: Path, query: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    for table in LOAD_ORDER:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM '{folder / table}.parquet'")
    return con.execute(query).fetchall()


def test_same_seed_same_program_other_seed_other_program(tmp_path: Path) -> None:
    generate(tmp_path / "a", 300, seed=1, chunk_size=100)
    generate(tmp_path / "b", 300, seed=1, chunk_size=100)
    generate(tmp_path / "c", 300, seed=2, chunk_size=100)
    for table in LOAD_ORDER:
        a, b, c = (pq.read_table(tmp_path / d / f"{table}.parquet") for d in "abc")
        assert a.equals(b), table
        if table != "campaigns":
            assert not a.equals(c), table


def test_every_table_has_its_canonical_columns(program: Program) -> None:
    folder, truth = program
    for table in LOAD_ORDER:
        names = pq.read_schema(folder / f"{table}.parquet").names
        assert names == list(TABLES[table].names), table
        assert truth["rows"][table] > 0, table
    assert truth["rows"]["members"] == 3000
    assert truth["rows"]["orders"] > 20_000  # about ten orders per member


def test_everything_loads_with_nothing_quarantined(demo_ws: ml.Workspace, program: Program) -> None:
    _, truth = program
    assert demo_ws.counts() == truth["rows"]
    assert demo_ws.quarantine().total == 0


def test_truth_records_the_planted_parameters(program: Program) -> None:
    _, truth = program
    assert truth["bgnbd"] == {"r": 0.55, "alpha": 14.0, "a": 0.8, "b": 4.0, "time_unit": "day"}
    assert truth["gamma_gamma"]["p"] == 4.5
    assert truth["anomaly"]["date"] == "2025-08-19" and truth["anomaly"]["duplicate_entries"] > 0
    assert truth["experiment"]["lift"] == 0.05
    assert {c["kind"] for c in truth["campaigns"].values()} >= {
        "coupon",
        "winback",
        "double_points",
    }
    assert truth["nps"]["expected_nps"] == 20.0
    assert {t["sentiment"] for t in truth["sentiment"]} == {"positive", "neutral", "negative"}
    names = {p["name"] for p in truth["seasonality"]["peaks"]}
    assert names == {"spring_festival", "618", "double11", "double12"}


def test_the_anomaly_day_issues_purchase_points_twice(program: Program) -> None:
    folder, truth = program
    rows = sql(
        folder,
        """
        SELECT CAST(p."at" AS DATE) AS day, count(*) AS entries,
               count(DISTINCT p.order_id) AS orders
        FROM points p WHERE p.kind = 'earn' AND p.source = 'purchase'
        GROUP BY day""",
    )
    by_day = {str(d): (e, o) for d, e, o in rows}
    entries, orders = by_day[truth["anomaly"]["date"]]
    assert entries == 2 * orders and truth["anomaly"]["duplicate_entries"] == orders
    assert all(e == o for day, (e, o) in by_day.items() if day != truth["anomaly"]["date"])


def test_points_balances_never_go_negative_and_expiry_is_fifo(program: Program) -> None:
    folder, _ = program
    [(negative,)] = sql(
        folder,
        """
        SELECT count(*) FROM (
            SELECT sum(points) OVER (PARTITION BY member_id ORDER BY "at", points DESC
                                     ROWS UNBOUNDED PRECEDING) AS balance FROM points)
        WHERE balance < 0""",
    )
    assert negative == 0
    # FIFO: at the end of year Y+1 whatever is left of the points earned up to year Y expires,
    # so right after that instant the balance is at most what was earned in year Y+1
    rows = sql(
        folder,
        """
        WITH e AS (SELECT member_id, "at" AS expired_at FROM points WHERE kind = 'expire')
        SELECT e.member_id, e.expired_at,
               sum(p.points) FILTER (WHERE p."at" <= e.expired_at) AS balance_after,
               sum(p.points) FILTER (WHERE p.points > 0 AND year(p."at") = year(e.expired_at)
                                     AND p."at" <= e.expired_at) AS earned_that_year
        FROM e JOIN points p USING (member_id) GROUP BY ALL""",
    )
    assert rows and all(balance <= (earned or 0) for _, _, balance, earned in rows)


def test_order_lines_add_up_to_the_order(program: Program) -> None:
    folder, _ = program
    [(mismatches, orders)] = sql(
        folder,
        """
        SELECT count(*) FILTER (WHERE abs(o.amount - i.total) > 0.001), count(*)
        FROM orders o JOIN (SELECT order_id, sum(amount) AS total FROM order_items GROUP BY 1) i
        USING (order_id)""",
    )
    assert orders > 0 and mismatches == 0


def test_shopping_peaks_on_double_eleven(program: Program) -> None:
    folder, _ = program
    rows = sql(
        folder,
        """
        SELECT CAST(ordered_at AS DATE), count(*) FROM orders
        WHERE ordered_at >= '2025-10-01' AND ordered_at < '2025-12-01' GROUP BY 1""",
    )
    counts = {str(d): n for d, n in rows}
    assert counts["2025-11-11"] > 2 * float(np.median(list(counts.values())))


def test_redeemers_buy_more_often_as_planted(program: Program) -> None:
    folder, truth = program
    assert truth["points"]["redeemer_rate_ratio"] > 1.5
    [(redeemers, others)] = sql(
        folder,
        """
        WITH r AS (SELECT DISTINCT member_id FROM points WHERE kind = 'redeem'),
             n AS (SELECT member_id, count(*) AS orders FROM orders WHERE status = 'paid'
                   AND member_id IS NOT NULL GROUP BY 1)
        SELECT avg(orders) FILTER (WHERE member_id IN (SELECT member_id FROM r)),
               avg(orders) FILTER (WHERE member_id NOT IN (SELECT member_id FROM r)) FROM n""",
    )
    assert redeemers > 2 * others


def test_campaign_touches_have_ten_percent_holdouts(program: Program) -> None:
    folder, _ = program
    [(share,)] = sql(
        folder,
        """SELECT avg(CASE WHEN "group" = 'holdout' THEN 1 ELSE 0 END)
                                FROM campaign_touches""",
    )
    assert share == pytest.approx(0.10, abs=0.02)
