"""Tier history under the program's rules, worked out by hand on three members.

Ladder: normal; silver min_spend 100; gold min_spend 300; black invitation-only.
Qualification window 30 days (a day's window is that day and the 29 before it).

  A registered 2024-01-01: 01-05 80, 01-20 50, 02-10 200, 02-15 100
      running 30-day spend: 01-05 80 · 01-20 130 (silver) · 02-10 250 (01-12..02-10: 50+200)
      · 02-15 350 (01-17..02-15: 50+200+100 → gold)
  B registered 2024-01-01: 01-10 500 (gold at once)
  C registered 2024-02-10: no orders
  D registered 2024-04-15 (the data's last day): no orders

Month-end qualification: 01-31 (01-02..01-31) A 130 silver, B 500 gold;
02-29 (01-31..02-29) A 300 gold, B 0 normal; 03-31 (03-02..03-31) everybody normal.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import memberlens as ml
from memberlens.errors import InputError

MEMBERS = """member_id,registered_at,phone
A,2024-01-01 09:00:00,13800001111
B,2024-01-01 09:00:00,13800002222
C,2024-02-10 09:00:00,13800003333
D,2024-04-15 09:00:00,13800004444
"""
ORDERS = """order_id,member_id,ordered_at,amount
O1,A,2024-01-05 10:00:00,80
O2,A,2024-01-20 10:00:00,50
O3,A,2024-02-10 10:00:00,200
O4,A,2024-02-15 10:00:00,100
O5,B,2024-01-10 10:00:00,500
"""
LADDER = """window_days = 30
upgrade = "{upgrade}"
protection_days = {protection}
{invitations}
[[tiers.levels]]
id = "normal"
name = "普通会员"
[[tiers.levels]]
id = "silver"
name = "银卡会员"
min_spend = 100
[[tiers.levels]]
id = "gold"
name = "金卡会员"
min_spend = 300
[[tiers.levels]]
id = "black"
name = "黑卡会员"
invitation_only = true

"""


def _configure(
    ws: ml.Workspace, upgrade: str = "immediate", protection: int = 0, invitations: str = ""
) -> ml.Workspace:
    config = ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("window_days = 365            # qualification")
    text = (
        text[:start]
        + LADDER.format(upgrade=upgrade, protection=protection, invitations=invitations)
        + text[text.index("[points]") :]
    )
    config.write_text(text, encoding="utf-8")
    return ml.open(ws.root)


@pytest.fixture
def three(load_csv: Any) -> ml.Workspace:
    ws: ml.Workspace = load_csv(("members", MEMBERS), ("orders", ORDERS))
    return ws


def _stretches(frame: pl.DataFrame) -> dict[str, list[tuple[str, str, str | None]]]:
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for r in frame.sort("member_id", "valid_from").iter_rows(named=True):
        to = r["valid_to"].isoformat() if r["valid_to"] else None
        out.setdefault(r["member_id"], []).append((r["tier"], r["valid_from"].isoformat(), to))
    return out


def test_immediate_upgrades_and_month_end_downgrades(three: ml.Workspace) -> None:
    ws = _configure(three)
    history = ws.tier_history("2024-01-01", "2024-04-15")
    assert history.evaluations == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    assert _stretches(history.history) == {
        "A": [
            ("normal", "2024-01-01", "2024-01-19"),
            ("silver", "2024-01-20", "2024-02-14"),
            ("gold", "2024-02-15", "2024-03-31"),  # 03-31 qualifies for nothing: down on 04-01
            ("normal", "2024-04-01", None),
        ],
        "B": [
            ("normal", "2024-01-01", "2024-01-09"),
            ("gold", "2024-01-10", "2024-02-29"),  # nothing in 01-31..02-29
            ("normal", "2024-03-01", None),
        ],
        "C": [("normal", "2024-02-10", None)],
        "D": [("normal", "2024-04-15", None)],
    }
    # the day after a month-end evaluation, the held tier is the qualification of that day
    held = dict(history.on(date(2024, 3, 1)).iter_rows())
    assert (
        held
        == dict(ws.tiers("2024-02-29").iter_rows())
        == {"A": "gold", "B": "normal", "C": "normal"}
    )
    assert history.distribution().rows() == [
        (date(2024, 1, 1), "normal", 2),
        (date(2024, 1, 31), "silver", 1),
        (date(2024, 1, 31), "gold", 1),
        (date(2024, 2, 29), "normal", 1),  # C; B still holds gold on the evaluation day
        (date(2024, 2, 29), "gold", 2),
        (date(2024, 3, 31), "normal", 2),
        (date(2024, 3, 31), "gold", 1),
        (date(2024, 4, 15), "normal", 4),
    ]
    matrix = history.migration(date(2024, 1, 31), date(2024, 3, 31))
    assert matrix.rows(named=True) == [
        {"from": "silver", "normal": 0, "gold": 1},
        {"from": "gold", "normal": 1, "gold": 0},
        {"from": "(new)", "normal": 1, "gold": 0},
    ]
    assert history.movements().rows() == [
        ("2024-01", 2, 0),
        ("2024-02", 1, 0),
        ("2024-03", 0, 1),
        ("2024-04", 0, 1),
    ]


def test_upgrades_only_at_evaluation_dates(three: ml.Workspace) -> None:
    history = _configure(three, upgrade="evaluation").tier_history("2024-01-01", "2024-04-15")
    assert _stretches(history.history) == {
        "A": [
            ("normal", "2024-01-01", "2024-01-31"),
            ("silver", "2024-02-01", "2024-02-29"),
            ("gold", "2024-03-01", "2024-03-31"),
            ("normal", "2024-04-01", None),
        ],
        "B": [
            ("normal", "2024-01-01", "2024-01-31"),
            ("gold", "2024-02-01", "2024-02-29"),
            ("normal", "2024-03-01", None),
        ],
        "C": [("normal", "2024-02-10", None)],
        "D": [("normal", "2024-04-15", None)],
    }


def test_protection_keeps_a_tier_after_each_qualification(three: ml.Workspace) -> None:
    # 60 days of 保级, counted from reaching the tier or re-qualifying at an evaluation:
    # A gold 02-15, re-qualifies 02-29 (kept from 03-01): at 03-31 held 31 days → protected.
    # B gold 01-10, re-qualifies 01-31 (from 02-01): 02-29 held 29 days → protected;
    # 03-31 held 60 days → down from 04-01.
    history = _configure(three, protection=60).tier_history("2024-01-01", "2024-04-15")
    stretches = _stretches(history.history)
    assert stretches["A"][-1] == ("gold", "2024-02-15", None)
    assert stretches["B"] == [
        ("normal", "2024-01-01", "2024-01-09"),
        ("gold", "2024-01-10", "2024-03-31"),
        ("normal", "2024-04-01", None),
    ]


def test_invitation_only_tiers(three: ml.Workspace, tmp_path: Path) -> None:
    (three.root / "invitations.csv").write_text(
        "member_id,tier,valid_from,valid_to\nC,black,2024-03-01,2024-03-10\n", encoding="utf-8"
    )
    ws = _configure(three, invitations='invitations = "invitations.csv"')
    assert dict(ws.tiers("2024-03-05").iter_rows())["C"] == "black"
    assert dict(ws.tiers("2024-03-11").iter_rows())["C"] == "normal"
    history = ws.tier_history("2024-01-01", "2024-04-15")
    assert _stretches(history.history)["C"] == [
        ("normal", "2024-02-10", "2024-02-29"),
        ("black", "2024-03-01", "2024-03-10"),
        ("normal", "2024-03-11", None),
    ]
    (three.root / "invitations.csv").write_text(
        "member_id,tier,valid_from\nC,gold,2024-03-01\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="'gold' are not invitation-only levels"):
        ws.tiers("2024-03-05")


def test_members_near_the_next_tier(three: ml.Workspace) -> None:
    ws = _configure(three)
    # as of 01-15 (window 12-17..01-15): A 80 of silver's 100 → progress 0.8, gap 20;
    # B is gold, the top of the threshold ladder (black is by invitation only)
    near = ws.program.tiers_near("2024-01-15", 0.8)
    assert near.select("member_id", "tier", "next_tier", "progress", "spend_gap").rows() == [
        ("A", "normal", "silver", 0.8, 20.0)
    ]
    assert ws.program.tiers_near("2024-01-15", 0.9).height == 0


def test_points_and_activity_thresholds(load_csv: Any) -> None:
    ws: ml.Workspace = load_csv(
        ("members", MEMBERS),
        ("orders", ORDERS),
        (
            "points",
            "entry_id,member_id,at,kind,points\n"
            "P1,A,2024-01-05 10:00:00,earn,80\nP2,A,2024-01-20 10:00:00,earn,50\n"
            "P3,B,2024-01-10 10:00:00,earn,500\nP4,B,2024-01-12 10:00:00,redeem,-100\n",
        ),
    )
    config = ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[[tiers.levels]]")
    config.write_text(
        text[:start]
        + '[[tiers.levels]]\nid = "normal"\nname = "N"\n'
        + '[[tiers.levels]]\nid = "silver"\nname = "S"\nmin_points = 100\nmin_active_days = 2\n\n'
        + text[text.index("[points]") :],
        encoding="utf-8",
    )
    # as of 01-31: A earned 130 on 2 active days → silver; B earned 500 but was active on
    # 01-10 (order, earn) and 01-12 (redeem) = 2 days → silver; both need both thresholds
    tiers = dict(ml.open(ws.root).tiers("2024-01-31").iter_rows())
    assert tiers == {"A": "silver", "B": "silver"}
    # as of 01-11: A 80 points → normal; B 500 points but 1 active day → normal
    assert set(dict(ml.open(ws.root).tiers("2024-01-11").iter_rows()).values()) == {"normal"}
    # history: immediate upgrades on the day both thresholds are first met — A on 01-20
    # (130 points, 2 active days), B on 01-12 (its redemption is its second active day)
    history = ml.open(ws.root).tier_history("2024-01-01", "2024-02-15")
    assert _stretches(history.history) == {
        "A": [("normal", "2024-01-01", "2024-01-19"), ("silver", "2024-01-20", None)],
        "B": [("normal", "2024-01-01", "2024-01-11"), ("silver", "2024-01-12", None)],
        "C": [("normal", "2024-02-10", None)],
    }


CANDIDATE = """[points]
earn_rate = 1.0
expiry = "months"
expiry_months = 3

[tiers]
window_days = 30
[[tiers.levels]]
id = "normal"
name = "N"
[[tiers.levels]]
id = "silver"
name = "S"
min_spend = 100
earn_multiplier = 2.0
benefit_rate = 0.1
[[tiers.levels]]
id = "gold"
name = "G"
min_spend = 300
earn_multiplier = 3.0
benefit_rate = 0.2
"""


def test_what_if_replays_points_and_benefits(load_csv: Any, tmp_path: Path) -> None:
    ws: ml.Workspace = load_csv(
        ("members", MEMBERS),
        ("orders", ORDERS),
        (
            "points",
            "entry_id,member_id,at,kind,points,source\n"
            "E1,A,2024-01-05 10:00:00,earn,80,purchase\n"
            "E2,B,2024-01-10 10:00:00,earn,500,purchase\n"
            "R1,B,2024-01-12 10:00:00,redeem,-100,reward\n"
            "S1,C,2024-02-12 08:00:00,earn,10,sign_in\n"
            "R2,A,2024-02-20 09:00:00,redeem,-50,reward\n",
        ),
    )
    ws = _configure(ws)
    (tmp_path / "candidate.toml").write_text(CANDIDATE, encoding="utf-8")
    result = ws.program.what_if(tmp_path / "candidate.toml", "2024-01-01", "2024-04-15")
    table = {r["figure"]: (r["current"], r["candidate"]) for r in result.comparison().to_dicts()}
    # Current (multipliers 1, no benefits, points lapse at the end of next year):
    #   purchases earn A 80+50+200+100 = 430, B 500 → 930; nothing expires by 04-15;
    #   balances A 430−50, B 500−100, C 10 → 790 points, liability 7.90.
    # Candidate (silver ×2 / 10 %, gold ×3 / 20 %, tiers held on the order's day):
    #   A 01-05 normal 80 · 01-20 silver 100 · 02-10 silver 400 · 02-15 gold 300 = 880;
    #   B 01-10 gold 1500 → 2380; benefits 5 + 20 + 20 + 100 = 145.
    #   Expiry after 3 months, FIFO: A's first batch (80, 04-05) lapses with 30 left after the
    #   50 redeemed; B's 1500 lapse on 04-10 less the 100 redeemed = 1400; C's 10 last to 05-12.
    #   Balances A 880−50−30 = 800, B 0, C 10 → 810.
    assert table["points_issued_purchases"] == (930, 2380)
    assert table["benefit_cost"] == (0, pytest.approx(145))
    assert table["points_expired"] == (0, 1430)
    assert table["points_outstanding"] == (790, 810)
    assert table["points_liability"] == (pytest.approx(7.9), pytest.approx(8.1))
    # the same thresholds: the same tier moves (A up twice, B up once; B and A down once)
    assert table["upgrades"] == (3, 3) and table["downgrades"] == (2, 2)
    assert table["members_normal"] == (4, 4)
    assert table["members_over_redeemed"] == (0, 0)
    assert result.moves.rows() == [("normal", 4)]


def test_a_candidate_with_other_sections_is_refused(three: ml.Workspace, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("[rfm]\nwindow_days = 10\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds \[tiers\] and/or \[points\] only"):
        three.program.what_if(tmp_path / "c.toml", "2024-01-01", "2024-03-31")


def test_held_tiers_follow_qualification_on_generated_data(demo_ws: ml.Workspace) -> None:
    """Default rules (immediate upgrades, month-end downgrades, no protection): on the day
    after each evaluation every member holds what they qualified for on it — or, after an
    upgrade that very day, what they qualify for at its end — and stretches tile time."""
    history = demo_ws.tier_history("2025-01-01", "2025-06-30")
    for evaluated in history.evaluations[:-1]:
        after = evaluated + timedelta(days=1)
        held = history.on(after)
        qualified = demo_ws.tiers(evaluated.isoformat())
        joined = held.join(qualified, on="member_id", suffix="_qualified")
        assert joined.height == qualified.height
        moved = joined.filter(joined["tier"] != joined["tier_qualified"])
        assert moved.height < joined.height / 100, evaluated
        next_day = dict(demo_ws.tiers(after.isoformat()).iter_rows())
        assert all(next_day[m] == t for m, t, _ in moved.iter_rows()), evaluated
    h = history.history.sort("member_id", "valid_from")
    following = h["valid_from"].shift(-1)
    same = h["member_id"] == h["member_id"].shift(-1)
    gaps = h.filter(same & (h["valid_to"] + timedelta(days=1) != following))
    assert gaps.height == 0
    assert history.movements()["upgrades"].sum() > 0


def test_dates_outside_the_data_are_refused(three: ml.Workspace) -> None:
    ws = _configure(three)
    # orders run from 2024-01-05; the latest record is D's registration, 2024-04-15
    with pytest.raises(InputError, match="as_of 2023-12-31 is outside the data"):
        ws.tiers("2023-12-31")
    with pytest.raises(InputError, match="end 2030-01-01 is outside the data"):
        ws.tier_history("2024-01-05", "2030-01-01")
    with pytest.raises(InputError, match="start 2024-03-01 is after end 2024-02-01"):
        ws.tier_history("2024-03-01", "2024-02-01")
    with pytest.raises(InputError, match="before the first member registered"):
        ws.tier_history("2023-06-01", "2024-02-01")
