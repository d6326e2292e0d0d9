"""The member profile on the hand-made program, worked out by hand."""

import json
import subprocess
import sys
from datetime import date

import pytest

import memberlens as ml
from memberlens.errors import InputError


def test_profile_of_a_member(shop: ml.Workspace) -> None:
    p = shop.models.member("M1")
    # the latest paid order is O9 on 2024-03-21
    assert p.as_of.isoformat() == "2024-03-21"
    # paid orders O1, O2, O4, O5: 100 + 50 + 40 + 60; points 100 + 50 + 40 − 100 − 10
    assert (p.orders, p.spend, p.points_balance) == (4, 250.0, 80)
    # 250 paid in the tier window is below silver's 1000: the first level
    assert (p.tier, p.tier_name) == ("normal", "普通会员")
    # RFM as of 03-21, mean thresholds over M0..M4: recency 70.2, frequency 1.6, monetary
    # 74; M1 has recency 11, frequency 4, monetary 250 → 111
    assert (p.segment, p.segment_name, p.recency_days) == ("important_value", "重要价值客户", 11)
    # held tiers over the year to 03-21 (tier-history replay): normal since registration
    assert p.tier_history == (("normal", date(2024, 1, 5), None),)
    assert p.clv is None and p.churn_level is None
    assert any("memberlens clv" in n for n in p.notes)
    assert any("memberlens churn" in n for n in p.notes)


def test_profile_reads_saved_clv(shop: ml.Workspace) -> None:
    result = shop.clv("2024-03-21", save=True)  # too little data: warned, still saved
    assert result.warnings
    row = result.members.filter(member_id="M1").row(0, named=True)
    p = shop.models.member("M1")
    assert p.clv == pytest.approx(row["clv"]) and p.p_alive == pytest.approx(row["p_alive"])
    assert p.clv_calibration_end is not None and p.clv_calibration_end.isoformat() == "2024-03-21"


def test_unknown_member_names_the_fix(shop: ml.Workspace) -> None:
    with pytest.raises(InputError, match="No member 'm1' in this workspace"):
        shop.models.member("m1")


def test_member_command_json(shop: ml.Workspace) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "memberlens", "-w", str(shop.root), "member", "M3", "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    # M3: one paid order O6 of 30; the balance counts every loaded entry (P7, 30 points on
    # 04-02, after the last order: it is the current balance)
    assert (document["member_id"], document["orders"], document["spend"]) == ("M3", 1, 30.0)
    assert document["points_balance"] == 30
    assert document["tier"] == "normal" and document["churn_risk"] is None


def test_the_profile_shows_a_masked_phone(load_csv: object) -> None:
    import re

    ws = load_csv(  # type: ignore[operator]
        # a program younger than a year: the tier history starts at its first registration
        ("members", "member_id,registered_at,phone\nP1,2024-01-01,13812345678\n"),
        ("orders", "order_id,member_id,ordered_at,amount\nQ1,P1,2024-02-01 10:00,10\n"),
    )
    p = ws.models.member("P1")
    assert p.phone == "138****5678"
    assert p.tier_history == (("normal", date(2024, 1, 1), None),)
    document = json.dumps(p.to_dict())
    assert not re.search(r"\d{11}", document)
    assert '"phone": "138****5678"' in document
