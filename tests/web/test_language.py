"""``language`` on the Workspace and ``?lang=`` on the API and pages: names, not numbers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from polars.testing import assert_frame_equal

import memberlens as ml
from memberlens.errors import InputError
from memberlens.segments.rfm import Scheme, segment_names
from web.conftest import AS_OF, PERIOD

EN_TIERS = {"normal": "Standard", "silver": "Silver", "gold": "Gold", "black": "Black"}
ZH_TIERS = {"normal": "普通会员", "silver": "银卡会员", "gold": "金卡会员", "black": "黑卡会员"}


def test_tier_summary_names_in_either_language(web_ws: ml.Workspace) -> None:
    zh = web_ws.tier_summary(AS_OF)
    en = web_ws.tier_summary(AS_OF, language="en")
    assert dict(zip(zh["tier"], zh["tier_name"], strict=True)) == ZH_TIERS
    assert dict(zip(en["tier"], en["tier_name"], strict=True)) == EN_TIERS
    assert zh.drop("tier_name").equals(en.drop("tier_name"))
    members = web_ws.tiers(AS_OF)
    assert zh["members"].sum() == members.height
    gold = members.filter(members["tier"] == "gold").height
    assert zh.filter(zh["tier"] == "gold")["members"][0] == gold


def test_rfm_summary_and_metric_names(web_ws: ml.Workspace) -> None:
    zh = web_ws.segments.rfm_summary(AS_OF)
    en = web_ws.segments.rfm_summary(AS_OF, language="en")
    threshold = en.filter(en["scheme"] == "threshold")
    assert list(threshold["segment_name"]) == list(segment_names(Scheme.threshold, "en").values())
    assert zh["segment_name"][0] != en["segment_name"][0]
    # the same numbers (sums of floats in the engine's order may differ in the last bit)
    keys = ["scheme", "segment"]
    assert_frame_equal(
        zh.drop("segment_name").sort(keys), en.drop("segment_name").sort(keys), rel_tol=1e-12
    )
    names = web_ws.summary(["revenue"], PERIOD, language="en")["name"][0]
    assert names == "Member revenue" != web_ws.summary(["revenue"], PERIOD)["name"][0]


def test_an_unknown_language_is_refused(web_ws: ml.Workspace) -> None:
    with pytest.raises(InputError, match="Unknown language") as error:
        web_ws.tier_summary(AS_OF, language="fr")
    assert error.value.parameter == "language"


def test_the_api_rows_follow_lang(viewer: TestClient) -> None:
    url = f"/api/v1/tiers?as_of={AS_OF}&summary=true"
    zh = viewer.get(url).json()["rows"]
    en = viewer.get(url + "&lang=en").json()["rows"]
    assert {r["tier"]: r["tier_name"] for r in zh} == ZH_TIERS
    assert {r["tier"]: r["tier_name"] for r in en} == EN_TIERS
    assert [r["members"] for r in zh] == [r["members"] for r in en]
    rfm = viewer.get(f"/api/v1/rfm?as_of={AS_OF}&summary=true&lang=en").json()["rows"]
    assert rfm[0]["segment_name"] == segment_names(Scheme.threshold, "en")[rfm[0]["segment"]]
    metrics = viewer.get(f"/api/v1/metrics?ids=revenue&period={PERIOD}&compare=true&lang=en")
    assert metrics.json()["rows"][0]["name"] == "Member revenue"
    member = viewer.get("/api/v1/members/M00000001?lang=en").json()
    assert member["tier_name"] in EN_TIERS.values()
    bad = viewer.get(url + "&lang=fr")
    assert bad.status_code == 422 and bad.json()["parameter"] == "language"


def test_the_members_page_names_tiers_and_segments_in_the_page_language(
    viewer: TestClient,
) -> None:
    en = viewer.get(f"/members?period={PERIOD}&lang=en").text
    zh = viewer.get(f"/members?period={PERIOD}&lang=zh").text
    for tier_id in ("normal", "silver"):
        assert f">{EN_TIERS[tier_id]}</a>" in en and f">{ZH_TIERS[tier_id]}</a>" in zh
        assert f">{ZH_TIERS[tier_id]}</a>" not in en
    english = segment_names(Scheme.threshold, "en")["important_value"]
    assert f">{english}</a>" in en and f">{english}</a>" not in zh
