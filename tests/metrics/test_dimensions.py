"""Splits by dimension, series over periods and explained SQL, on the hand-made program."""

from collections.abc import Callable

import pytest

import memberlens as ml
from handmade import EVENTS, ORDERS, POINTS, SURVEYS

MEMBERS = """member_id,registered_at,channel
M0,2023-01-01,store
M1,2024-01-05,app
M2,2024-02-10,store
M3,2024-03-03,app
M4,2024-03-20,store
M5,2024-03-31 23:00,
M6,2024-04-02,app
"""


@pytest.fixture
def shop(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(
        ("members", MEMBERS),
        ("orders", ORDERS),
        ("points", POINTS),
        ("events", EVENTS),
        ("surveys", SURVEYS),
    )


def split(ws: ml.Workspace, metric: str, by: str, period: str = "2024-03") -> dict[str, float]:
    frame = ws.metrics([metric], period, by=by)
    assert frame.columns == ["metric", "period", by, "value"]
    return dict(zip(frame[by], frame["value"], strict=True))


def test_counts_split_by_channel_add_up_to_the_total(shop: ml.Workspace) -> None:
    # March orders: O4, O5 (M1, app), O6 (M3, app), O9 (M4, store)
    assert split(shop, "orders", "channel") == {"app": 3, "store": 1}
    # M5 registered without a channel: its group is (unknown)
    assert split(shop, "members_total", "channel") == {"app": 2, "store": 3, "(unknown)": 1}


def test_ratios_split_by_channel(shop: ml.Workspace) -> None:
    # active in March: M1, M3 (app); M4, M2, M0 (store); M5 is not active
    assert split(shop, "activity_rate", "channel") == {"app": 1.0, "store": 1.0, "(unknown)": 0.0}
    aov = split(shop, "aov", "channel")
    assert aov["app"] == pytest.approx((40 + 60 + 30) / 3) and aov["store"] == 0.0
    # app responses: 10, 9 and 3 → (2 - 1) / 3; store: one 7 → 0
    nps = split(shop, "nps", "channel")
    assert nps["app"] == pytest.approx(100 / 3) and nps["store"] == 0.0


def test_points_users_are_members_who_redeemed_in_the_last_year(shop: ml.Workspace) -> None:
    # only M1 redeemed (2024-03-02); M1 placed O4 and O5 in March
    assert split(shop, "orders", "points_user") == {"no": 2, "yes": 2}
    assert split(shop, "repurchase_rate", "points_user") == {"no": 0.0, "yes": 1.0}


def test_registration_cohorts(shop: ml.Workspace) -> None:
    assert split(shop, "orders", "cohort") == {"2024-01": 2, "2024-03": 2}


def test_a_monthly_series(shop: ml.Workspace) -> None:
    frame = shop.metrics(["orders"], start="2024-01-15", end="2024-03-31", grain="month")
    assert frame["period"].to_list() == ["2024-01", "2024-02", "2024-03"]
    assert frame["value"].to_list() == [1, 2, 4]


def test_a_weekly_series_outside_the_data_says_no_data(shop: ml.Workspace) -> None:
    from memberlens.facts.coverage import NoDataWarning

    with pytest.warns(NoDataWarning, match="2030-W01 .. 2030-W03"):
        frame = shop.metrics(["orders"], start="2030-01-01", end="2030-01-14", grain="week")
    # 2030-01-01 is a Tuesday in ISO week 2030-W01, which starts on 2029-12-31
    assert frame["period"].to_list() == ["2030-W01", "2030-W02", "2030-W03"]
    assert frame["value"].is_null().all()


def test_explain_shows_the_sql_without_running_it(shop: ml.Workspace) -> None:
    sql = shop.explain("repurchase_rate", "2024-03", by="channel")
    assert sql.lstrip().upper().startswith(("SELECT", "WITH"))
    assert "2024-03-01" in sql and "2024-04-01" in sql and '"orders"' in sql


def test_member_revenue_share_cannot_be_split(shop: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="cannot be split by 'channel'"):
        shop.metrics(["member_revenue_share"], "2024-03", by="channel")


def test_unknown_dimension_and_grain(shop: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="Did you mean 'channel'"):
        shop.metrics(["orders"], "2024-03", by="chanel")
    with pytest.raises(ml.InputError, match="Valid grains: day, month, quarter, week, year"):
        shop.metrics(["orders"], start="2024-01-01", end="2024-02-01", grain="fortnight")


SPLIT = ["members_total", "buyers", "revenue", "aov", "repurchase_rate"]


@pytest.mark.parametrize("by", ["tier", "rfm_segment", "points_user"])
def test_a_split_computes_its_member_labels_once_per_session(
    demo_ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch, by: str
) -> None:
    """Labels that depend on the period (a tier, a segment as of its end) are kept for the
    session's later queries: built once for five metrics, with the same rows as when every
    query computes them itself."""
    from memberlens.engine.session import Session

    kept = Session.kept
    builds: list[object] = []

    def counting(self: Session, key: object, build: Callable[[], object]) -> object:
        return kept(self, key, lambda: builds.append(key) or build())  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "kept", counting)
    once = demo_ws.metrics(SPLIT, "2025-06", by=by).sort("metric", by)
    assert len(builds) == 1
    monkeypatch.setattr(Session, "kept", lambda self, key, build: build())
    each = demo_ws.metrics(SPLIT, "2025-06", by=by).sort("metric", by)
    assert once.equals(each)


def test_the_order_range_is_read_once_inside_a_cached_block(
    demo_ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a period has data is asked of the orders once per period inside a block (two
    probes), and again outside it; a summary probes only the periods not yet asked."""
    from memberlens.facts import coverage

    reads: list[object] = []
    paid = coverage.paid_orders

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return paid(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(coverage, "paid_orders", counted)
    with demo_ws.cached():
        first = demo_ws.metrics(["buyers"], "2025-06")
        assert len(reads) == 2  # an order before the month's end, one at or after its start
        again = demo_ws.metrics(["orders"], "2025-06")
        assert len(reads) == 2
        summary = demo_ws.summary(["revenue"], "2025-06")  # and 2025-05, 2024-06
        assert len(reads) == 6
    demo_ws.metrics(["buyers"], "2025-06")
    assert len(reads) == 8  # outside the block the call asks again
    assert first["value"][0] > 0 and again["value"][0] > 0 and summary["value"][0] > 0


def test_explain_of_a_tier_split_shows_the_labels_sql(demo_ws: ml.Workspace) -> None:
    """explain compiles: a split's member labels appear as their SQL (the tier ladder), not
    as a table kept by the session, which the reader could not run."""
    sql = demo_ws.explain("buyers", "2025-06", by="tier")
    assert "_kept" not in sql
    assert sql.count("SELECT") > 3  # the labels' subqueries are in it
