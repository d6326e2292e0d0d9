"""RFM and tiers (DESIGN §7) on the hand-made program, worked out by hand."""

import pytest

import memberlens as ml

# As of 2024-03-31, window (2023-04-01, 2024-03-31]; scored members and their orders:
#   M0 O0 2023-06-01 10          → recency 304, frequency 1, monetary  10
#   M1 O1, O2, O4, O5 (last 03-10) → recency  21, frequency 4, monetary 250
#   M2 O3 02-20 80 (O7 refunded)   → recency  40, frequency 1, monetary  80
#   M3 O6 03-05 30                 → recency  26, frequency 1, monetary  30
#   M4 O9 03-21 0                  → recency  10, frequency 1, monetary   0
# Means: recency 80.2, frequency 1.6, monetary 74.
EXPECTED_MEAN = {
    "M0": (304, 1, 10.0, "general_winback"),
    "M1": (21, 4, 250.0, "important_value"),
    "M2": (40, 1, 80.0, "important_develop"),
    "M3": (26, 1, 30.0, "general_develop"),
    "M4": (10, 1, 0.0, "general_develop"),
}


def _rows(frame: object) -> dict[str, tuple[object, ...]]:
    import polars as pl

    assert isinstance(frame, pl.DataFrame)
    return {
        r["member_id"]: (r["recency_days"], r["frequency"], r["monetary"], r["segment"])
        for r in frame.iter_rows(named=True)
    }


def test_rfm_with_mean_thresholds(shop: ml.Workspace) -> None:
    frame = shop.rfm("2024-03-31")
    assert frame.columns == [
        "member_id",
        "recency_days",
        "frequency",
        "monetary",
        "segment",
        "segment_name",
    ]
    assert _rows(frame) == EXPECTED_MEAN  # M5 and M6 have no order: not scored
    assert frame.filter(member_id="M1")["segment_name"].to_list() == ["重要价值客户"]


def _configure(ws: ml.Workspace, old: str, new: str) -> ml.Workspace:
    config = ws.root / "memberlens.toml"
    body = config.read_text(encoding="utf-8")
    assert old in body
    config.write_text(body.replace(old, new), encoding="utf-8")
    return ml.open(ws.root)


def test_rfm_with_median_thresholds(shop: ml.Workspace) -> None:
    # medians: recency 26 (recent: < 26), frequency 1 (frequent: > 1), monetary 30 (> 30)
    segments = {
        k: v[3]
        for k, v in _rows(
            _configure(shop, 'threshold = "mean"', 'threshold = "median"').rfm("2024-03-31")
        ).items()
    }
    assert segments == {
        "M0": "general_winback",
        "M1": "important_value",
        "M2": "important_winback",
        "M3": "general_winback",
        "M4": "general_develop",
    }


def test_rfm_with_average_monetary(shop: ml.Workspace) -> None:
    # monetary / frequency: M1 62.5, the rest unchanged; mean 36.5 → same segments
    ws = _configure(shop, 'monetary = "total"', 'monetary = "average"').rfm("2024-03-31")
    rows = _rows(ws)
    assert rows["M1"][2] == 62.5
    assert {k: v[3] for k, v in rows.items()} == {k: v[3] for k, v in EXPECTED_MEAN.items()}


def test_tiers_follow_the_ladder(shop: ml.Workspace) -> None:
    config = shop.root / "memberlens.toml"
    text = config.read_text(encoding="utf-8")
    ladder = text[text.index("[[tiers.levels]]") : text.index("[churn]")]
    config.write_text(
        text.replace(
            ladder,
            """[[tiers.levels]]
id = "normal"
name = "普通会员"
[[tiers.levels]]
id = "silver"
name = "银卡会员"
min_spend = 100
min_orders = 2
[[tiers.levels]]
id = "gold"
name = "金卡会员"
min_spend = 200
min_orders = 4

""",
        ),
        encoding="utf-8",
    )
    frame = ml.open(shop.root).tiers("2024-03-31")
    # M1: 250 over 4 orders → gold; the others spend less; M6 joins in April: no tier yet
    assert dict(zip(frame["member_id"], frame["tier"], strict=True)) == {
        "M0": "normal",
        "M1": "gold",
        "M2": "normal",
        "M3": "normal",
        "M4": "normal",
        "M5": "normal",
    }


def test_splits_by_tier_and_rfm_segment(shop: ml.Workspace) -> None:
    frame = shop.metrics(["orders"], "2024-03", by="rfm_segment")
    # March orders: M1 2 (important_value), M3 1 and M4 1 (general_develop)
    assert dict(zip(frame["rfm_segment"], frame["value"], strict=True)) == {
        "general_develop": 2,
        "important_value": 2,
    }
    assert shop.metrics(["members_total"], "2024-03", by="tier")["value"].to_list() == [6]


def test_a_bad_date_names_the_form(shop: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="write the date as 2025-03-31"):
        shop.rfm("31/03/2024")
