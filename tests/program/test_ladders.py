"""A ladder whose higher level is easier on one measure (DESIGN §3: the tier is the HIGHEST
level all of whose thresholds are met), evaluated as written on five members by hand.

Ladder (window 365 days): 普通 normal; 银卡 silver ¥300; 金卡 gold ¥600 and 3 orders;
黑卡 black ¥1,000 and 1 order (a spend-only top tier).

  P one order ¥1,000            → black (gold needs 3 orders; black's ¥1,000 + 1 order met)
  Q three orders ¥200 (¥600)    → gold (black needs ¥1,000)
  R three orders ¥400 (¥1,200)  → black (gold and black both met: the higher)
  S one order ¥700              → silver (gold needs 3 orders, black ¥1,000)
  T no orders                   → normal
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from typer.testing import CliRunner

import memberlens as ml
from memberlens.config import TierSettings

MEMBERS = """member_id,registered_at
P,2025-01-01 09:00:00
Q,2025-01-01 09:00:00
R,2025-01-01 09:00:00
S,2025-01-01 09:00:00
T,2025-01-01 09:00:00
"""
ORDERS = """order_id,member_id,ordered_at,amount
O1,P,2025-02-01 10:00:00,1000
O2,Q,2025-02-01 10:00:00,200
O3,Q,2025-02-02 10:00:00,200
O4,Q,2025-02-03 10:00:00,200
O5,R,2025-02-01 10:00:00,400
O6,R,2025-02-02 10:00:00,400
O7,R,2025-02-03 10:00:00,400
O8,S,2025-02-01 10:00:00,700
"""
LADDER = """window_days = 365
[[tiers.levels]]
id = "normal"
name = "普通会员"
[[tiers.levels]]
id = "silver"
name = "银卡会员"
min_spend = 300
[[tiers.levels]]
id = "gold"
name = "金卡会员"
min_spend = 600
min_orders = 3
[[tiers.levels]]
id = "black"
name = "黑卡会员"
min_spend = 1000
min_orders = 1

"""
EXPECTED = {"P": "black", "Q": "gold", "R": "black", "S": "silver", "T": "normal"}


@pytest.fixture
def program(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    ws = load_csv(("members", MEMBERS), ("orders", ORDERS))
    config = ws.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("window_days = 365            # qualification")
    config.write_text(text[:start] + LADDER + text[text.index("[points]") :], encoding="utf-8")
    return ml.open(ws.root)


def test_the_ladder_is_accepted_with_a_warning(program: ml.Workspace) -> None:
    warnings = program.config.tiers.warnings
    assert warnings == [
        "level 'black' min_orders = 1 is below level 'gold' min_orders = 3, listed before it: "
        "a member may reach 'black' without 'gold's min_orders"
    ]
    assert TierSettings().warnings == []  # the default ladder rises on every measure


def test_tiers_as_written(program: ml.Workspace) -> None:
    got = dict(program.tiers("2025-02-03").select("member_id", "tier").iter_rows())
    assert got == EXPECTED


def test_tier_history_as_written(program: ml.Workspace) -> None:
    history = program.program.tier_history("2025-01-01", "2025-02-03")
    got = dict(history.on(date(2025, 2, 3)).select("member_id", "tier").iter_rows())
    assert got == EXPECTED


def test_other_commands_run_and_tiers_warns(
    program: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memberlens.cli import app

    monkeypatch.chdir(program.root)
    runner = CliRunner()
    result = runner.invoke(app, ["tiers", "--as-of", "2025-02-03"])
    assert result.exit_code == 0, result.output
    assert "[tiers] level 'black' min_orders = 1 is below level 'gold'" in result.stderr
    metrics = runner.invoke(app, ["metrics", "--period", "2025-02", "--format", "json"])
    assert metrics.exit_code == 0, metrics.output
