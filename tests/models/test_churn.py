"""Lapse thresholds, churn labels and Kaplan-Meier durations by hand; the model on demo data."""

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.models.churn.lapse import FEATURES, informative, labels, thresholds
from memberlens.models.churn.model import ChurnResult
from memberlens.models.churn.survival import durations

MEMBERS = """member_id,registered_at
A,2024-01-01
B,2024-01-01
C,2024-01-01
D,2024-01-01
E,2024-01-01
"""
# A buys every 10 days, B once in 60 days, C once before the cut-off, D three days in a row
# long ago, E only after the cut-off 2025-02-10.
ORDERS = """order_id,member_id,ordered_at,amount
A1,A,2025-01-01 10:00,10
A2,A,2025-01-11 10:00,10
A3,A,2025-01-21 10:00,10
B1,B,2024-11-01 10:00,10
B2,B,2024-12-31 10:00,10
C1,C,2025-01-15 10:00,10
C2,C,2025-02-20 10:00,10
D1,D,2024-01-01 10:00,10
D2,D,2024-01-02 10:00,10
D3,D,2024-01-03 10:00,10
E1,E,2025-02-11 10:00,10
"""
CUTOFF = date(2025, 2, 10)


@pytest.fixture
def tiny(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(("members", MEMBERS), ("orders", ORDERS))


def _rows(ws: ml.Workspace, build: Callable[..., object]) -> list[tuple[object, ...]]:
    with ws.session() as session:
        frame = pl.from_arrow(session.arrow(build(session)))
    assert isinstance(frame, pl.DataFrame)
    return frame.sort("member_id").rows()


def test_thresholds_follow_each_members_cycle(tiny: ml.Workspace) -> None:
    rows = _rows(
        tiny,
        lambda b: thresholds(b, CUTOFF, 3.0).select(
            "member_id", "purchase_days", "typical_gap", "threshold_days"
        ),
    )
    # A: gaps 10, 10 → 3 × 10 = 30; B: gap 60 → 180; C: one purchase day → [churn]
    # inactive_days = 180; D: gaps 1, 1 → 3 × 1 = 3, raised to the 30-day floor
    assert rows == [
        ("A", 3, 10.0, 30.0),
        ("B", 2, 60.0, 180.0),
        ("C", 1, None, 180.0),
        ("D", 3, 1.0, 30.0),
    ]


def test_labels_mark_who_lapses_in_the_window(tiny: ml.Workspace) -> None:
    rows = _rows(tiny, lambda b: labels(b, CUTOFF, 30, 3.0))
    # at the cut-off D is already lapsed (404 days > 30) and E has not bought: neither is
    # labelled. By 03-12: A has not bought for 50 days > 30 → lapsed; B 71 days ≤ 180;
    # C bought on 02-20.
    assert rows == [("A", 1), ("B", 0), ("C", 0)]


def test_durations_to_first_lapse(tiny: ml.Workspace) -> None:
    rows = _rows(tiny, lambda b: durations(b, date(2025, 3, 31), 3.0).drop("tier"))
    # as of 03-31: A lapses after 01-21 (69 days > 30): 20 + 30 = 50 days after its first
    # purchase; B (gap 60, threshold 180) is censored at 150 days; C (gap 36, threshold
    # 108) censored at 75; D lapses after its third day: 2 + 30 = 32; E censored at 48.
    assert rows == [
        ("A", 50.0, 1),
        ("B", 150.0, 0),
        ("C", 75.0, 0),
        ("D", 32.0, 1),
        ("E", 48.0, 0),
    ]


def test_kaplan_meier_by_tier(tiny: ml.Workspace) -> None:
    result = tiny.models.survival("2025-03-31")
    # everyone is "normal". Events at 32 (5 at risk) and 50 (3 at risk: A, B, C):
    # S(32) = 4/5, S(50) = 4/5 · 2/3
    curve = dict(result.curves.filter(pl.col("tier") == "normal").select("day", "survival").rows())
    assert curve[30] == 1.0
    assert curve[60] == pytest.approx(0.8 * 2 / 3)
    assert result.medians.rows() == [("normal", 5, 2, None)]


@pytest.fixture(scope="module")
def modelled(demo_ws: ml.Workspace) -> ChurnResult:
    return demo_ws.models.churn(save=False)


def test_churn_model_beats_recency_on_demo_data(modelled: ChurnResult) -> None:
    r = modelled
    print(
        f"churn AUC {r.auc:.3f} vs recency only {r.baseline_auc:.3f}: "
        f"+{r.auc - r.baseline_auc:.3f}; top decile precision {r.precision_top_decile:.2f} "
        f"(base rate {r.base_rate:.2f}), recall {r.recall_top_decile:.2f}"
    )
    assert r.auc > r.baseline_auc + 0.05
    assert r.precision_top_decile > 2 * r.base_rate
    # time-based split: train, test and scoring dates one window apart
    assert (r.as_of - r.test_cutoff).days == (r.test_cutoff - r.train_cutoff).days == 90
    assert r.calibration["members"].sum() == r.test_members and r.calibration.height == 10
    found = [*r.drivers["feature"], *r.left_out]
    assert sorted(f for f in found if not f.startswith("voc_")) == sorted(FEATURES)
    # what members say joins from memberlens.voc (texts, sentiment, complaint topics)
    assert {"voc_texts", "voc_negative_share", "voc_mean_sentiment"} <= set(found)
    assert r.drivers["feature"][0] in {"recency_share", "typical_gap", "recency_days"}
    assert set(r.scores["level"].unique()) <= {"high", "medium", "low"}
    assert r.scores["risk"].is_between(0, 1).all()


def test_scores_feed_the_churn_risk_dimension(demo_ws: ml.Workspace, tmp_path: Path) -> None:
    copy = tmp_path / "ws"
    shutil.copytree(demo_ws.root, copy)
    ws = ml.open(copy)
    with pytest.raises(InputError, match="No churn scores in this workspace yet"):
        ws.metrics(["buyers"], "2025-12", by="churn_risk")
    result = ws.models.churn(window_days=60)
    split = ws.metrics(["buyers"], "2025-12", by="churn_risk")
    whole = ws.metrics(["buyers"], "2025-12")["value"][0]
    assert set(split["churn_risk"]) <= {"high", "medium", "low", "(unknown)"}
    assert split["value"].sum() == whole
    with ws.read() as con:
        rows = con.execute("SELECT count(*), max(as_of) FROM churn_scores").fetchall()
    assert rows == [(result.scores.height, result.as_of)]


def test_too_little_history_is_refused(shop: ml.Workspace) -> None:
    with pytest.raises(InputError, match="Too little history for a churn model"):
        shop.models.churn(save=False)


@pytest.mark.slow
def test_churn_command_json(demo_ws: ml.Workspace, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    out = tmp_path / "scores.csv"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "memberlens", "-w", str(demo_ws.root), "churn"),
            *("--no-save", "--format", "json", "--output", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["auc"] > document["baseline_auc"]
    assert document["auc_gain"] == pytest.approx(document["auc"] - document["baseline_auc"])
    assert sum(document["levels"].values()) == document["scored_members"]
    assert pl.read_csv(out).height == document["scored_members"]
    tiers = {row["tier"] for row in document["survival"]["medians"]}
    assert "normal" in tiers
    assert [c["day"] for c in document["survival"]["curves"]][:3] == [30, 60, 90]


# A minimal program: members and orders only (no points, events, surveys, tickets)

MINIMAL_MEMBERS = 600
#: what a members-and-orders program cannot know: all missing or one constant for everyone
ABSENT = {
    "points_balance",
    "points_earned_365",
    "redemptions_365",
    "campaign_responses_365",
    "touches_365",
    "complaints_365",
    "nps_last",
    "channels",
    "events_90",
}


def _minimal_program(write: Callable[..., Path], ws: ml.Workspace) -> ml.Workspace:
    """Member i buys every 10 + i % 20 days from early 2024; a third stop after 2024-10-20,
    a third after 2024-11-20, the rest keep buying to the end of 2024."""
    from datetime import timedelta

    members = ["member_id,registered_at"]
    orders = ["order_id,member_id,ordered_at,amount"]
    for i in range(MINIMAL_MEMBERS):
        member = f"M{i:04d}"
        members.append(f"{member},2024-01-01")
        gap = 10 + i % 20
        stop = (date(2024, 10, 20), date(2024, 11, 20), date(2024, 12, 31))[i % 3]
        day, n = date(2024, 1, 1) + timedelta(days=i % 10), 0
        while day <= stop:
            orders.append(f"{member}-{n},{member},{day} 10:00,{10 + (i + n) % 7 * 5}")
            day, n = day + timedelta(days=gap), n + 1
    for table, rows in (("members", members), ("orders", orders)):
        result = ws.ingest(table, write(f"{table}.csv", "\n".join(rows) + "\n"))
        assert result.quarantined == 0, result.reasons
    return ws


def test_informative_leaves_out_all_missing_and_constant_columns() -> None:
    frame = pl.DataFrame({name: [1.0, 2.0, 3.0] for name in FEATURES}).with_columns(
        nps_last=pl.lit(None, pl.Float64),
        points_balance=pl.lit(0.0),
        events_90=pl.Series([float("nan"), 4.0, float("nan")]),
    )
    kept, left_out = informative(frame)
    assert left_out == ("points_balance", "nps_last", "events_90")
    assert set(kept) == set(FEATURES) - set(left_out)


@pytest.mark.slow
def test_churn_runs_on_a_members_and_orders_program(
    ws: ml.Workspace, write: Callable[..., Path]
) -> None:
    from cli.running import invoke

    shop = _minimal_program(write, ws)
    result = shop.models.churn(window_days=30, save=False)
    assert result.as_of == date(2024, 12, 31)
    assert set(result.left_out) >= ABSENT
    # no texts: the features of what members say are left out too
    assert {"voc_texts", "voc_negative_share", "voc_mean_sentiment"} <= set(result.left_out)
    assert not set(result.drivers["feature"]) & set(result.left_out)
    assert "recency_days" in set(result.drivers["feature"])
    assert result.scores.height > 0 and result.scores["risk"].is_between(0, 1).all()
    assert result.to_dict()["left_out_features"] == list(result.left_out)

    shown = invoke(
        "-w", str(shop.root), "churn", "--window-days", "30", "--no-save", "--no-survival"
    )
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())  # the console wraps long lines
    from memberlens.cli.models import LEFT_OUT
    from memberlens.labels import CHURN_FEATURES

    language = shop.config.workspace.language
    listed = ", ".join(CHURN_FEATURES[f](language) for f in result.left_out)
    assert " ".join(f"{LEFT_OUT(language)}{listed}".split()) in text
