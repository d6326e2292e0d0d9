"""The members page: CLV and churn-risk histograms, value × loyalty, tier migration, cohorts
— every figure as the Workspace API gives it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

import memberlens as ml
from memberlens.models.results import CHURN_TABLE, CLV_TABLE, replace_table
from memberlens.web.app import create_app
from memberlens.web.users import Role, UserStore
from web.conftest import AS_OF, PERIOD

RISKS = [0.01, 0.02, 0.04, 0.05, 0.30, 0.51, 0.97, 1.0]
CLVS = [0.0] * 90 + [float(i) for i in range(1, 10)] + [10_000.0]


def island(html: str, name: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert found, name
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def scored(small_program_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A copy of the small program with hand-made saved CLV and churn scores and a viewer."""
    root = tmp_path_factory.mktemp("scored") / "ws"
    shutil.copytree(small_program_ws.root, root)
    ws = ml.open(root)
    churn = pl.select(
        member_id=pl.Series([f"M{i:08d}" for i in range(1, len(RISKS) + 1)]),
        as_of=pl.lit("2025-06-30").str.to_date(),
        risk=pl.Series(RISKS),
        level=pl.Series(["low"] * 4 + ["medium", "high", "high", "high"]),
    )
    replace_table(ws.warehouse_path, CHURN_TABLE, churn)
    clv = pl.select(
        member_id=pl.Series([f"M{i:08d}" for i in range(1, len(CLVS) + 1)]),
        clv=pl.Series(CLVS),
        p_alive=pl.lit(0.5),
        expected_purchases=pl.lit(1.0),
        expected_spend=pl.lit(100.0),
        calibration_end=pl.lit("2025-05-31").str.to_date(),
    )
    replace_table(ws.warehouse_path, CLV_TABLE, clv)
    UserStore(root).add("vic", Role.viewer, "viewer-pass-1")
    client = TestClient(create_app(root, secret="s"))
    client.post("/api/v1/login", json={"username": "vic", "password": "viewer-pass-1"})
    return ws, client


def test_churn_histogram_by_hand(scored: Any) -> None:
    ws, client = scored
    found = ws.models.score_distribution("churn")
    assert found["members"] == len(RISKS) and found["as_of"] == "2025-06-30"
    assert found["edges"][:3] == [0.0, 0.05, 0.1] and found["edges"][-1] == 1.0
    counts = found["counts"]
    assert counts[0] == 3  # 0.01, 0.02, 0.04
    assert counts[1] == 1  # 0.05 opens the second bin
    assert counts[6] == 1 and counts[10] == 1  # 0.30, 0.51
    assert counts[19] == 2  # 0.97 and 1.0 (the top edge counts in the last bin)
    assert sum(counts) == len(RISKS)
    assert found["levels"] == {"low": 4, "medium": 1, "high": 3}
    assert client.get("/api/v1/scores/churn").json() == found


def test_clv_histogram_keeps_the_top_in_its_last_bin(scored: Any) -> None:
    ws, _ = scored
    found = ws.models.score_distribution("clv", bins=10)
    top = float(pl.Series(CLVS).quantile(0.99, "linear"))
    assert found["edges"][-1] == pytest.approx(top)
    assert found["open_last"] is True
    assert found["counts"][-1] >= 1  # 10 000 is far above the 99th percentile
    assert sum(found["counts"]) == len(CLVS)
    assert found["counts"][0] >= 90


def test_no_scores_yet(web_ws: ml.Workspace, viewer: TestClient) -> None:
    assert web_ws.models.score_distribution("clv") is None
    answer = viewer.get("/api/v1/scores/clv")
    assert answer.status_code == 404 and "clv --calibration-end" in answer.text
    assert viewer.get("/api/v1/scores/ltv").status_code == 422
    page = viewer.get(f"/members?period={PERIOD}").text
    assert "clvchart" not in page and "memberlens clv" in page


def test_the_members_page_draws_the_api_figures(scored: Any) -> None:
    ws, client = scored
    page = client.get(f"/members?period={PERIOD}&lang=en")
    assert page.status_code == 200
    html = page.text
    churn = island(html, "churnchart")
    assert churn["y"] == client.get("/api/v1/scores/churn").json()["counts"]
    assert churn["x"][0] == "0.0%–5.0%"
    clv = island(html, "clvchart")
    assert clv["y"] == ws.models.score_distribution("clv")["counts"]
    assert clv["x"][-1].startswith("≥ ")

    value = client.get(f"/api/v1/value?as_of={AS_OF}&lang=en").json()
    chart = island(html, "valuechart")
    assert chart["x"] == [r["name"] for r in value["matrix"]]
    assert chart["series"][1]["y"] == [r["revenue_share"] for r in value["matrix"]]
    report = ws.segments.value(AS_OF, language="en")
    assert value["scored"] == report.scored
    assert sum(r["members"] for r in value["matrix"]) == report.scored

    since = "2024-06-30"  # a year before the period's end
    moves = client.get(f"/api/v1/tiers/migration?from={since}&to={AS_OF}&lang=en").json()
    grid = island(html, "migration")
    total = sum(sum(row) for row in grid["z"])
    assert total == sum(r["members"] for r in moves["rows"])
    assert total == ws.tiers(AS_OF).height  # every member: held a tier, or new
    assert "Standard" in grid["x"] and "(new)" in grid["y"]
    cell = moves["rows"][0]
    assert (
        grid["z"][grid["y"].index(cell["from_name"])][grid["x"].index(cell["to_name"])]
        == (cell["members"])
    )

    cohorts = client.get(f"/api/v1/cohorts?from=2024-07-01&to={AS_OF}").json()["rows"]
    heat = island(html, "cohorts")
    some = cohorts[0]
    row = heat["y"].index(some["cohort"])
    assert heat["z"][row][some["months_since"]] == some["share"]


def test_migration_rows_by_hand(scored: Any, tmp_path: Path) -> None:
    ws, _ = scored
    moves = ws.program.tier_migration("2025-01-01", AS_OF)
    history = ws.program.tier_history("2025-01-01", AS_OF)
    held = history.on(history.end)
    assert moves["members"].sum() == held.height
    new = moves.filter(pl.col("from") == "(new)")["members"].sum()
    assert new == held.height - history.on(history.start).height
    assert set(moves["from_name"]) <= {*(lv.name for lv in ws.config.tiers.levels), "新会员"}
