"""NPS and its multinomial interval by hand; NPS against repurchase in the next 90 days."""

import math
from collections.abc import Callable

import memberlens as ml
from memberlens.dates.periods import parse_period
from memberlens.voc.nps import Nps, nps_rows, repurchase_by_band


def test_interval_by_hand() -> None:
    # 50 promoters, 30 passives, 20 detractors: NPS 30,
    # Var = (0.5 + 0.2 - 0.3²) / 100 = 0.0061, half-width 1.96 × 100 × 0.0781 = 15.31
    score = Nps(50, 30, 20)
    assert score.n == 100 and score.value == 30
    low, high = score.interval() or (0, 0)
    half = 1.959963984540054 * 100 * math.sqrt(0.0061)
    assert math.isclose(low, 30 - half) and math.isclose(high, 30 + half)
    assert Nps(0, 0, 0).value is None and Nps(0, 0, 0).interval() is None
    assert Nps(5, 0, 0).interval() == (100.0, 100.0)  # no variance: all promoters


def test_nps_rows_on_the_shop(shop: ml.Workspace) -> None:
    # March 2024: R1 10, R2 9 (promoters), R3 7 (passive), R4 3 (detractor); R5 is February
    # NPS 25; Var = (0.5 + 0.25 - 0.25²) / 4 = 0.171875, half 1.96 × 100 × 0.41458 = 81.26
    with shop.session() as s:
        rows = nps_rows(s, parse_period("2024-03"))
    assert rows[0]["n"] == 4 and rows[0]["nps"] == 25.0
    assert (rows[0]["promoters"], rows[0]["passives"], rows[0]["detractors"]) == (2, 1, 1)
    assert rows[0]["ci"] == [-56.26, 100.0]  # 106.26 clipped at 100


def test_nps_rows_by_a_dimension(shop: ml.Workspace) -> None:
    with shop.session() as s:
        rows = nps_rows(s, parse_period("2024-03"), by="cohort")
    by = {r["cohort"]: r for r in rows}
    # M1 (2024-01): 10 and 3 → NPS 0; M3, M4 (2024-03): 9 and 7 → NPS 50
    assert by["2024-01"]["n"] == 2 and by["2024-01"]["nps"] == 0.0
    assert by["2024-03"]["n"] == 2 and by["2024-03"]["nps"] == 50.0
    assert sum(r["n"] for r in rows) == 4


def test_repurchase_by_band(load_csv: Callable[..., ml.Workspace]) -> None:
    ws = load_csv(
        ("members", "member_id,registered_at\nM1,2023-12-01\nM2,2023-12-01\nM3,2023-12-01\n"
                    "M4,2023-12-01\n"),
        ("orders", "order_id,member_id,ordered_at,amount\nO1,M1,2024-01-01,10\n"
                   "O2,M1,2024-01-20,10\nO3,M2,2024-01-05,10\nO9,M3,2024-06-30,10\n"),
        ("surveys", "response_id,member_id,at,nps\nR1,M1,2024-01-10,10\nR2,M2,2024-01-10,3\n"
                    "R3,M3,2024-01-11,9\nR4,M4,2024-01-12,0\nR5,M1,2024-05-01,10\n"),
    )  # fmt: skip
    with ws.session() as s:
        rows = repurchase_by_band(s, parse_period("2024-01-01..2024-05-31"))
    by = {r["band"]: r for r in rows}
    # R1 bought 10 days later (O2); R3's next order is 171 days later; R2, R4 never again;
    # R5 (2024-05-01) is left out: its 90 days pass the last paid order (2024-06-30)
    assert (by["promoter"]["n"], by["promoter"]["repurchased"]) == (2, 1)
    assert (by["detractor"]["n"], by["detractor"]["repurchased"]) == (2, 0)
    assert by["passive"]["n"] == 0 and by["passive"]["rate"] is None
    assert by["promoter - detractor"]["rate"] == 0.5
