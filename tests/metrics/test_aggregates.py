"""Daily aggregates: exact against the raw tables, and refreshed for the days a load touched."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import memberlens as ml
from memberlens.dates.periods import parse_period
from memberlens.metrics import aggregates, refresh
from memberlens.metrics.compute import DEFINITIONS, NOT_SPLITTABLE
from memberlens.metrics.daily import DAILY, PARTS, daily_parts, daily_series, parts_of
from memberlens.metrics.dimensions import dimension
from memberlens.metrics.scope import GROUP, Scope
from memberlens.workspace.registry import load_dimensions, load_metrics

PERIODS = ("2025-03", "2025-Q1", "2025-03-14")


def _copy(demo_ws: ml.Workspace, folder: Path) -> ml.Workspace:
    """A copy of the demo workspace with planted churn scores (for the churn_risk split)."""
    import duckdb

    shutil.copytree(demo_ws.root, folder)
    with duckdb.connect(str(folder / "warehouse.duckdb")) as con:
        con.execute(
            "CREATE TABLE churn_scores AS SELECT member_id, DATE '2025-12-31' AS as_of, "
            "0.5 AS risk, ['low', 'medium', 'high'][CAST(1 + hash(member_id) % 3 AS BIGINT)] "
            "AS level "
            "FROM members WHERE hash(member_id) % 5 > 0"
        )
    return ml.open(folder)


@pytest.fixture(scope="module")
def pair(
    demo_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ml.Workspace, ml.Workspace]:
    """Two copies of the demo workspace: without aggregates, and with them built."""
    raw = _copy(demo_ws, tmp_path_factory.mktemp("raw") / "ws")
    stored = _copy(demo_ws, tmp_path_factory.mktemp("stored") / "ws")
    result = stored.refresh_aggregates()
    assert result.rebuilt and result.days and result.months
    return raw, stored


@pytest.fixture(scope="module")
def stored(pair: tuple[ml.Workspace, ml.Workspace]) -> ml.Workspace:
    return pair[1]


def _values(ws: ml.Workspace, period: str, by: str | None) -> pl.DataFrame:
    load_metrics()  # the metrics areas register (VoC's) are in the list whatever ran first
    ids = [m for m in DEFINITIONS if not (by and m in NOT_SPLITTABLE)]
    keys = ["metric", by] if by else ["metric"]
    return ws.metrics(ids, period=period, by=by).sort(keys, nulls_last=True)


@pytest.mark.slow
@pytest.mark.parametrize("by", [None, *load_dimensions()])
def test_every_metric_and_dimension_equals_the_raw_computation(
    pair: tuple[ml.Workspace, ml.Workspace], by: str | None
) -> None:
    for period in PERIODS:
        raw = _values(pair[0], period, by)
        assert raw["value"].drop_nulls().len() > 0
        stored = _values(pair[1], period, by)
        different = stored.join(raw, on=stored.columns[:-1], how="full", nulls_equal=True).filter(
            pl.col("value").ne_missing(pl.col("value_right"))
        )
        assert different.is_empty(), different.to_dicts()[:8]
        assert_frame_equal(stored, raw, check_exact=True)


@pytest.mark.parametrize(
    ("period", "by", "metrics"),
    [
        ("2025-03", None, ["orders", "revenue", "buyers", "repurchase_rate", "retention_rate"]),
        ("2025-Q1", "channel", ["orders", "members_total", "points_outstanding", "buyers"]),
        ("2025-03", "tier", ["buyers", "active_members", "repurchase_rate", "retention_rate"]),
        ("2025-03-14", "store_id", ["orders", "revenue", "buyers", "points_issued"]),
    ],
)
def test_the_aggregates_answer_where_the_metric_is_additive_or_has_a_structure(
    stored: ml.Workspace, period: str, by: str | None, metrics: list[str]
) -> None:
    with stored.session() as session:
        assert aggregates.current(session)
        scope = Scope(session, parse_period(period), dimension(by) if by else None)
        for m in metrics:
            assert aggregates.aggregated(scope, DEFINITIONS[m]) is not None, m
        if scope.by is None or scope.by.fixed:  # cumulative sums of the points parts
            assert aggregates.aggregated(scope, DEFINITIONS["breakage_rate"]) is not None
        # the repurchase cycle and churn of any period from the chain of orders; other
        # periods of the member structure go to the raw tables
        week = Scope(session, parse_period("2025-W11"), scope.by)
        for s in (scope, week):
            for m in ("repurchase_cycle_days", "churned_members"):
                assert aggregates.aggregated(s, DEFINITIONS[m]) is not None, m
        assert aggregates.aggregated(week, DEFINITIONS["buyers"]) is None
        assert aggregates.aggregated(scope, DEFINITIONS["nps"]) is None


@pytest.mark.parametrize("by", [None, "channel", "tier"])
def test_the_daily_series_reads_the_same_parts(
    demo_ws: ml.Workspace, stored: ml.Workspace, by: str | None
) -> None:
    first, last = date(2025, 2, 20), date(2025, 3, 10)
    frames = []
    for ws in (demo_ws, stored):
        with ws.session() as session:
            d = dimension(by) if by else None
            scope = Scope(session, parse_period("2025-03-10"), d)
            frames.append(daily_parts(session, first, last, d, scope if d else None))
    assert frames[0].height >= 19
    assert_frame_equal(frames[1], frames[0], check_exact=True)


def test_the_parts_of_some_daily_metrics_are_those_columns_of_all_parts(
    demo_ws: ml.Workspace,
) -> None:
    first, last = date(2025, 3, 1), date(2025, 3, 20)
    assert parts_of(["aov"]) == ("orders", "revenue")
    assert parts_of(["redemption_rate", "buyers"]) == parts_of(["buyers", "redemption_rate"])
    assert set(parts_of(["redemption_rate"])) == {"points_issued", "points_redeemed"}
    assert parts_of(DAILY) == PARTS
    with demo_ws.session() as session:
        d = dimension("channel")
        scope = Scope(session, parse_period("2025-03-20"), d)
        every = daily_parts(session, first, last, d, scope)
        some = daily_parts(session, first, last, d, scope, parts_of(["aov"]))
    assert some.columns == ["day", GROUP, "orders", "revenue"]
    # the same rows, but for (day, group)s that only another part has: no orders, no revenue
    assert_frame_equal(
        some, every.select(some.columns).join(some.select("day", GROUP), on=["day", GROUP])
    )
    rest = every.join(some.select("day", GROUP), on=["day", GROUP], how="anti")
    assert rest.height > 0 and rest["orders"].sum() == 0 and rest["revenue"].sum() == 0
    wanted = pl.col("metric").is_in(["orders", "revenue", "aov"])
    shown = ["day", GROUP, "metric"]
    assert_frame_equal(
        daily_series(some).sort(shown),
        daily_series(every)
        .filter(wanted)
        .join(some.select("day", GROUP), on=["day", GROUP])
        .sort(shown),
    )


SERIES = [  # (from, to, grain, by): consecutive periods, read together from the aggregates
    ("2024-04-01", "2025-03-31", "month", None),
    ("2024-10-01", "2025-03-31", "month", "channel"),
    ("2025-03-01", "2025-03-12", "day", None),
    ("2025-03-01", "2025-03-06", "day", "city"),
    ("2024-04-01", "2025-03-31", "quarter", "cohort"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("start", "end", "grain", "by"), SERIES)
def test_a_series_from_the_aggregates_equals_the_raw_computation(
    pair: tuple[ml.Workspace, ml.Workspace], start: str, end: str, grain: str, by: str | None
) -> None:
    load_metrics()
    ids = [m for m in DEFINITIONS if not (by and m in NOT_SPLITTABLE)]
    keys = ["metric", "period", *([by] if by else [])]
    raw, stored = (
        ws.metrics(ids, start=start, end=end, grain=grain, by=by).sort(keys, nulls_last=True)
        for ws in pair
    )
    assert raw["period"].n_unique() >= 4 and raw["value"].drop_nulls().len() > 0
    different = stored.join(raw, on=keys, how="full", nulls_equal=True).filter(
        pl.col("value").ne_missing(pl.col("value_right"))
    )
    assert different.is_empty(), different.to_dicts()[:8]
    assert_frame_equal(stored, raw, check_exact=True)


def test_a_monthly_series_reads_the_aggregates_in_a_few_queries(
    stored: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve months of the additive and member-structure metrics: one query for the sums,
    one per member-structure metric, not one per metric and month."""
    from memberlens.engine.session import Session

    queries: list[str] = []
    real = Session.arrow

    def counted(self: Session, expression: object) -> object:
        queries.append(str(expression)[:40])
        return real(self, expression)  # type: ignore[arg-type]

    ids = ["members_total", "new_members", "orders", "revenue", "aov", "buyers",
           "active_members", "activity_rate", "repurchase_rate", "retention_rate",
           "points_issued", "points_liability", "redemption_rate"]  # fmt: skip
    with stored.session() as session:
        aggregates.current(session)  # its own queries are not the series'
    monkeypatch.setattr(Session, "arrow", counted)
    frame = stored.metrics(ids, start="2024-04-01", end="2025-03-31", grain="month")
    assert frame.height == 12 * len(ids)
    # 1 (every sum) + buyers, active members, repurchase, retention; a few more for the
    # workspace's own look-ups, never 12 × 13
    assert 5 <= len(queries) <= 12, queries


# -- refreshing ----------------------------------------------------------------------------

MEMBERS = """member_id,registered_at,channel
M1,2024-01-05,app
M2,2024-02-10,store
M3,2024-03-03,app
"""
ORDERS = """order_id,member_id,ordered_at,amount,status
O1,M1,2024-03-01 10:00,100,paid
O2,M2,2024-03-02 12:00,50,paid
O3,M1,2024-03-02 18:00,40,paid
O4,M3,2024-03-05 09:00,30,paid
"""


@pytest.fixture
def small(
    load_csv: Callable[..., ml.Workspace], write: Callable[..., Path]
) -> Callable[..., ml.Workspace]:
    ws = load_csv(("members", MEMBERS), ("orders", ORDERS))
    ws.refresh_aggregates()

    def load(table: str, name: str, text: str) -> ml.Workspace:
        ws.ingest(table, write(name, text))
        return ws

    return load


def _whole_chain(ws: ml.Workspace) -> None:
    """The stored chain of paid member orders equals a window over every order."""
    import duckdb

    window = """SELECT CAST(ordered_at AS DATE), member_id, ordered_at,
                lag(ordered_at) OVER (PARTITION BY member_id ORDER BY ordered_at)
                FROM orders WHERE status = 'paid' AND member_id IS NOT NULL ORDER BY ALL"""
    with duckdb.connect(str(ws.root / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT * FROM agg_order_chain ORDER BY ALL").fetchall()
        assert stored and stored == con.execute(window).fetchall()


def _whole_structure(ws: ml.Workspace) -> None:
    """The member structure's paid-order months equal the raw orders, and every row's
    ``previous`` flag says whether the member has the same fact in the month before."""
    import duckdb

    flags = """SELECT m.fact, m.member_id, m.month, m.n, p.member_id IS NOT NULL
               FROM agg_member_month AS m LEFT JOIN agg_member_month AS p
               ON p.fact = m.fact AND p.member_id = m.member_id
               AND p.month = CAST(m.month - INTERVAL 1 MONTH AS DATE) ORDER BY ALL"""
    paid = """SELECT member_id, CAST(date_trunc('month', ordered_at) AS DATE), count(*)
              FROM orders WHERE status = 'paid' AND member_id IS NOT NULL
              GROUP BY ALL ORDER BY ALL"""
    with duckdb.connect(str(ws.root / "warehouse.duckdb"), read_only=True) as con:
        stored = con.execute("SELECT * FROM agg_member_month ORDER BY ALL").fetchall()
        assert stored and stored == con.execute(flags).fetchall()
        months = con.execute(
            "SELECT member_id, month, n FROM agg_member_month WHERE fact = 'paid_orders' "
            "ORDER BY ALL"
        ).fetchall()
        assert months == con.execute(paid).fetchall()


FEBRUARY = "order_id,member_id,ordered_at,amount\nO0,M1,2024-02-20 10:00,90\n"


def test_a_late_month_sets_the_flags_of_the_month_after_it(
    small: Callable[..., ml.Workspace],
) -> None:
    """Retention reads the stored ``previous`` flags: a late file for February rebuilds
    February and flags March's rows again, so March's retention changes as on raw tables."""
    ws = small(
        "orders", "new.csv", "order_id,member_id,ordered_at,amount\nO5,M2,2024-03-06 10:00,70\n"
    )
    ws.refresh_aggregates()
    assert ws.metrics(["retention_rate"], period="2024-03")["value"].to_list() == [None]
    small("orders", "february.csv", FEBRUARY)
    assert ws.refresh_aggregates().months == (date(2024, 2, 1),)
    _whole_structure(ws)
    # M1 bought in February and March: retained, 1 of 1
    assert ws.metrics(["retention_rate"], period="2024-03")["value"].to_list() == [1.0]
    series = ws.metrics(["retention_rate"], start="2024-02-01", end="2024-03-31", grain="month")
    assert series["value"].to_list() == [None, 1.0]
    by = ws.metrics(["retention_rate"], period="2024-03", by="channel")
    assert by.select("channel", "value").rows() == [("app", 1.0)]


def test_layout_2_aggregates_gain_their_flags_in_place(
    small: Callable[..., ml.Workspace],
) -> None:
    import duckdb

    ws = small("orders", "february.csv", FEBRUARY)
    ws.refresh_aggregates()
    with duckdb.connect(str(ws.root / "warehouse.duckdb")) as con:  # as layout 2 left them
        con.execute("ALTER TABLE agg_member_month DROP COLUMN previous")
        con.execute("UPDATE agg_state SET value = '2' WHERE key = 'version'")
    with ws.session() as session:
        assert not aggregates.current(session)
    result = ws.refresh_aggregates()
    assert not result.rebuilt and result.days == ()
    _whole_structure(ws)
    with ws.session() as session:
        assert aggregates.current(session)
    assert ws.metrics(["retention_rate"], period="2024-03")["value"].to_list() == [1.0]


def _orders_by_channel(ws: ml.Workspace, period: str) -> list[tuple[str, float]]:
    frame = ws.metrics(["orders", "revenue", "buyers"], period=period, by="channel")
    return sorted(frame.select("metric", "channel", "value").iter_rows())  # type: ignore[arg-type]


def test_a_new_day_is_appended_and_nothing_else_is_redone(
    small: Callable[..., ml.Workspace],
) -> None:
    ws = small(
        "orders", "new.csv", "order_id,member_id,ordered_at,amount\nO5,M2,2024-03-06 10:00,70\n"
    )
    with ws.session() as session:
        assert not aggregates.current(session)  # a load since the refresh: raw tables answer
    result = ws.refresh_aggregates()
    assert result.days == (date(2024, 3, 6),)
    assert result.months == (date(2024, 3, 1),)
    assert not result.rebuilt
    assert ws.refresh_aggregates().days == ()  # nothing loaded since
    with ws.session() as session:
        assert aggregates.current(session)
    assert ("orders", "store", 2.0) in _orders_by_channel(ws, "2024-03")
    assert ws.metrics(["orders"], period="2024-03-06")["value"].to_list() == [1.0]
    _whole_chain(ws)  # O5 follows M2's O2 of 2 March: 4 days
    _whole_structure(ws)
    assert ws.metrics(["repurchase_cycle_days"], period="2024-03-06")["value"].to_list() == [
        pytest.approx(3 + 22 / 24)
    ]


def test_a_late_file_re_aggregates_exactly_the_days_it_changed(
    small: Callable[..., ml.Workspace],
) -> None:
    # O2 moves from 2 to 4 March and its amount changes; O1 is loaded again unchanged
    late = (
        "order_id,member_id,ordered_at,amount\n"
        "O1,M1,2024-03-01 10:00,100\n"
        "O2,M2,2024-03-04 12:00,55\n"
    )
    ws = small("orders", "late.csv", late)
    import duckdb

    with duckdb.connect(str(ws.root / "warehouse.duckdb"), read_only=True) as con:
        recorded = con.execute(
            "SELECT DISTINCT day FROM _load_days WHERE load_id = (SELECT max(load_id) FROM _loads) "
            "ORDER BY day NULLS LAST"
        ).fetchall()
    # the days of both rows, O2's old day, and the row saying the load recorded its days
    assert [r[0] for r in recorded] == [date(2024, 3, d) for d in (1, 2, 4)] + [None]
    result = ws.refresh_aggregates()
    assert result.days == (date(2024, 3, 2), date(2024, 3, 4))
    assert ws.metrics(["revenue"], period="2024-03-02")["value"].to_list() == [40.0]
    assert ws.metrics(["revenue"], period="2024-03-04")["value"].to_list() == [55.0]
    assert ("revenue", "store", 55.0) in _orders_by_channel(ws, "2024-03")
    _whole_chain(ws)
    _whole_structure(ws)
    # the same file again changes nothing
    ws.ingest("orders", ws.root.parent / "late.csv")
    assert ws.refresh_aggregates().days == ()


def test_only_the_recorded_days_are_fingerprinted_unless_a_load_did_not_record_them(
    small: Callable[..., ml.Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    late = "order_id,member_id,ordered_at,amount\nO2,M2,2024-03-04 12:00,55\n"
    ws = small("orders", "late.csv", late)
    seen: list[str | None] = []
    real = refresh._fingerprints
    monkeypatch.setattr(
        refresh,
        "_fingerprints",
        lambda s, only=None: seen.append(only) or real(s, only),  # type: ignore[func-returns-value]
    )
    assert ws.refresh_aggregates().days == (date(2024, 3, 2), date(2024, 3, 4))
    assert seen == ["_candidates"]
    # a load by a version that did not record its days: every day is fingerprinted again
    small("orders", "later.csv", late.replace(",55", ",60"))
    with duckdb.connect(str(ws.root / "warehouse.duckdb")) as con:
        con.execute("DELETE FROM _load_days WHERE load_id = (SELECT max(load_id) FROM _loads)")
    assert ws.refresh_aggregates().days == (date(2024, 3, 4),)
    assert seen == ["_candidates", None]
    assert ws.metrics(["revenue"], period="2024-03-04")["value"].to_list() == [60.0]


def test_a_changed_member_moves_the_days_of_their_facts(
    small: Callable[..., ml.Workspace],
) -> None:
    ws = small("members", "moved.csv", "member_id,registered_at,channel\nM1,2024-01-05,store\n")
    result = ws.refresh_aggregates()
    # M1's registration day (new members by channel) and the days of M1's orders
    assert result.days == (date(2024, 1, 5), date(2024, 3, 1), date(2024, 3, 2))
    assert result.months == (date(2024, 1, 1), date(2024, 3, 1))
    values = _orders_by_channel(ws, "2024-03")
    assert ("orders", "store", 3.0) in values and ("orders", "app", 1.0) in values


def test_a_member_change_outside_the_fixed_labels_redoes_only_its_registration_day(
    small: Callable[..., ml.Workspace],
) -> None:
    text = "member_id,registered_at,channel,gender\nM1,2024-01-05,app,female\n"
    ws = small("members", "gender.csv", text)
    assert ws.refresh_aggregates().days == (date(2024, 1, 5),)


def test_named_days_are_redone_and_a_new_layout_rebuilds(
    small: Callable[..., ml.Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = small(
        "orders", "none.csv", "order_id,member_id,ordered_at,amount\nO1,M1,2024-03-01 10:00,100\n"
    )
    assert ws.refresh_aggregates(["2024-03-05"]).days == (date(2024, 3, 5),)
    monkeypatch.setattr(aggregates, "VERSION", aggregates.VERSION + 1)
    with ws.session() as session:
        assert not aggregates.current(session)
    assert ws.refresh_aggregates().rebuilt
    with pytest.raises(ml.InputError, match="days"):
        ws.refresh_aggregates(["2024-02-30"])


def test_a_failed_refresh_leaves_the_aggregates_as_they_were(
    small: Callable[..., ml.Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = small(
        "orders", "new.csv", "order_id,member_id,ordered_at,amount\nO5,M2,2024-03-06 10:00,70\n"
    )

    def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresh, "_insert", broken)
    with pytest.raises(RuntimeError):
        ws.refresh_aggregates()
    monkeypatch.undo()
    assert ws.refresh_aggregates().days == (date(2024, 3, 6),)


def test_the_command_refreshes_and_prints_what_it_did(
    small: Callable[..., ml.Workspace],
) -> None:
    import json

    from cli.running import invoke

    ws = small(
        "orders", "new.csv", "order_id,member_id,ordered_at,amount\nO5,M2,2024-03-06 10:00,70\n"
    )
    done = invoke(
        "-w", str(ws.root), "aggregates", "refresh", "--day", "2024-03-01", "--format", "json"
    )
    assert done.exit_code == 0
    (row,) = json.loads(done.stdout)["rows"]
    assert row["days"] == 2 and row["first_day"] == "2024-03-01" and row["last_day"] == "2024-03-06"
    assert row["months"] == 1 and row["rebuilt"] is False


@pytest.mark.parametrize("by", [None, "channel", "tier"])
def test_derived_metrics_equal_their_single_expression(
    stored: ml.Workspace, by: str | None
) -> None:
    """Ratios, scaled parts and the loyalty index are derived from their parts' rows; the
    values equal those of the one expression each definition also is (explain, Spark)."""
    from memberlens.metrics.compute import Ratio, Scaled, Weighted

    derived = [m for m, d in DEFINITIONS.items() if isinstance(d, Ratio | Scaled | Weighted)]
    derived = [m for m in derived if not (by and m in NOT_SPLITTABLE)]
    assert "loyalty_index" in derived and "aov" in derived
    frame = stored.metrics(derived, period="2025-03", by=by)
    with stored.session() as session:
        scope = Scope(session, parse_period("2025-03"), dimension(by) if by else None)
        for m in derived:
            rows = session.arrow(DEFINITIONS[m](scope)).to_pylist()
            one = {row.get("_group"): row["value"] for row in rows}
            mine = frame.filter(pl.col("metric") == m)
            got = dict(zip(mine[by] if by else [None] * mine.height, mine["value"], strict=True))
            assert got == {g: None if v is None else float(v) for g, v in one.items()}, m


@pytest.mark.parametrize("by", [None, "channel", "cohort"])
def test_one_pass_over_many_periods_equals_each_period_alone(
    pair: tuple[ml.Workspace, ml.Workspace], by: str | None
) -> None:
    """The repurchase cycle, churn, breakage and NPS of a series come from one pass over
    the raw tables; each period's value equals that period computed on its own."""
    from memberlens.metrics.compute import CycleDays, Lapsed

    ids = ["repurchase_cycle_days", "churned_members", "breakage_rate", "nps"]
    assert isinstance(DEFINITIONS[ids[0]], CycleDays) and isinstance(DEFINITIONS[ids[1]], Lapsed)
    raw = pair[0]
    keys = ["metric", "period", *([by] if by else [])]
    series = raw.metrics(ids, start="2024-07-01", end="2025-03-31", grain="month", by=by)
    alone = pl.concat([raw.metrics(ids, period=p, by=by) for p in series["period"].unique().sort()])
    assert series.height >= 9 * len(ids) and series["value"].drop_nulls().len() > 9 * 3
    assert_frame_equal(series.sort(keys), alone.sort(keys), check_exact=True)


def test_the_summary_reads_its_three_periods_together_and_equals_the_raw_tables(
    pair: tuple[ml.Workspace, ml.Workspace],
) -> None:
    """The KPI summary (the period, 环比 and 同比) asks for its three periods at once."""
    from memberlens.web.pages import KPIS

    raw, stored = (ws.summary(list(KPIS), period="2025-03") for ws in pair)
    assert raw["previous"].drop_nulls().len() == len(KPIS)
    assert_frame_equal(stored, raw, check_exact=True)
    alone = pair[0].metrics(list(KPIS), period="2025-02")  # the previous month on its own
    assert dict(zip(alone["metric"], alone["value"], strict=True)) == dict(
        zip(raw["metric"], raw["previous"], strict=True)
    )


def test_the_cycle_of_overlapping_periods_in_one_pass_equals_each_alone(
    pair: tuple[ml.Workspace, ml.Workspace],
) -> None:
    """Periods that share days (a quarter and its months, one twice) take the conditional
    medians; disjoint ones the grouped median. Both give each period's own value."""
    from memberlens.dates.periods import Grain, Period
    from memberlens.metrics.compute import CycleDays, _disjoint
    from memberlens.metrics.scope import Scope

    ends = {1: 31, 2: 28, 3: 31}
    months = [Period(Grain.MONTH, date(2025, m, 1), date(2025, m, ends[m])) for m in ends]
    quarter = Period(Grain.QUARTER, date(2025, 1, 1), date(2025, 3, 31))
    with pair[0].session() as s:
        cycle = CycleDays()
        for periods in ([*months, quarter, months[0]], [months[2], months[0], months[0]]):
            wide = s.arrow(cycle.over(Scope(s, periods[0]), periods)).to_pylist()[0]
            alone = [s.arrow(cycle(Scope(s, p))).to_pylist()[0]["value"] for p in periods]
            assert [wide[f"_v{k}"] for k in range(len(periods))] == alone
            assert all(v is not None for v in alone)
    assert not _disjoint([*months, quarter]) and _disjoint(months)


def test_days_redone_from_copies_of_their_rows_equal_the_first_refresh(
    stored: ml.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh of a few days reads copies of those days' rows (``_narrowed``); every
    part of every fixed dimension equals what the first refresh computed from whole tables."""
    import duckdb

    shutil.copytree(stored.root, tmp_path / "ws")
    ws = ml.open(tmp_path / "ws")
    days = ["2024-12-31", "2025-03-01", "2025-03-14", "2025-06-30"]
    query = (
        "SELECT dimension, grp, day, part, value FROM agg_daily "
        "WHERE strftime(day, '%Y-%m-%d') IN ({}) ORDER BY ALL".format(
            ", ".join(f"'{d}'" for d in days)
        )
    )

    def rows() -> list[tuple[object, ...]]:
        with duckdb.connect(str(ws.root / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(query).fetchall()

    first = rows()
    assert {r[0] for r in first} == {"", *(d.id for d in aggregates.fixed_dimensions())}
    assert {r[3] for r in first} >= {"orders", "new_members", "points_expired", "distinct_redeem"}
    narrowed = []
    real = refresh._narrowed
    monkeypatch.setattr(
        refresh,
        "_narrowed",
        lambda s, d, e: narrowed.append(d) or real(s, d, e),  # type: ignore[func-returns-value]
    )
    result = ws.refresh_aggregates(days)
    assert [str(d) for d in result.days] == days and len(narrowed) == 1
    assert rows() == first
    _whole_chain(ws)  # rebuilt from the first of those days on


def test_the_group_comparison_reads_the_stored_chain_and_gives_the_raw_result(
    pair: tuple[ml.Workspace, ml.Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Points users against the others: the repurchase gaps from the chain of orders when
    the aggregates are current, the same statistics as from the raw orders: counts and
    medians exactly, means and their tests to the rounding of a sum of doubles (the gaps
    are added in another order)."""
    from memberlens.analyses.compare import compare
    from memberlens.metrics import compute

    tables = []
    for ws in pair:
        with ws.session() as session:
            tables.append(compare(session, "points_user", parse_period("2025-03")).table)
    cycle = [t.filter(pl.col("measure") == "repurchase_cycle_days") for t in tables]
    assert cycle[0]["n_a"][0] > 100
    exact = ["n_a", "n_b", "median_a", "median_b"]
    assert_frame_equal(cycle[1].select(exact), cycle[0].select(exact), check_exact=True)
    assert_frame_equal(tables[1], tables[0], check_exact=False, rel_tol=1e-12)

    def unused(*args: object) -> None:
        raise AssertionError("the raw orders were read")

    monkeypatch.setattr(compute, "with_previous", unused)
    with pair[1].session() as session:
        again = compare(session, "points_user", parse_period("2025-03")).table
    assert_frame_equal(again, tables[1], check_exact=True)


SHARED_PERIODS = (
    ("2025-03", "2025-02", "2024-03"),  # a month with its 环比 and 同比
    ("2025-Q1", "2024-Q4", "2024-Q1", "2021-Q1"),  # the last before any order: empty
    ("2025-03-14", "2025-W10"),  # 3 to 9 March
)


@pytest.mark.parametrize("by", [None, "channel", "cohort"])
@pytest.mark.parametrize("names", SHARED_PERIODS)
def test_counts_sums_and_rates_of_the_same_facts_in_one_pass_equal_each_alone(
    pair: tuple[ml.Workspace, ml.Workspace], by: str | None, names: tuple[str, ...]
) -> None:
    """Orders, revenue, buyers, repurchase and retention (and the counts of the other
    facts) of several periods from one pass over each kind of facts: each period's rows
    equal its own expression's, to the last digit, with or without a split."""
    from memberlens.metrics.compute import Repeat, Retained
    from memberlens.metrics.shared import shareable, shared

    load_metrics()
    wanted = [d for d in DEFINITIONS.values() if shareable(d)]
    assert any(isinstance(d, Retained) for d in wanted)
    assert any(isinstance(d, Repeat) for d in wanted)
    periods = [parse_period(p) for p in names]
    split = dimension(by) if by else None
    with pair[0].session() as s:
        found = shared(Scope(s, periods[0], split), wanted, periods)
        compared = 0
        for period in periods:
            for d in wanted:
                alone = s.arrow(d(Scope(s, period, split))).to_pylist()

                def key(row: dict[str, object]) -> str:
                    return str(row.get("_group"))

                assert sorted(found[period][d], key=key) == sorted(alone, key=key), (period, d)
                compared += 1
        assert compared == len(wanted) * len(periods)
        values = [row["value"] for p in periods for d in wanted for row in found[p].get(d, [])]
        assert sum(v not in (None, 0) for v in values) > len(wanted)


def test_the_paid_order_metrics_of_a_series_read_the_orders_once(
    pair: tuple[ml.Workspace, ml.Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight metrics of paid orders for each month of a quarter (retention comparing the
    members of two months among them) take the queries of one of them."""
    from memberlens.engine.session import Session

    def queries(ids: list[str]) -> int:
        ran: list[object] = []
        arrow = Session._pyarrow
        monkeypatch.setattr(Session, "_pyarrow", lambda s, e: ran.append(e) or arrow(s, e))
        pair[0].metrics(ids, start="2025-01-01", end="2025-03-31", grain="month")
        monkeypatch.setattr(Session, "_pyarrow", arrow)
        return len(ran)

    paid = ["orders", "revenue", "buyers", "aov", "arpu", "purchase_frequency"]
    assert queries([*paid, "repurchase_rate"]) == queries(["orders"])
    assert queries([*paid, "repurchase_rate", "retention_rate"]) == queries(["orders"])
    assert queries(["retention_rate"]) == queries(["orders"])


def test_periods_that_share_days_are_left_to_each_period_alone(
    pair: tuple[ml.Workspace, ml.Workspace],
) -> None:
    """A day inside a week is not labelled with one period: the definitions come back
    without rows, for the period-by-period path. Retention of a month whose previous month
    lies in another period asked for is left to that path, the rest is shared."""
    from memberlens.metrics.compute import PAID, Distinct, Retained, buyers, orders
    from memberlens.metrics.shared import shared

    assert isinstance(buyers, Distinct) and buyers.facts == PAID
    retention = Retained(PAID)
    day, week = parse_period("2025-03-14"), parse_period("2025-W11")  # 10 to 16 March
    quarter, april = parse_period("2025-Q1"), parse_period("2025-04")  # March is in Q1
    march, february = parse_period("2025-03"), parse_period("2025-02")
    with pair[0].session() as s:
        assert shared(Scope(s, day), [orders, buyers], [day, week]) == {day: {}, week: {}}
        both = shared(Scope(s, quarter), [orders, retention], [quarter, april])
        assert set(both[quarter]) == {orders} == set(both[april])
        months = shared(Scope(s, march), [orders, retention], [march, february])
        assert set(months[march]) == {orders, retention} == set(months[february])
