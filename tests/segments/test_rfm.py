"""RFM quintile scores, the English segment map, segment sizes and the migration matrix,
worked out by hand on ten members."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.segments.rfm import SCORE_GRID, SCORE_SEGMENTS

MEMBERS = """member_id,registered_at
A,2023-01-01
B,2023-01-01
C,2023-01-01
D,2023-01-01
E,2023-01-01
F,2023-01-01
G,2023-01-01
H,2023-01-01
I,2023-01-01
J,2023-01-01
K,2023-01-01
N,2023-01-01
"""


def _orders(member: str, days: str, amount: int) -> list[str]:
    return [f"{member}{i},{member},{day} 12:00,{amount}" for i, day in enumerate(days.split())]


# N never orders; K orders only before the window of 2024-06-30.
ORDERS = "\n".join(
    [
        "order_id,member_id,ordered_at,amount",
        *_orders("A", "2023-08-10 2023-11-10 2024-01-10 2024-03-10 2024-05-10 2024-06-29", 100),
        *_orders("B", "2024-06-25", 400),
        *_orders("C", "2023-09-01 2023-12-01 2024-03-01 2024-06-20", 50),
        *_orders("D", "2024-02-01 2024-06-20", 50),
        *_orders("E", "2023-10-01 2024-01-15 2024-05-31", 50),
        *_orders("F", "2024-05-01", 50),
        *_orders("G", "2023-07-15 2023-09-15 2023-11-15 2024-01-15 2024-04-01", 100),
        *_orders("H", "2023-08-01 2023-09-01 2023-10-01 2023-12-13", 50),
        *_orders("I", "2023-09-04", 30),
        *_orders("J", "2023-07-05 2023-07-16", 50),
        *_orders("K", "2023-05-15", 80),
        "Z0,,2024-06-30 12:00,999",  # a non-member order: it only sets the data's last day
        "",
    ]
)

# As of D2 = 2024-06-30 the window is 2023-07-02 … 2024-06-30; ten members are scored:
#        recency  frequency  monetary   R F M   map segment         threshold segment
#   A       1        6         600      5 5 5   champions           important_value
#   B       5        1         400      5 1 4   new_customers       important_develop
#   C      10        4         200      4 4 3   loyal_customers     general_value
#   D      10        2         100      4 2 2   potential_loyalist  general_develop
#   E      30        3         150      3 3 3   need_attention      general_value
#   F      60        1          50      3 1 1   about_to_sleep      general_develop
#   G      90        5         500      2 5 5   cant_lose_them      important_value
#   H     200        4         200      2 4 3   at_risk             general_retain
#   I     300        1          30      1 1 1   lost                general_winback
#   J     350        2         100      1 2 2   lost                general_winback
# Score = 1 + floor(5·w/10), w = members with a strictly worse value:
#   R (longer recency is worse): J w0 → 1, I w1 → 1, H w2 → 2, G w3 → 2, F w4 → 3, E w5 → 3,
#     C and D w6 → 4 (tied: both get the score of position 6), B w8 → 5, A w9 → 5.
#   F: frequency 1 (B F I) w0 → 1; 2 (D J) w3 → 2; 3 (E) w5 → 3; 4 (C H) w6 → 4; 5 w8, 6 w9 → 5.
#   M: I30 w0 → 1, F50 w1 → 1, D J 100 w2 → 2, E150 w4 → 3, C H 200 w5 → 3 (not 4: tied),
#     B400 w7 → 4, G500 w8 → 5, A600 w9 → 5.
# Thresholds (means): recency 1056/10 = 105.6, frequency 29/10 = 2.9, monetary 2330/10 = 233.
SCORED_D2 = {
    "A": ("555", "champions", "important_value"),
    "B": ("514", "new_customers", "important_develop"),
    "C": ("443", "loyal_customers", "general_value"),
    "D": ("422", "potential_loyalist", "general_develop"),
    "E": ("333", "need_attention", "general_value"),
    "F": ("311", "about_to_sleep", "general_develop"),
    "G": ("255", "cant_lose_them", "important_value"),
    "H": ("243", "at_risk", "general_retain"),
    "I": ("111", "lost", "general_winback"),
    "J": ("122", "lost", "general_winback"),
}

# As of D1 = 2024-03-31 (window 2023-04-02 … 2024-03-31) nine members are scored (B and F
# have not ordered yet, K has):
#        recency  frequency  monetary   R F M   map segment         threshold segment
#   A      21        4         400      5 4 4   champions           important_value
#   C      30        3         150      4 3 3   potential_loyalist  general_value
#   D      59        1          50      4 1 1   promising           general_develop
#   E      76        2         100      3 2 2   about_to_sleep      general_develop
#   G      76        4         400      3 4 4   loyal_customers     important_value
#   H     109        4         200      2 4 4   at_risk             important_value
#   I     209        1          30      2 1 1   hibernating         general_winback
#   J     259        2         100      1 2 2   lost                general_winback
#   K     321        1          80      1 1 2   lost                general_winback
# Score = 1 + floor(5·w/9): w 0–1 → 1, 2–3 → 2, 4–5 → 3, 6–7 → 4, 8 → 5.
# Means: recency 1160/9 = 128.9, frequency 22/9 = 2.44, monetary 1510/9 = 167.8.


@pytest.fixture
def ten(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(("members", MEMBERS), ("orders", ORDERS))


def test_quintile_scores_and_map(ten: ml.Workspace) -> None:
    frame = ten.rfm("2024-06-30", quintiles=True)
    assert frame.columns == [
        "member_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        "segment_name",
        "r_score",
        "f_score",
        "m_score",
        "rfm_score",
        "score_segment",
        "score_segment_name",
    ]
    rows = {
        r["member_id"]: (r["rfm_score"], r["score_segment"], r["segment"])
        for r in frame.iter_rows(named=True)
    }
    assert rows == SCORED_D2  # K (no order in the window) and N (no order) are not scored
    c = frame.filter(frame["member_id"] == "C").row(0, named=True)
    assert (c["r_score"], c["f_score"], c["m_score"]) == (4, 4, 3)
    assert (c["recency_days"], c["frequency"], c["monetary"]) == (10, 4, 200.0)
    assert c["score_segment_name"] == "忠诚客户"  # the workspace speaks Chinese by default


def test_quintiles_are_off_by_default(ten: ml.Workspace) -> None:
    assert ten.rfm("2024-06-30").columns == [
        "member_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        "segment_name",
    ]


def test_the_grid_names_every_map_segment() -> None:
    cells = [segment for row in SCORE_GRID.values() for segment in row]
    assert sorted(SCORE_GRID) == [1, 2, 3, 4, 5] and len(cells) == 25
    assert set(cells) == {s.id for s in SCORE_SEGMENTS}


def test_summary_sizes_and_revenue_share(ten: ml.Workspace) -> None:
    frame = ten.segments.rfm_summary("2024-06-30")
    threshold = frame.filter(scheme="threshold")
    # revenue 2330 over ten members: important_value A+G = 600+500 = 1100 → 1100/2330
    assert threshold.select("segment", "members", "revenue").rows() == [
        ("important_value", 2, 1100.0),
        ("important_develop", 1, 400.0),
        ("important_retain", 0, 0.0),
        ("important_winback", 0, 0.0),
        ("general_value", 2, 350.0),  # C 200 + E 150
        ("general_develop", 2, 150.0),  # D 100 + F 50
        ("general_retain", 1, 200.0),
        ("general_winback", 2, 130.0),  # I 30 + J 100
    ]
    value = threshold.row(0, named=True)
    assert value["member_share"] == 0.2
    assert value["revenue_share"] == pytest.approx(1100 / 2330)
    # means of A and G: recency (1 + 90)/2, frequency (6 + 5)/2, monetary (600 + 500)/2
    assert (value["mean_recency_days"], value["mean_frequency"], value["mean_monetary"]) == (
        45.5,
        5.5,
        550.0,
    )
    empty = threshold.row(2, named=True)
    assert empty["member_share"] == 0.0 and empty["mean_recency_days"] is None
    quintile = frame.filter(scheme="quintile")
    assert dict(quintile.select("segment", "members").rows()) == {
        "champions": 1,
        "loyal_customers": 1,
        "potential_loyalist": 1,
        "new_customers": 1,
        "promising": 0,
        "need_attention": 1,
        "about_to_sleep": 1,
        "at_risk": 1,
        "cant_lose_them": 1,
        "hibernating": 0,
        "lost": 2,
    }
    lost = quintile.filter(segment="lost").row(0, named=True)
    assert lost["revenue"] == 130.0 and lost["revenue_share"] == pytest.approx(130 / 2330)
    assert lost["segment_name"] == "已流失客户"
    for part in (threshold, quintile):
        assert part["members"].sum() == 10
        assert part["revenue_share"].sum() == pytest.approx(1.0)


def test_migration_of_the_threshold_segments(ten: ml.Workspace) -> None:
    frame = ten.segments.rfm_migration("2024-03-31", "2024-06-30")
    # D1 → D2: important_value A G H → A G important_value, H general_retain; general_value
    # C → general_value; general_develop D E → D general_develop, E general_value;
    # general_winback I J K → I J general_winback, K not scored; not scored B F → B
    # important_develop, F general_develop. N is scored on neither date: left out.
    assert frame.select("from_segment", "to_segment", "members", "row_share").rows() == [
        ("important_value", "important_value", 2, pytest.approx(2 / 3)),
        ("important_value", "general_retain", 1, pytest.approx(1 / 3)),
        ("general_value", "general_value", 1, 1.0),
        ("general_develop", "general_value", 1, 0.5),
        ("general_develop", "general_develop", 1, 0.5),
        ("general_winback", "general_winback", 2, pytest.approx(2 / 3)),
        ("general_winback", "(not scored)", 1, pytest.approx(1 / 3)),
        ("(not scored)", "important_develop", 1, 0.5),
        ("(not scored)", "general_develop", 1, 0.5),
    ]
    assert frame["from_name"][0] == "重要价值客户" and frame["to_name"][6] == "(未评分)"


def test_migration_of_the_quintile_map(ten: ml.Workspace) -> None:
    frame = ten.segments.rfm_migration("2024-03-31", "2024-06-30", scheme="quintile")
    # the D1 and D2 map segments of the tables above, member by member
    assert frame.select("from_segment", "to_segment", "members").rows() == [
        ("champions", "champions", 1),  # A
        ("loyal_customers", "cant_lose_them", 1),  # G
        ("potential_loyalist", "loyal_customers", 1),  # C
        ("promising", "potential_loyalist", 1),  # D
        ("about_to_sleep", "need_attention", 1),  # E
        ("at_risk", "at_risk", 1),  # H
        ("hibernating", "lost", 1),  # I
        ("lost", "lost", 1),  # J
        ("lost", "(not scored)", 1),  # K
        ("(not scored)", "new_customers", 1),  # B
        ("(not scored)", "about_to_sleep", 1),  # F
    ]


def test_d1_quintiles_handle_ties(ten: ml.Workspace) -> None:
    frame = ten.rfm("2024-03-31", quintiles=True)
    # E and G share recency 76 (w 4 → 3); A and G share monetary 400 (w 7 → 4, not 5)
    assert dict(frame.select("member_id", "rfm_score").rows()) == {
        "A": "544",
        "C": "433",
        "D": "411",
        "E": "322",
        "G": "344",
        "H": "244",
        "I": "211",
        "J": "122",
        "K": "112",
    }


def test_dates_outside_the_data_are_refused(ten: ml.Workspace) -> None:
    # orders run from 2023-05-15 (K) to 2024-06-30 (Z0), and nothing later is recorded
    message = "2024-07-01 is outside the data, which runs from 2023-05-15 .* to 2024-06-30"
    with pytest.raises(ml.InputError, match=message):
        ten.rfm("2024-07-01")
    with pytest.raises(ml.InputError, match="2023-05-14 is outside the data"):
        ten.segments.rfm_summary("2023-05-14")
    with pytest.raises(ml.InputError, match="start 2023-05-14 is outside the data"):
        ten.segments.rfm_migration("2023-05-14", "2024-06-30")
    with pytest.raises(ml.InputError, match="must be before"):
        ten.segments.rfm_migration("2024-06-30", "2024-03-31")
    with pytest.raises(ml.InputError, match="Unknown RFM scheme 'quintiles'"):
        ten.segments.rfm_migration("2024-03-31", "2024-06-30", scheme="quintiles")
    assert ten.rfm("2023-05-15").height == 1  # the first order's day is inside


def test_a_later_record_extends_the_data(shop: ml.Workspace) -> None:
    # the hand-made program's last order is on 2024-03-25, its last points entry and
    # registration on 2024-04-02: as of 2024-03-31 is scored, 2024-04-03 is not
    assert shop.rfm("2024-03-31").height == 5
    with pytest.raises(ml.InputError, match="to 2024-04-02 \\(latest record\\)"):
        shop.rfm("2024-04-03")


def test_an_empty_warehouse_says_so(ws: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="no orders yet"):
        ws.rfm("2024-06-30")


def test_generated_program_adds_up(demo_ws: ml.Workspace) -> None:
    scored = demo_ws.rfm("2025-12-31", quintiles=True)
    summary = demo_ws.segments.rfm_summary("2025-12-31")
    revenue = scored["monetary"].sum()  # [rfm] monetary = "total"
    for view in ("threshold", "quintile"):
        part = summary.filter(scheme=view)
        assert part["members"].sum() == scored.height
        assert part["member_share"].sum() == pytest.approx(1.0)
        assert part["revenue_share"].sum() == pytest.approx(1.0)
        assert part["revenue"].sum() == pytest.approx(revenue)
    # each score has about a fifth of the members; ties only ever merge whole groups down
    for column in ("r_score", "m_score"):
        counts = scored[column].value_counts().sort(column)["count"].to_list()
        assert len(counts) == 5
        assert all(abs(c / scored.height - 0.2) < 0.05 for c in counts)
    quintile_sizes = dict(summary.filter(scheme="quintile").select("segment", "members").rows())
    by_rows = scored.group_by("score_segment").len()
    assert {k: v for k, v in quintile_sizes.items() if v} == dict(by_rows.rows())
    migration = demo_ws.segments.rfm_migration("2025-06-30", "2025-12-31")
    assert migration["members"].sum() == len(
        set(scored["member_id"]) | set(demo_ws.rfm("2025-06-30")["member_id"])
    )
    shares = migration.group_by("from_segment").agg(pl.col("row_share").sum())
    assert shares["row_share"].to_list() == pytest.approx([1.0] * shares.height)


def _cli(ws: ml.Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "memberlens", "-w", str(ws.root), "rfm", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_the_command_line(ten: ml.Workspace) -> None:
    done = _cli(ten, "--as-of", "2024-06-30", "--scores", "quintile", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert list(rows[0])[:6] == [
        "member_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        "segment_name",
    ]
    assert {r["member_id"]: r["rfm_score"] for r in rows} == {k: v[0] for k, v in SCORED_D2.items()}
    done = _cli(ten, "--as-of", "2024-06-30", "--summary", "--format", "json")
    summary = json.loads(done.stdout)["rows"]
    assert [(r["scheme"], r["members"]) for r in summary if r["segment"] == "lost"] == [
        ("quintile", 2)
    ]
    done = _cli(ten, "--as-of", "2024-06-30", "--from", "2024-03-31", "--format", "csv")
    assert done.stdout.splitlines()[1] == (
        "important_value,重要价值客户,important_value,重要价值客户,2,0.6666666666666666"
    )
    done = _cli(ten, "--as-of", "2024-06-30", "--from", "2024-03-31")
    assert "RFM 分群迁移 2024-03-31(行)→ 2024-06-30(列)" in done.stdout
    done = _cli(ten, "--as-of", "2025-01-01")
    assert done.returncode != 0
    assert "2025-01-01 is outside the data" in done.stderr


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx"])
def test_written_rows_equal_the_api(ten: ml.Workspace, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rfm{suffix}"
    assert ten.segments.write_rfm("2024-06-30", path, quintiles=True) == len(SCORED_D2)
    read = {".parquet": pl.read_parquet, ".csv": pl.read_csv, ".xlsx": pl.read_excel}[suffix]
    written = read(path).sort("member_id")
    expected = ten.rfm("2024-06-30", quintiles=True).sort("member_id")
    assert written.columns == expected.columns
    assert (
        written.select("member_id", "segment_name", "score_segment_name", "rfm_score")
        .cast(pl.String)
        .rows()
        == expected.select("member_id", "segment_name", "score_segment_name", "rfm_score")
        .cast(pl.String)
        .rows()
    )
