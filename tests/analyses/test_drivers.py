"""Behaviours against next-period repurchase: features by hand, associations as planted."""

import pytest

import memberlens as ml
from memberlens.analyses.drivers import drivers, member_features
from memberlens.dates.periods import parse_period


def test_member_features_for_february(shop: ml.Workspace) -> None:
    with shop.session() as session:
        frame = member_features(session, parse_period("2024-02")).sort("member_id")
    rows = {r["member_id"]: r for r in frame.iter_rows(named=True)}
    # February buyers: M1 (O2) and M2 (O3); in March M1 bought again, M2's order was refunded
    assert set(rows) == {"M1", "M2"}
    assert (rows["M1"]["repurchased"], rows["M2"]["repurchased"]) == (1, 0)
    # M1 was touched by C2 on 02-10 and bought O2 on 02-15: a campaign response
    assert (rows["M1"]["campaign_response"], rows["M2"]["campaign_response"]) == (1, 0)
    assert rows["M1"]["redeemed"] == 0 and rows["M1"]["complained"] == 0
    # tenure at the end of February (2024-03-01 00:00): M1 joined 01-05, M2 on 02-10
    assert rows["M1"]["tenure_days"] == pytest.approx(56.0)
    assert rows["M2"]["tenure_days"] == pytest.approx(20.0)
    assert rows["M1"]["orders_in_period"] == 1


def test_redeeming_goes_with_repurchase_on_the_demo(demo_ws: ml.Workspace) -> None:
    with demo_ws.session() as session:
        result = drivers(session, parse_period("2025-Q2"))
    rows = {r["behaviour"]: r for r in result.table.iter_rows(named=True)}
    assert result.outcome_period == parse_period("2025-Q3")
    # heavy buyers redeem more often (planted selection): redeemers come back more often
    assert rows["redeemed"]["rate_with"] > rows["redeemed"]["rate_without"]
    assert rows["redeemed"]["correlation"] > 0
    # how much a member bought this quarter predicts the next one strongly
    assert rows["orders_in_period"]["ci_low"] > 1
    assert "cause" in result.caution or "因果" in result.caution
