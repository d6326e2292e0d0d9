"""Service metrics on the hand-made shop, values worked out by hand for March 2024."""

from collections.abc import Callable
from pathlib import Path

import pytest

import memberlens as ml
from memberlens.dates.periods import parse_period
from memberlens.metrics.compute import Scope
from memberlens.metrics.dimensions import GROUP, dimension
from memberlens.voc.service import DEFINITIONS, METRICS


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
