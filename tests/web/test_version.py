"""The data version (ws.data_version) keys the service's cache: a load refreshes answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.models.results import CHURN_TABLE, replace_table
from memberlens.web.queries import Queries
from web.conftest import AS_OF


@pytest.fixture
def copy(small_program_ws: ml.Workspace, tmp_path: Path) -> ml.Workspace:
    root = tmp_path / "ws"
    shutil.copytree(small_program_ws.root, root)
    return ml.open(root)


def test_a_load_changes_the_version_and_the_cached_answer(
    copy: ml.Workspace, tmp_path: Path
) -> None:
    before = copy.data_version()
    assert before == copy.data_version()  # nothing written: the same value
    queries = Queries(copy.root)
    first = queries.tiers(AS_OF, True)
    assert queries.tiers(AS_OF, True) is first  # served from the cache
    members = sum(r["members"] for r in first)

    new = tmp_path / "new.csv"
    new.write_text("member_id,registered_at\nZ0000001,2025-01-02\n", encoding="utf-8")
    result = copy.ingest("members", new)
    assert result.loaded == 1
    after = copy.data_version()
    assert after != before and after.startswith("load ")
    assert int(after.split(";")[0].split()[1]) == int(before.split(";")[0].split()[1]) + 1

    second = queries.tiers(AS_OF, True)
    assert second is not first
    assert sum(r["members"] for r in second) == members + 1
    normal = {r["tier"]: r["members"] for r in first}["normal"]
    assert {r["tier"]: r["members"] for r in second}["normal"] == normal + 1


def test_saved_scores_change_the_version(copy: ml.Workspace) -> None:
    before = copy.data_version()
    assert f"{CHURN_TABLE} -" in before
    frame = pl.select(
        member_id=pl.Series(["M00000001", "M00000002"]),
        as_of=pl.lit("2025-06-30").str.to_date(),
        risk=pl.Series([0.1, 0.9]),
        level=pl.Series(["low", "high"]),
    )
    replace_table(copy.warehouse_path, CHURN_TABLE, frame)
    after = copy.data_version()
    assert f"{CHURN_TABLE} 2 2025-06-30" in after and after != before
