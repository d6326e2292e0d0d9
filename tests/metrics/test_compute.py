"""Every DESIGN §6 metric on a hand-made program, with the expected values worked out by hand."""

import pytest

import memberlens as ml

# Worked out by hand for March 2024:
MARCH = {
    "members_total": 6,  # M0..M5 (M5 at 23:00 on the last day counts; M6 joins in April)
    "new_members": 3,  # M3, M4, M5
    "buyers": 3,  # M1, M3, M4 (M2's only March order was refunded)
    "active_members": 5,  # buyers + M2 (an event) + M0 (an earn entry)
    "activity_rate": 5 / 6,
    "orders": 4,  # O4, O5, O6, O9
    "revenue": 130.0,  # 40 + 60 + 30 + 0
    "member_revenue_share": 130 / 200,  # the non-member order O8 is 70
    "aov": 130 / 4,
    "arpu": 130 / 3,
    "purchase_frequency": 4 / 3,
    "repurchase_rate": 1 / 3,  # only M1 bought twice
    "retention_rate": 1 / 2,  # February buyers M1, M2; only M1 bought in March
    "repurchase_cycle_days": 12.25,  # O4: 15.0 days after O2, O5: 9.5 days after O4
    "churned_members": 1,  # M0: last order 2023-06-01, more than 180 days before April
    "points_issued": 45,  # 40 + 5 (the adjust is not an earn)
    "points_redeemed": 100,
    "points_expired": 30,
    "redemption_rate": 100 / 45,
    "redeemers": 1,
    "points_outstanding": 135,  # 100 + 50 + 80 + 40 - 100 - 30 + 5 - 10
    "points_liability": 1.35,  # × 0.01
    "breakage_rate": 30 / 130,
    "nps": 25.0,  # (2 promoters - 1 detractor) / 4 responses
    # treated in March: M1 (twice), M2, M4; M3 was a holdout
    "campaign_participants": 3,
    # M1 bought O4 2 h after a touch and O5 34 h after the second; M4 bought O9 6 days after
    # its touch; M2's order was refunded
    "campaign_conversion_rate": 2 / 3,
    "attributed_revenue": 100.0,  # O4 40 + O5 60 + O9 0
    "campaign_cost": 100.0,  # C1 starts in March; C2 in February
    "campaign_roi": 0.0,  # (100 - 100) / 100
    "campaign_new_members": 2,  # M3, M5
    "referral_registrations": 2,  # M4, M5
    "shares": 2,  # M1 and M3 in March
    "brand_mentions": 2,  # B1, B2 (a non-member post counts too)
    "complaint_rate": 500.0,  # T1, T4 opened in March per 4 orders × 1,000
    "resolution_hours": 70 / 3,  # resolved in March: T1 10 h, T2 24 h, T3 36 h
    "csat": 3.25,  # (5 + 4 + 3 + 1) / 4
    # service metrics registered by memberlens.voc.service (tickets T2 inquiry, T1, T4)
    "suggestion_rate": 0.0,
    "return_ticket_rate": 0.0,
    "inquiry_rate": 250.0,  # T2 per 4 orders × 1,000
    "resolution_hours_median": 24.0,  # of 10 h, 24 h, 36 h
    "resolution_hours_p90": 33.6,  # 24 + 0.8 × (36 - 24)
    "post_resolution_satisfaction": None,  # no satisfaction recorded
    # 100 × (0.3 × 1/3 + 0.3 × 1/2 + 0.2 × 5/6 + 0.2 × (25 + 100) / 200)
    "loyalty_index": 100 * (0.1 + 0.15 + 0.2 * 5 / 6 + 0.2 * 125 / 200),
}


def test_every_metric_for_march(shop: ml.Workspace) -> None:
    from memberlens.workspace import load_metrics

    assert set(MARCH) == set(load_metrics())
    frame = shop.metrics(list(MARCH), "2024-03")
    values = dict(zip(frame["metric"], frame["value"], strict=True))
    for metric, expected in MARCH.items():
        if expected is None:
            assert values[metric] is None, metric
        else:
            assert values[metric] == pytest.approx(expected, rel=1e-9), metric


def test_a_period_without_data_is_marked_no_data(shop: ml.Workspace) -> None:
    from memberlens.facts.coverage import NoDataWarning

    with pytest.warns(NoDataWarning, match="No data for 2030-01"):
        frame = shop.metrics(["orders", "revenue", "nps"], "2030-01")
    assert frame["value"].to_list() == [None, None, None]


def test_zero_denominators_give_null_not_zero(shop: ml.Workspace) -> None:
    # December 2023 lies inside the data but has no orders and no survey responses
    values = dict(
        zip(
            *shop.metrics(["orders", "aov", "repurchase_rate", "nps"], "2023-12").select(
                "metric", "value"
            ),
            strict=True,
        )
    )
    assert values == {"orders": 0, "aov": None, "repurchase_rate": None, "nps": None}


def test_summary_compares_with_the_previous_period_and_last_year(shop: ml.Workspace) -> None:
    frame = shop.summary(["orders", "repurchase_rate"], "2024-03")
    rows = {r["metric"]: r for r in frame.iter_rows(named=True)}
    # February: O2, O3 paid → 2 orders; March 4 orders → +100 %
    assert rows["orders"]["previous"] == 2 and rows["orders"][
        "change_vs_previous"
    ] == pytest.approx(1.0)
    # a rate changes in points: February 0/2 repurchased, March 1/3 → +0.333 (33 pp)
    assert rows["repurchase_rate"]["change_vs_previous"] == pytest.approx(1 / 3)
    # March 2023 is before the first order (June 2023): no data, so no 同比
    assert rows["orders"]["year_ago"] is None and rows["orders"]["change_vs_year_ago"] is None


def test_unknown_metric_suggests_a_name(shop: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="Did you mean 'repurchase_rate'"):
        shop.metrics(["repurchse_rate"], "2024-03")


def test_previous_orders_of_a_span_equal_a_window_over_every_order(
    demo_ws: ml.Workspace,
) -> None:
    """with_previous reads the span's orders and one grouped maximum before it; every order
    of the span gets the same previous order as a window over the whole history."""
    from datetime import date

    from memberlens.dates.periods import Grain, Period
    from memberlens.metrics.compute import with_previous
    from memberlens.metrics.scope import Scope

    first, end = date(2025, 3, 1), date(2025, 5, 1)
    with demo_ws.session() as s:
        scope = Scope(s, Period(Grain.RANGE, first, date(2025, 4, 30)))
        fast = s.frame(
            with_previous(scope, first, end).select("member_id", "ordered_at", "previous")
        )
        o = scope.paid()
        lag = o.ordered_at.lag().over(group_by=o.member_id, order_by=o.ordered_at)
        whole = o.mutate(previous=lag)
        whole = whole.filter(scope.within(whole, "ordered_at"))
        slow = s.frame(whole.select("member_id", "ordered_at", "previous"))
    keys = ["member_id", "ordered_at", "previous"]
    assert fast.height == slow.height > 500
    assert fast["previous"].null_count() == slow["previous"].null_count() > 0
    assert fast.sort(keys, nulls_last=True).equals(slow.sort(keys, nulls_last=True))
