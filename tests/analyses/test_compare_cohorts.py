"""Group comparisons and cohort matrices on the hand-made program of tests/metrics."""

from datetime import date

import pytest
from scipy import stats

import memberlens as ml
from memberlens.analyses.cohorts import cohort_matrix
from memberlens.analyses.compare import compare
from memberlens.dates.periods import parse_period


def test_points_users_against_non_users(shop: ml.Workspace) -> None:
    with shop.session() as session:
        result = compare(session, "points_user", parse_period("2024-03"))
    assert result.groups == ("yes", "no")
    rows = {r["measure"]: r for r in result.table.iter_rows(named=True)}
    # M1 (redeemed) bought twice; M3 and M4 once each
    assert (rows["repurchase_rate"]["a"], rows["repurchase_rate"]["b"]) == (1.0, 0.0)
    assert rows["repurchase_rate"]["p_value"] == pytest.approx(2 * stats.norm.sf(3**0.5))
    # AOV: 40 and 60 against 30 and 0, by Welch's t
    welch = stats.ttest_ind([40, 60], [30, 0], equal_var=False)
    assert rows["aov"]["difference"] == pytest.approx(35.0)
    assert rows["aov"]["p_value"] == pytest.approx(welch.pvalue)
    # gaps of M1's March orders: 15 and 9.5 days; the others have no repeat order
    cycle = rows["repurchase_cycle_days"]
    assert (cycle["a"], cycle["median_a"], cycle["n_b"]) == (12.25, 12.25, 0)
    assert cycle["difference"] is None
    assert "not a cause" in result.caution or "因果" in result.caution


def test_a_dimension_with_many_groups_needs_two_named(shop: ml.Workspace) -> None:
    with shop.session() as session, pytest.raises(ml.InputError, match="choose two with --groups"):
        compare(session, "channel", parse_period("2024-03"))  # one group


def test_registration_cohorts_by_members_and_revenue(shop: ml.Workspace) -> None:
    with shop.session() as session:
        members = cohort_matrix(session, date(2024, 1, 1), date(2024, 3, 31))
        revenue = cohort_matrix(session, date(2024, 1, 1), date(2024, 3, 31), measure="revenue")
    cells = {
        (r["cohort"], r["months_since"]): (r["value"], r["cohort_size"])
        for r in members.iter_rows(named=True)
    }
    # M1 (January) bought in January, February and March; M2 (February) in February;
    # of M3, M4, M5 (March) only M3 and M4 bought
    assert cells == {
        ("2024-01", 0): (1, 1),
        ("2024-01", 1): (1, 1),
        ("2024-01", 2): (1, 1),
        ("2024-02", 0): (1, 1),
        ("2024-03", 0): (2, 3),
    }
    amounts = {(r["cohort"], r["months_since"]): r["value"] for r in revenue.iter_rows(named=True)}
    assert amounts == {
        ("2024-01", 0): 100,
        ("2024-01", 1): 50,
        ("2024-01", 2): 100,
        ("2024-02", 0): 80,
        ("2024-03", 0): 30,
    }


def test_first_purchase_cohorts(shop: ml.Workspace) -> None:
    with shop.session() as session:
        frame = cohort_matrix(session, date(2024, 3, 1), date(2024, 3, 31), basis="first_purchase")
    # M3 and M4 made their first purchase in March; M5 never bought
    assert frame.to_dicts() == [
        {"cohort": "2024-03", "months_since": 0, "value": 2.0, "cohort_size": 2, "share": 1.0}
    ]


def test_on_the_demo_points_users_repurchase_more_as_planted(demo_ws: ml.Workspace) -> None:
    # the generator draws points users more often among frequent buyers (truth.json:
    # redeemer_rate_ratio > 1.5), so their repurchase rate must be clearly higher
    result = demo_ws.analyses.compare("points_user", "2025-Q4")
    rows = {r["measure"]: r for r in result.table.iter_rows(named=True)}
    repurchase = rows["repurchase_rate"]
    assert repurchase["ci_low"] > 0 and repurchase["p_value"] < 0.001
    assert rows["repurchase_cycle_days"]["ci_high"] < 0  # and they come back sooner


def test_cohort_shares_fall_with_time_on_the_demo(demo_ws: ml.Workspace) -> None:
    frame = demo_ws.analyses.cohorts("2024-01-01", "2024-12-31")
    first = frame.filter(months_since=0)["share"].mean()
    later = frame.filter(months_since=6)["share"].mean()
    assert isinstance(first, float) and isinstance(later, float)
    assert 0 < later < first <= 1
