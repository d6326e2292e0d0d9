"""Service metrics on the hand-made shop, values worked out by hand for March 2024."""

import dataclasses
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.dates.periods import parse_period
from memberlens.metrics.compute import Scope
from memberlens.metrics.dimensions import GROUP, dimension
from memberlens.voc.service import DEFINITIONS, METRICS

METRICS_OF_VOC, VOC_DEFINITIONS = METRICS, DEFINITIONS


def _values(ws: ml.Workspace, metric: str, by: str | None = None) -> dict[str, float | None]:
    with ws.session() as s:
        scope = Scope(s, parse_period("2024-03"), None if by is None else dimension(by))
        rows = s.rows(DEFINITIONS[metric](scope))
    return {str(r.get(GROUP)): r["value"] for r in rows}


def test_catalog_entries_match_definitions() -> None:
    assert [m.id for m in METRICS] == list(DEFINITIONS)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        # 4 paid member orders in March; tickets opened in March: T1, T4 complaints, T2 inquiry
        ("inquiry_rate", 250.0),
        ("suggestion_rate", 0.0),
        ("return_ticket_rate", 0.0),
        # resolved in March: T1 10 h, T2 24 h, T3 36 h (Feb 28 12:00 → Mar 1, a leap year)
        ("resolution_hours_median", 24.0),
        ("resolution_hours_p90", 33.6),  # 24 + 0.8 × (36 − 24)
    ],
)
def test_march(shop: ml.Workspace, metric: str, expected: float) -> None:
    assert _values(shop, metric)["None"] == pytest.approx(expected)


def test_satisfaction_after_resolution(shop: ml.Workspace, write: Callable[..., Path]) -> None:
    assert _values(shop, "post_resolution_satisfaction")["None"] is None  # none recorded
    shop.ingest(
        "tickets",
        write("more.csv", "ticket_id,member_id,opened_at,kind,resolved_at,satisfaction\n"
                          "T1,M1,2024-03-02 10:00,complaint,2024-03-02 20:00,4\n"
                          "T2,M3,2024-03-06 09:00,inquiry,2024-03-07 09:00,1\n"
                          "T5,M3,2024-03-09 09:00,inquiry,,5\n"),
    )  # fmt: skip
    # T1 4 and T2 1 were resolved in March; T5 is unresolved
    assert _values(shop, "post_resolution_satisfaction")["None"] == pytest.approx(2.5)


def test_split_by_cohort(shop: ml.Workspace) -> None:
    # March orders by cohort: 2024-01 (M1) O4, O5; 2024-03 (M3, M4) O6, O9; inquiry T2 is M3's
    by = _values(shop, "inquiry_rate", by="cohort")
    assert by["2024-03"] == pytest.approx(500.0) and by["2024-01"] == 0.0


# A tiny program for the catalog: three members in two channels and two stores.
MEMBERS = """member_id,registered_at,channel,store_id
A,2024-01-01,app,S1
B,2024-01-01,store,S1
C,2024-01-01,store,S2
"""
ORDERS = """order_id,member_id,ordered_at,amount,status
O1,A,2024-02-10 10:00,10,paid
O2,A,2024-03-01 10:00,10,paid
O3,A,2024-03-02 10:00,10,paid
O4,B,2024-03-03 10:00,10,paid
O5,C,2024-03-04 10:00,10,paid
O6,C,2024-03-05 10:00,10,refunded
"""
# March: A, B complaints; B a return; C an inquiry (open); a suggestion without a member.
# Resolved in March: 2 h (sat 5), 10 h (3), 30 h (1), 4 h (none).
TICKETS = """ticket_id,member_id,opened_at,kind,resolved_at,satisfaction
K0,C,2024-02-11 10:00,complaint,2024-02-11 11:00,4
K1,A,2024-03-01 12:00,complaint,2024-03-01 14:00,5
K2,B,2024-03-03 12:00,complaint,2024-03-03 22:00,3
K3,B,2024-03-04 00:00,return,2024-03-05 06:00,1
K4,C,2024-03-05 12:00,inquiry,,
K5,,2024-03-06 08:00,suggestion,2024-03-06 12:00,
"""


@pytest.fixture
def service(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    ws = load_csv(("members", MEMBERS), ("orders", ORDERS), ("tickets", TICKETS))
    config = ws.root / "memberlens.toml"
    default = config.read_text(encoding="utf-8").split("# Targets:")[0]
    config.write_text(
        default + "[targets.complaint_rate]\nvalue = 400\n"
        "[targets.resolution_hours_median]\nvalue = 8\n",
        encoding="utf-8",
    )
    return ml.open(ws.root)


def _by(frame: pl.DataFrame, metric: str, column: str) -> dict[str, float | None]:
    rows = frame.filter(pl.col("metric") == metric).to_dicts()
    return {r[column]: r["value"] for r in rows}


def test_service_metrics_are_in_the_catalog() -> None:
    from memberlens.metrics.catalog import CATALOG, METRICS
    from memberlens.metrics.compute import DEFINITIONS
    from memberlens.workspace import load_metrics

    found = load_metrics()
    for entry in METRICS_OF_VOC:
        assert found[entry.id] is CATALOG[entry.id] and entry in METRICS
        assert DEFINITIONS[entry.id] is VOC_DEFINITIONS[entry.id]
    assert len(METRICS) == len(CATALOG) == len(DEFINITIONS)


def test_registering_another_metric_under_a_catalog_id_fails() -> None:
    from memberlens.metrics.catalog import CATALOG, register

    clash = dataclasses.replace(CATALOG["orders"], zh="别的")
    with pytest.raises(ValueError, match="already in the catalog"):
        register(clash)


def test_march_values_by_hand(service: ml.Workspace) -> None:
    ids = [
        "complaint_rate",
        "suggestion_rate",
        "return_ticket_rate",
        "inquiry_rate",
        "resolution_hours_median",
        "resolution_hours_p90",
        "post_resolution_satisfaction",
    ]
    frame = service.metrics(ids, "2024-03")
    values = dict(zip(frame["metric"], frame["value"], strict=True))
    # 4 paid member orders in March (O6 was refunded)
    assert values["complaint_rate"] == pytest.approx(500.0)  # K1, K2
    assert values["suggestion_rate"] == pytest.approx(250.0)  # K5 (no member still counts)
    assert values["return_ticket_rate"] == pytest.approx(250.0)
    assert values["inquiry_rate"] == pytest.approx(250.0)
    assert values["resolution_hours_median"] == pytest.approx(7.0)  # of 2, 4, 10, 30
    assert values["resolution_hours_p90"] == pytest.approx(24.0)  # 10 + 0.7 × (30 − 10)
    assert values["post_resolution_satisfaction"] == pytest.approx(3.0)  # (5 + 3 + 1) / 3


def test_splits_by_store_channel_tier_and_segment(service: ml.Workspace) -> None:
    by_store = service.metrics(["complaint_rate", "resolution_hours_median"], "2024-03",
                               by="store_id")  # fmt: skip
    # S1 (A, B): 2 complaints per 3 orders; S2 (C): none per 1 order
    assert _by(by_store, "complaint_rate", "store_id") == {
        "S1": pytest.approx(2000 / 3), "S2": 0.0}  # fmt: skip
    # resolved: S1 2 h, 10 h, 30 h; the suggestion without a member is (unknown)
    assert _by(by_store, "resolution_hours_median", "store_id") == {
        "S1": pytest.approx(10.0), "(unknown)": pytest.approx(4.0)}  # fmt: skip
    by_channel = service.metrics(["return_ticket_rate", "post_resolution_satisfaction"],
                                 "2024-03", by="channel")  # fmt: skip
    assert _by(by_channel, "return_ticket_rate", "channel") == {
        "app": 0.0, "store": pytest.approx(500.0)}  # fmt: skip
    assert _by(by_channel, "post_resolution_satisfaction", "channel") == {
        "app": pytest.approx(5.0), "store": pytest.approx(2.0)}  # fmt: skip
    # no member reaches a tier threshold: one group, the whole program
    by_tier = service.metrics(["complaint_rate"], "2024-03", by="tier")
    assert _by(by_tier, "complaint_rate", "tier") == {"normal": pytest.approx(500.0)}
    # RFM segments partition the buyers: orders-weighted rates add up to the complaints
    segment = service.metrics(["complaint_rate", "orders"], "2024-03", by="rfm_segment")
    rates = _by(segment, "complaint_rate", "rfm_segment")
    orders = _by(segment, "orders", "rfm_segment")
    assert len(rates) >= 2
    assert sum((rates[g] or 0) * (orders[g] or 0) for g in rates) == pytest.approx(2000.0)


def test_series_summary_and_targets(service: ml.Workspace) -> None:
    series = service.metrics(["complaint_rate"], start="2024-02-01", end="2024-03-31",
                             grain="month")  # fmt: skip
    # February: K0 per O1 → 1,000 ‰; March 500 ‰
    assert dict(zip(series["period"], series["value"], strict=True)) == {
        "2024-02": pytest.approx(1000.0), "2024-03": pytest.approx(500.0)}  # fmt: skip
    summary = service.summary(["complaint_rate", "resolution_hours_median", "inquiry_rate"],
                              "2024-03").to_dicts()  # fmt: skip
    rows = {r["metric"]: r for r in summary}
    complaint = rows["complaint_rate"]
    assert complaint["previous"] == pytest.approx(1000.0)
    assert complaint["change_vs_previous"] == pytest.approx(-500.0)  # per-thousand: in points
    assert complaint["status"] == "off_target"  # 500 against 400, lower is better
    assert rows["resolution_hours_median"]["status"] == "on_target"  # 7 h against 8 h
    assert rows["inquiry_rate"]["status"] == "no_target"
