"""The what-if replay of the current rules reproduces the recorded ledger of the demo program.

The generator earns, redeems and expires points under the default ``[tiers]`` and ``[points]``
rules (memberlens.generate.points), so a candidate that repeats the workspace's own rules must
give, for every year, the recorded figures: purchase points issued, points expired (at
23:59:59 on 31 December, memberlens.dates.expiry), the outstanding balance and the liability of
the metrics catalog. The one planted difference is the anomaly (truth.json): purchase earn
entries written twice on one day, which a replay from the orders issues once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import memberlens as ml
from memberlens.config import CONFIG_FILE
from memberlens.dates.expiry import lapses_at, year_end_lapse

YEARS = (2022, 2023, 2024, 2025)  # the generated program's years


def same_rules(ws: ml.Workspace, folder: Path) -> Path:
    """A candidate file holding the workspace's own [tiers] and [points] sections verbatim."""
    keep, lines = False, []
    for line in (ws.root / CONFIG_FILE).read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[\[?([a-z_]+)", line)
        if header:
            keep = header.group(1) in ("tiers", "points")
        if keep:
            lines.append(line)
    path = folder / "same.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_lapse_instant_is_the_last_second_of_the_next_year() -> None:
    assert year_end_lapse(2024) == datetime(2025, 12, 31, 23, 59, 59)
    assert lapses_at(datetime(2024, 1, 1)) == lapses_at(datetime(2024, 12, 31, 23, 59, 59))
    assert lapses_at(datetime(2025, 1, 1)) == datetime(2026, 12, 31, 23, 59, 59)


@pytest.mark.slow
@pytest.mark.parametrize("year", YEARS)
def test_current_rules_replayed_reproduce_the_ledger(
    demo_ws: ml.Workspace,
    program: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    year: int,
) -> None:
    _, truth = program
    anomaly = truth["anomaly"]
    twice = anomaly["duplicate_points"] if date.fromisoformat(anomaly["date"]).year == year else 0
    twice_by_end = (
        anomaly["duplicate_points"] if date.fromisoformat(anomaly["date"]).year <= year else 0
    )
    result = demo_ws.program.what_if(
        same_rules(demo_ws, tmp_path), f"{year}-01-01", f"{year}-12-31"
    )
    now, then = result.current.figures, result.candidate.figures
    assert now == then
    recorded = {
        r["metric"]: r["value"]
        for r in demo_ws.metrics(
            ["points_expired", "points_outstanding", "points_liability"], period=str(year)
        ).iter_rows(named=True)
    }
    with demo_ws.session() as session:
        p = session.table("points")
        purchases = p.filter(
            (p.kind == "earn") & (p.source == "purchase") & (p.at.year() == year)
        ).points.sum()
        issued = session.scalar(purchases)
    assert now["points_issued_purchases"] == issued - twice
    assert now["points_expired"] == recorded["points_expired"]
    assert now["points_outstanding"] == recorded["points_outstanding"] - twice_by_end
    value = demo_ws.config.workspace.point_value
    assert now["points_liability"] == pytest.approx(
        recorded["points_liability"] - twice_by_end * value
    )
    # a recorded redemption may spend the duplicated points, which the replay does not issue
    assert now["members_over_redeemed"] <= (anomaly["duplicate_entries"] if twice_by_end else 0)
    if year > YEARS[0]:
        assert now["points_expired"] > 0  # the year-end expiry is inside the year
