"""FIFO vintages, curves, projected expiry, breakage and reactivation on tests/points/ledger.py.

The ledger's module docstring lays out every member's FIFO intervals; the numbers below are
worked out from them by hand.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl
import pytest

import memberlens as ml
from memberlens.errors import InputError, WorkspaceError
from memberlens.points import fifo
from memberlens.points.vintages import to_polars

AS_OF = "2025-01-31"


def _by(frame: pl.DataFrame, key: str, *columns: str) -> dict[Any, tuple[Any, ...]]:
    return {row[key]: tuple(row[c] for c in columns) for row in frame.iter_rows(named=True)}


def test_allocation_pieces(book: ml.Workspace) -> None:
    with book.session() as session:
        a = to_polars(session, fifo.allocations(session, date(2025, 1, 31)))
    pieces = {(r["batch_id"], r["consume_id"]): r["points"] for r in a.iter_rows(named=True)}
    assert pieces == {
        # AR1 = 170 spans three batches: all of A1 and A2, 20 of A3
        ("A1", "AR1"): 100,
        ("A2", "AR1"): 50,
        ("A3", "AR1"): 20,
        ("A3", "AJ2"): 10,  # the negative adjust is consumed FIFO like a redemption
        ("A3", "AX1"): 10,  # the ledger's own expire entry, not re-derived
        ("AJ1", "AR2"): 30,  # the positive adjust is a batch
        ("A4", "AR2"): 20,
        ("B1", "BR1"): 50,
        ("B1", "BR2"): 50,
        ("B1", "BX1"): 100,
        ("C1", "CR1"): 50,
        (None, "CR1"): 30,  # C consumed 80 of 50 earned: 30 unallocated
        ("D1", "DX1"): 120,
    }
    # total allocated (with the unallocated 30) = total consumed = 170+10+10+50+200+80+120
    assert sum(pieces.values()) == 640
    with book.session() as session:
        over = to_polars(session, fifo.overdrawn(session, date(2025, 1, 31)))
    assert over.to_dicts() == [{"member_id": "C", "unallocated": 30}]


def test_batch_vintages(book: ml.Workspace) -> None:
    v = book.points.vintages(AS_OF, detail=True)
    got = _by(v, "batch_id", "issue_month", "issued", "redeemed", "expired", "adjusted", "open")
    assert got == {
        "A1": ("2023-01", 100, 100, 0, 0, 0),
        "A2": ("2023-02", 50, 50, 0, 0, 0),
        "A3": ("2023-03", 40, 20, 10, 10, 0),
        "AJ1": ("2023-04", 30, 30, 0, 0, 0),
        "A4": ("2024-05", 60, 20, 0, 0, 40),
        "B1": ("2023-01", 200, 100, 100, 0, 0),
        "B2": ("2024-02", 100, 0, 0, 0, 100),
        "C1": ("2024-03", 50, 50, 0, 0, 0),
        "D1": ("2023-05", 120, 0, 120, 0, 0),
        "D2": ("2024-06", 70, 0, 0, 0, 70),
        "E1": ("2024-07", 600, 0, 0, 0, 600),
        "F1": ("2024-01", 900, 0, 0, 0, 900),
        "G1": ("2024-02", 80, 0, 0, 0, 80),
        "HJ1": ("2024-12", 25, 0, 0, 0, 25),
    }
    # per member, open = balance except for the overdrawn C (balance −30, open 0)
    balances = book.table("points").group_by("member_id").agg(pl.col("points").sum())
    open_ = v.group_by("member_id").agg(pl.col("open").sum())
    joined = balances.join(open_, on="member_id").filter(pl.col("member_id") != "C")
    assert (joined["points"] == joined["open"]).all()


def test_vintages_as_of_an_earlier_date(book: ml.Workspace) -> None:
    # As of 2023-03-31 only A1–A3, B1 and AR1 exist: A3 is partly redeemed (20 of 40).
    v = book.points.vintages("2023-03-31", detail=True)
    assert _by(v, "batch_id", "redeemed", "open") == {
        "A1": (100, 0),
        "A2": (50, 0),
        "A3": (20, 20),
        "B1": (0, 200),
    }


def test_month_vintages(book: ml.Workspace) -> None:
    m = book.points.vintages(AS_OF)
    got = _by(m, "issue_month", "batches", "members", "issued", "redeemed", "expired", "open")
    assert got["2023-01"] == (2, 2, 300, 200, 100, 0)  # A1 + B1
    assert got["2024-02"] == (2, 2, 180, 0, 0, 180)  # B2 + G1
    assert m.filter(pl.col("issue_month") == "2023-03")["expired_share"][0] == 0.25  # 10/40
    assert m["issued"].sum() == 2425
    assert m["open"].sum() == 1815


def test_curves(book: ml.Workspace) -> None:
    c = book.points.curves(AS_OF)
    jan = c.filter(pl.col("issue_month") == "2023-01")
    # 2023-01 (300 issued) is 24 months old at 2025-01: rows k = 0 … 24.
    # A1 redeemed at k=2 (100), B1 at k=5 (50) and k=10 (50), expired at k=23 (100).
    assert jan["months_since_issue"].to_list() == list(range(25))
    redeemed = dict(zip(jan["months_since_issue"], jan["redeemed"], strict=True))
    expired = dict(zip(jan["months_since_issue"], jan["expired"], strict=True))
    assert [redeemed[k] for k in (0, 1, 2, 4, 5, 9, 10, 24)] == [0, 0, 100, 100, 150, 150, 200, 200]
    assert [expired[k] for k in (22, 23, 24)] == [0, 100, 100]
    last = jan.row(24, named=True)
    assert last["redeemed_share"] == pytest.approx(2 / 3)
    assert last["expired_share"] == pytest.approx(1 / 3)
    assert last["open_share"] == 0
    mar = c.filter(pl.col("issue_month") == "2023-03")
    # A3 (40): 20 redeemed at k=0, 10 adjusted at k=3, 10 expired at k=21 (2024-12)
    assert _by(mar, "months_since_issue", "redeemed", "adjusted", "expired")[3] == (20, 10, 0)
    assert mar.filter(pl.col("months_since_issue") == 21)["open_share"][0] == 0
    assert mar.filter(pl.col("months_since_issue") == 20)["open_share"][0] == 0.25
    # the newest month, 2024-12 (HJ1), has only k = 0 … 1
    assert c.filter(pl.col("issue_month") == "2024-12")["months_since_issue"].to_list() == [0, 1]


def test_projected_expiry(book: ml.Workspace) -> None:
    e = book.points.expiry(AS_OF)
    # D is a month end, so the months are 2025-02 … 2026-01
    assert e["bucket"].to_list() == [
        "overdue",
        *(f"2025-{m:02d}" for m in range(2, 13)),
        "2026-01",
        "later",
        "never",
    ]
    rows = _by(e, "bucket", "points", "batches", "members")
    assert rows["overdue"] == (80, 1, 1)  # G1 expired 2024-12-31 with no expire entry
    assert rows["2025-06"] == (600, 1, 1)  # E1
    assert rows["2025-12"] == (1110, 4, 4)  # A4 40 + B2 100 + D2 70 + F1 900
    assert rows["never"] == (25, 1, 1)  # HJ1: an adjust without expires_at
    assert rows["2025-02"] == (0, 0, 0)
    assert e["points"].sum() == 1815
    assert e.filter(pl.col("bucket") == "2025-12")["value"][0] == pytest.approx(11.10)
    # mid-month: the rest of January is a bucket of its own, then 12 months
    mid = book.points.expiry("2025-01-15")
    assert mid["bucket"][1] == "2025-01" and mid["bucket"][-3] == "2026-01"


def test_breakage(book: ml.Workspace) -> None:
    b = book.points.breakage(AS_OF)
    # Mature: 2023-01, -02, -03, -05 (all expiry dates passed). 2023-04 holds only AJ1,
    # which has no expires_at, so it never matures. Pool: issued 300 + 50 + 40 + 120 = 510,
    # finally expired F = 100 + 10 + 120 = 230. All four are ≥ 20 months old, so every age
    # up to 12 pools all four.
    assert b.mature_months == ("2023-01", "2023-02", "2023-03", "2023-05")
    assert b.mature_issued == 510
    assert b.ultimate_rate == pytest.approx(230 / 510)
    # Used (redeemed + adjusted) by age k: k=1: 50 + 20 = 70; k=6…9: 100 + 50 + 50 + 20 + 10
    # = 230; k≥10: 280. Nothing expired before k=19. q(k) = F / (510 − used):
    #   q(1) = 230/440; q(6…9) = 230/280; q(10…12) = 230/230 = 1.
    rates = _by(b.by_age, "months_since_issue", "open_points", "breakage_rate")
    assert rates[1] == (25, pytest.approx(230 / 440))  # HJ1
    assert rates[6] == (600, pytest.approx(230 / 280))  # E1
    assert rates[7] == (70, pytest.approx(230 / 280))  # D2
    assert rates[8] == (40, pytest.approx(230 / 280))  # A4
    assert rates[11] == (180, pytest.approx(1.0))  # B2 + G1
    assert rates[12] == (900, pytest.approx(1.0))  # F1
    expected = Fraction(25 * 230, 440) + Fraction(710 * 230, 280) + 1080  # = 1676.28…
    assert b.open_points == 1815
    assert b.expected_points == pytest.approx(float(expected))
    assert b.expected_rate == pytest.approx(float(expected / 1815))
    # outstanding = sum of every entry = 1815 open − 30 overdrawn by C
    assert b.outstanding_points == 1785
    assert b.liability == pytest.approx(17.85)
    assert b.adjusted_points == pytest.approx(float(1785 * (1 - expected / 1815)))  # 136.42
    assert b.adjusted_liability == pytest.approx(1.3642468069)
    assert b.summary()["mature_months"] == "2023-01..2023-05"


def test_breakage_with_maturity_months(book: ml.Workspace) -> None:
    # 24 months old at 2025-01: only 2023-01 (300 issued, 100 finally expired)
    b = book.points.breakage(AS_OF, maturity_months=24)
    assert b.mature_months == ("2023-01",)
    assert b.ultimate_rate == pytest.approx(1 / 3)
    # age 1: nothing used yet in 2023-01 → q = 100/300; age 12: 200 used → q = 100/100
    rates = _by(b.by_age, "months_since_issue", "breakage_rate")
    assert rates[1] == (pytest.approx(1 / 3),)
    assert rates[12] == (pytest.approx(1.0),)


def test_reactivation(book: ml.Workspace) -> None:
    r = book.points.reactivation(AS_OF)
    # inactive_days 180: active since 2024-08-05 means A (AR2), E (order), F (event).
    # B's refunded order does not count; H's adjust is no activity (never active).
    assert _by(r.members, "member_id", "balance", "days_inactive") == {
        "B": (100, 365),  # last: the B2 earn on 2024-02-01
        "G": (80, 356),  # last: G1 2024-02-10
        "D": (70, 244),  # last: D2 2024-06-01
        "H": (25, None),
    }
    assert r.members["member_id"].to_list() == ["B", "G", "D", "H"]
    assert r.members["value"].to_list() == pytest.approx([1.0, 0.8, 0.7, 0.25])
    assert r.bands.to_dicts()[:2] == [
        {"band": "1–99", "members": 3, "points": 175, "value": pytest.approx(1.75)},
        {"band": "100–499", "members": 1, "points": 100, "value": pytest.approx(1.0)},
    ]
    assert r.bands["members"].to_list()[2:] == [0, 0, 0]
    custom = book.points.reactivation(AS_OF, bands=[50])
    assert _by(custom.bands, "band", "members") == {"1–49": (1,), "50+": (3,)}


def test_empty_ledger(ws: ml.Workspace) -> None:
    with pytest.raises(WorkspaceError, match="points ledger is empty"):
        ws.points.breakage(AS_OF)


def test_bad_input(book: ml.Workspace) -> None:
    with pytest.raises(InputError, match="starts on 2023-01-15"):
        book.points.vintages("2022-12-31")
    with pytest.raises(InputError, match="no issue month is mature"):
        book.points.breakage("2024-06-30")
    with pytest.raises(InputError, match="increasing positive edges"):
        book.points.reactivation(AS_OF, bands=[500, 100])
    with pytest.raises(InputError, match="2025-03-31"):
        book.points.curves("31/01/2025")
