"""Topics on hand-made texts: clusters, sizes, labels, negative shares, trend, emerging weeks."""

from datetime import datetime, timedelta

import polars as pl

from memberlens.voc.topics import emerging, topic_rows

MONDAY = datetime(2025, 3, 3, 10)


def _frame() -> pl.DataFrame:
    texts = (
        # 12 points-not-credited complaints in week 1, 4 in week 2
        [("积分一直没有到账", 0)] * 8 + [("积分还没到账 客服不回", 0)] * 4
        + [("积分没到账", 7)] * 4
        # 6 coupon questions in week 1, 2 in week 2
        + [("优惠券怎么用", 0)] * 3 + [("优惠券满减怎么用", 0)] * 3 + [("优惠券怎么用", 7)] * 2
        # an app crash topic only in week 2 (emerging): 10 texts, one with a phone number
        + [("小程序闪退 打不开", 7)] * 9 + [("小程序闪退 打不开 电话13800138000", 8)]
    )  # fmt: skip
    return pl.DataFrame(
        {
            "id": [f"T{i}" for i in range(len(texts))],
            "at": [MONDAY + timedelta(days=d) for _, d in texts],
            "text": [t for t, _ in texts],
        }
    )


def test_three_topics_with_their_sizes() -> None:
    rows, ids = topic_rows(_frame(), k=3)
    sizes = {r["label"].split(" / ")[0]: r for r in rows}
    assert [r["size"] for r in rows] == [16, 10, 8]  # largest first
    points = next(r for r in rows if "积分" in r["keywords"])
    crash = next(r for r in rows if "闪退" in r["keywords"])
    coupon = next(r for r in rows if "优惠券" in r["keywords"])
    assert points["size"] == 16 and crash["size"] == 10 and coupon["size"] == 8
    assert abs(points["share"] - 16 / 34) < 1e-12
    assert points["negative_share"] == 1.0 and coupon["negative_share"] == 0.0
    assert [w["n"] for w in points["trend"]] == [12, 4]
    assert [w["n"] for w in crash["trend"]] == [0, 10]
    assert ids.height == 34 and set(ids["topic"].to_list()) == {1, 2, 3}
    assert sizes  # labels are words joined by " / "
    assert all("13800138000" not in e for r in rows for e in r["examples"])


def test_emerging_needs_the_count_and_the_lift() -> None:
    rows, _ = topic_rows(_frame(), k=3)
    found = emerging(rows, min_count=5, lift=2.0)
    assert [(e.n, e.previous, e.lift) for e in found] == [(10, 0, None)]
    assert "闪退" in found[0].label
    assert emerging(rows, min_count=11) == []  # 10 texts are below the minimum


def test_empty() -> None:
    rows, ids = topic_rows(pl.DataFrame({"id": [], "at": [], "text": []}, schema={
        "id": pl.String, "at": pl.Datetime, "text": pl.String}))  # fmt: skip
    assert rows == [] and ids.height == 0
