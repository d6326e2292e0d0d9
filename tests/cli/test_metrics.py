"""metrics --period: the readable table shows every KPI with 环比 and 同比 (README) without
--compare; json keeps DESIGN's plain rows unless --compare; trend ids get a did-you-mean."""

from __future__ import annotations

import json
from datetime import date

import pytest

import memberlens as ml
from cli.running import invoke
from memberlens.analyses.trends import decompose


def test_table_compares_by_default(shop: ml.Workspace) -> None:
    root = str(shop.root)
    table = invoke("-w", root, "metrics", "orders", "aov", "--period", "2024-03").stdout
    assert "环比" in table and "同比" in table
    assert "订单数" in table or "Orders" in table  # the metric's name, not its id
    plain = invoke("-w", root, "metrics", "orders", "--period", "2024-03", "--no-compare").stdout
    assert "环比" not in plain


def test_json_keeps_the_rows_unless_compare(shop: ml.Workspace) -> None:
    root = str(shop.root)
    done = invoke("-w", root, "metrics", "orders", "--period", "2024-03", "--format", "json")
    rows = json.loads(done.stdout)["rows"]
    assert set(rows[0]) == {"metric", "period", "value"}
    done = invoke(
        "-w", root, "metrics", "orders", "--period", "2024-03", "--format", "json", "--compare"
    )
    assert "change_vs_previous" in json.loads(done.stdout)["rows"][0]


def test_trend_id_did_you_mean(shop: ml.Workspace) -> None:
    with (
        shop.session() as session,
        pytest.raises(ml.InputError, match=r"has no daily series\. Did you mean 'orders'"),
    ):
        decompose(session, "ordrs", date(2024, 1, 1), date(2024, 3, 31))
