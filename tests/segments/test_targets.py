"""Target lists: filters, masked phones, files, and errors, on a tiny program worked by hand."""

import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.segments.targets import COLUMNS, TargetRule

MEMBERS = """member_id,registered_at,channel,store_id,city,phone
A1,2023-01-01,store,S1,上海,13812341234
A2,2023-02-01,app,,北京,13900001111
A3,2023-03-01,store,S2,上海,15011112222
A4,2023-04-01,mini_program,,杭州,
A5,2024-05-01,app,,北京,18600000000
"""
ORDERS = """order_id,member_id,ordered_at,amount,status
O1,A1,2023-05-10 10:00,1200,paid
O2,A1,2023-06-10 10:00,600,paid
O3,A2,2024-01-15 10:00,400,paid
O4,A2,2024-02-10 10:00,400,paid
O5,A2,2024-03-20 10:00,400,paid
O6,A3,2024-03-01 10:00,50,paid
O7,A3,2024-03-30 10:00,999,refunded
O8,A4,2022-12-01 10:00,80,paid
"""
POINTS = """entry_id,member_id,at,kind,points
P1,A1,2023-06-10,earn,1800
P2,A1,2023-12-01,redeem,-1000
P3,A1,2024-04-05,earn,100
P4,A2,2024-03-20,earn,1200
P5,A2,2024-03-25,redeem,-900
P6,A3,2024-03-01,earn,50
P7,A4,2022-12-01,earn,600
"""
AS_OF = "2024-03-31"
# As of 2024-03-31 (RFM and value window 2023-04-01 … 2024-03-31):
#   A1 2 orders, 1800, last 2023-06-10 (recency 295); A2 3 orders, 1200, recency 11;
#   A3 1 order, 50 (the refund does not count), recency 30; A4's only order is older: unscored.
#   Means: recency 112, frequency 2, monetary 1016.67 → A1 001 important_winback,
#   A2 111 important_value, A3 100 general_develop.
# Tiers (silver: ≥ 1000 and ≥ 3 orders): A2 silver, the others normal; A5 joins in May: absent.
# Balances at the end of D: A1 1800 − 1000 = 800 (the April earn is later), A2 300, A3 50, A4 600.
# Value tiers (3 buyers; before-shares 0, 1/3, 2/3): A1 high, A2 medium, A3 low. Loyal (3 of
# six 30-day blocks): A2 (11, 50 and 76 days back: blocks 0, 1, 2); A1 none in 180 days.
# Groups: A1 at_risk, A2 potential, A3 low.


@pytest.fixture
def crm(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(("members", MEMBERS), ("orders", ORDERS), ("points", POINTS))


def _ids(frame: pl.DataFrame) -> list[str]:
    return frame["member_id"].to_list()


def test_every_member_with_its_columns(crm: ml.Workspace) -> None:
    frame = crm.segments.targets(AS_OF)
    assert frame.columns == list(COLUMNS)
    assert _ids(frame) == ["A1", "A2", "A3", "A4"]  # highest spend first; A5 not yet a member
    rows = {r["member_id"]: r for r in frame.iter_rows(named=True)}
    assert rows["A1"] == {
        "member_id": "A1",
        "phone": "138****1234",
        "city": "上海",
        "channel": "store",
        "store_id": "S1",
        "tier": "normal",
        "tier_name": "普通会员",
        "segment": "important_winback",
        "segment_name": "重要挽留客户",
        "value_tier": "high",
        "value_group": "at_risk",
        "balance": 800,
        "last_order_date": date(2023, 6, 10),
        "spend": 1800.0,
    }
    assert [rows[m]["balance"] for m in ("A2", "A3", "A4")] == [300, 50, 600]
    assert [rows[m]["segment"] for m in ("A2", "A3", "A4")] == [
        "important_value",
        "general_develop",
        None,
    ]
    assert [rows[m]["tier"] for m in ("A2", "A3", "A4")] == ["silver", "normal", "normal"]
    assert [rows[m]["value_group"] for m in ("A2", "A3", "A4")] == ["potential", "low", None]
    assert rows["A4"]["phone"] is None and rows["A4"]["spend"] == 0.0
    assert rows["A4"]["last_order_date"] == date(2022, 12, 1)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (TargetRule(segments=("important_winback",), min_balance=500), ["A1"]),
        (TargetRule(min_balance=500), ["A1", "A4"]),
        (TargetRule(max_balance=300), ["A2", "A3"]),
        (TargetRule(tiers=("silver",)), ["A2"]),
        (TargetRule(segments=("important_value", "general_develop")), ["A2", "A3"]),
        (TargetRule(value_groups=("at_risk", "low")), ["A1", "A3"]),
        (TargetRule(value_tiers=("medium",)), ["A2"]),
        (TargetRule(cities=("上海",)), ["A1", "A3"]),
        (TargetRule(channels=("app",)), ["A2"]),
        (TargetRule(stores=("S2",)), ["A3"]),
        (TargetRule(min_spend=100, max_spend=1200), ["A2"]),
        (TargetRule(last_order_to=date(2023, 12, 31)), ["A1", "A4"]),
        (TargetRule(last_order_from=date(2024, 3, 1)), ["A2", "A3"]),
        (TargetRule(last_order_from=date(2024, 3, 1), last_order_to=date(2024, 3, 1)), ["A3"]),
        (TargetRule(cities=("上海",), min_balance=100), ["A1"]),
    ],
)
def test_filters_combine(crm: ml.Workspace, rule: TargetRule, expected: list[str]) -> None:
    assert _ids(crm.segments.targets(AS_OF, rule)) == expected


def test_full_phone_on_request(crm: ml.Workspace) -> None:
    frame = crm.segments.targets(AS_OF, TargetRule(cities=("北京",)), full_phone=True)
    assert frame["phone"].to_list() == ["13900001111"]


def test_unknown_ids_name_the_valid_choices(crm: ml.Workspace) -> None:
    rule = TargetRule(segments=("important_winbak",), tiers=("golden",), cities=("Shanghai",))
    with pytest.raises(ml.InputError) as error:
        crm.segments.targets(AS_OF, rule)
    message = str(error.value)
    assert "Unknown segment 'important_winbak'. Did you mean 'important_winback'?" in message
    assert "Valid segments: general_develop, general_retain" in message
    assert "Unknown tier 'golden'. Did you mean 'gold'? Valid tiers: black, gold, normal" in message
    assert "Unknown city 'Shanghai'. Valid cities: 上海, 北京, 杭州." in message
    with pytest.raises(ml.InputError, match="The balance range 500 … 100 is empty"):
        crm.segments.targets(AS_OF, TargetRule(min_balance=500, max_balance=100))


def _run(ws: ml.Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "memberlens",
            "-w",
            str(ws.root),
            "targets",
            "--as-of",
            AS_OF,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_excel_list_reads_back(crm: ml.Workspace, tmp_path: Path) -> None:
    target = tmp_path / "list.xlsx"
    done = _run(
        crm, "--segment", "important_winback", "--min-balance", "500", "--output", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote 1 members" in done.stdout
    assert "PII" not in done.stderr
    back = pl.read_excel(target)
    assert back.columns == list(COLUMNS)
    row = back.row(0, named=True)
    assert (row["member_id"], row["phone"], row["balance"], row["spend"]) == (
        "A1",
        "138****1234",
        800,
        1800,
    )
    assert row["last_order_date"] == date(2023, 6, 10)


def test_csv_with_full_phones_warns_about_pii(crm: ml.Workspace, tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    done = _run(crm, "--city", "上海,杭州", "--full-phone", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert "PII" in done.stderr and "full phone numbers" in done.stderr
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel opens 中文 correctly
    back = pl.read_csv(target, schema_overrides={"phone": pl.String})
    assert back["member_id"].to_list() == ["A1", "A3", "A4"]
    assert back["phone"].to_list() == ["13812341234", "15011112222", None]


def test_an_empty_list_writes_no_file(crm: ml.Workspace, tmp_path: Path) -> None:
    target = tmp_path / "none.xlsx"
    done = _run(crm, "--segment", "general_winback", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert "No members match (segments=general_winback) as of 2024-03-31" in done.stderr
    assert "no file written" in done.stderr
    assert not target.exists()


def test_unknown_segment_on_the_command_line(crm: ml.Workspace) -> None:
    done = _run(crm, "--segment", "vip")
    assert done.returncode == 2
    assert "Unknown segment 'vip'" in done.stderr and "important_winback" in done.stderr


def test_too_many_rows_for_excel(
    crm: ml.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memberlens.engine import output
    from memberlens.segments import targets

    monkeypatch.setattr(output, "EXCEL_MAX_ROWS", 3)
    frame = crm.segments.targets(AS_OF)
    with pytest.raises(ml.InputError, match=r"4 rows do not fit in an Excel sheet \(3 at most\)"):
        targets.write_list(frame, tmp_path / "list.xlsx")
    assert not (tmp_path / "list.xlsx").exists()
    targets.write_list(frame, tmp_path / "list.parquet")
    assert pl.read_parquet(tmp_path / "list.parquet").equals(frame)
    with pytest.raises(ml.InputError, match=r"Cannot write '.txt' files. Use .csv, .xlsx"):
        targets.write_list(frame, tmp_path / "list.txt")


def test_generated_program_winback_list(demo_ws: ml.Workspace) -> None:
    as_of = "2025-06-30"
    frame = demo_ws.segments.targets(
        as_of, TargetRule(segments=("important_winback",), min_balance=500)
    )
    rfm = demo_ws.rfm(as_of).filter(segment="important_winback")
    points = demo_ws.table("points").filter(pl.col("at").dt.date() <= date(2025, 6, 30))
    balances = points.group_by("member_id").agg(balance=pl.col("points").sum())
    expected = rfm.join(balances, on="member_id").filter(pl.col("balance") >= 500)
    assert expected.height > 0
    assert sorted(_ids(frame)) == sorted(expected["member_id"].to_list())
    assert frame["phone"].str.contains(r"^1\d{2}\*{4}\d{4}$").all()
    assert frame["spend"].is_sorted(descending=True)
    everyone = demo_ws.segments.targets(as_of)
    members = demo_ws.table("members").filter(
        pl.col("registered_at").dt.date() <= date(2025, 6, 30)
    )
    assert everyone.height == members.height
