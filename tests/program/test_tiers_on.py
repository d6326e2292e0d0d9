"""Tiers on many days in one pass equal the tiers of each day computed on its own, with and
without invitation-only levels."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.program.tiers import tiers_expression, tiers_on

DAYS = [date(2024, 6, 30), date(2025, 1, 14), date(2025, 1, 15), date(2025, 11, 10)]

AMBASSADOR = """[[tiers.levels]]
id = "ambassador"
name = "品牌大使"
invitation_only = true

[points]"""


def _day_by_day(ws: ml.Workspace, days: list[date]) -> pl.DataFrame:
    with ws.session() as s:
        frames = [
            pl.from_arrow(s.arrow(tiers_expression(s, d).select("member_id", "tier"))).with_columns(
                day=pl.lit(d)
            )
            for d in days
        ]
    return pl.concat(frames).select("member_id", "day", "tier").sort("member_id", "day")  # type: ignore[arg-type]


def _one_pass(ws: ml.Workspace, days: list[date]) -> pl.DataFrame:
    with ws.session() as s:
        frame = pl.from_arrow(s.arrow(tiers_on(s, days)))
    assert isinstance(frame, pl.DataFrame)
    return frame.select("member_id", "day", "tier").sort("member_id", "day")


def test_tiers_on_many_days_equal_each_day_on_its_own(demo_ws: ml.Workspace) -> None:
    expected = _day_by_day(demo_ws, DAYS)
    assert expected["tier"].n_unique() >= 3  # the days hold members on several levels
    assert _one_pass(demo_ws, DAYS).equals(expected)
    assert _one_pass(demo_ws, [DAYS[1]]).equals(_day_by_day(demo_ws, [DAYS[1]]))


@pytest.fixture
def invited(demo_ws: ml.Workspace, tmp_path: Path) -> ml.Workspace:
    root = tmp_path / "ws"
    shutil.copytree(demo_ws.root, root)
    members = demo_ws.table("members")["member_id"].sort().to_list()
    config = root / "memberlens.toml"
    text = config.read_text(encoding="utf-8").replace("\n[points]", "\n" + AMBASSADOR, 1)
    text = text.replace('# invitations = "invitations.csv"', 'invitations = "invitations.csv"')
    (root / "invitations.csv").write_text(
        "member_id,tier,valid_from,valid_to\n"
        f"{members[0]},ambassador,2025-01-15,2025-01-31\n"  # one of two adjacent days
        f"{members[1]},ambassador,2024-01-01,\n"  # open-ended: every day
        f"{members[2]},ambassador,2025-12-01,2025-12-31\n",  # after every day
        encoding="utf-8",
    )
    config.write_text(text, encoding="utf-8")
    return ml.open(root)


def test_invitations_grant_their_level_on_the_days_they_are_valid(invited: ml.Workspace) -> None:
    expected = _day_by_day(invited, DAYS)
    granted = expected.filter(pl.col("tier") == "ambassador")
    assert granted.height == 5  # members[0] on 2025-01-15, members[1] on all four days
    assert _one_pass(invited, DAYS).equals(expected)


def test_tiers_on_no_day_is_a_clear_error(demo_ws: ml.Workspace) -> None:
    with demo_ws.session() as s, pytest.raises(ValueError, match="at least one day"):
        tiers_on(s, [])
