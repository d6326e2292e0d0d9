"""Member lookup by id or masked phone: API and page, phones whole only for admins."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import memberlens as ml
from memberlens.pii import mask_phone


def some_member(web_ws: ml.Workspace, n: int = 7) -> tuple[str, str]:
    members = web_ws.table("members").filter(web_ws.table("members")["phone"].is_not_null())
    row = members.sort("member_id").row(n, named=True)
    return row["member_id"], row["phone"]


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def test_masked_phone_finds_the_member_masked_for_a_viewer(
    web_ws: ml.Workspace, viewer: TestClient
) -> None:
    member_id, phone = some_member(web_ws)
    query = mask_phone(phone)
    answer = viewer.get("/api/v1/lookup", params={"q": query})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["kind"] == "masked_phone"
    assert member_id in [r["member_id"] for r in found["rows"]]
    expected = sum(mask_phone(p) == query for p in web_ws.table("members")["phone"] if p)
    assert found["total"] == expected
    for row in found["rows"]:
        assert row["phone"] == query  # masked as the query, never whole
    assert digits(phone) not in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_a_viewer_cannot_search_or_see_a_whole_phone(
    web_ws: ml.Workspace, viewer: TestClient, analyst: TestClient
) -> None:
    _, phone = some_member(web_ws)
    for client in (viewer, analyst):
        answer = client.get("/api/v1/lookup", params={"q": digits(phone)})
        assert answer.status_code == 422
        assert answer.json()["parameter"] == "q"
        assert digits(phone) not in answer.text


def test_an_admin_searches_by_whole_phone_and_sees_it(
    web_ws: ml.Workspace, admin: TestClient
) -> None:
    member_id, phone = some_member(web_ws)
    found = admin.get("/api/v1/lookup", params={"q": digits(phone)}).json()
    assert found["kind"] == "phone"
    assert [r["member_id"] for r in found["rows"]] == [member_id]
    assert found["rows"][0]["phone"] == phone
    masked = admin.get("/api/v1/lookup", params={"q": mask_phone(phone)}).json()
    assert phone in [r["phone"] for r in masked["rows"]]


def test_lookup_by_member_id_and_bad_queries(viewer: TestClient, anon: TestClient) -> None:
    found = viewer.get("/api/v1/lookup", params={"q": "M00000001"}).json()
    assert (found["kind"], found["total"]) == ("member_id", 1)
    assert viewer.get("/api/v1/lookup", params={"q": "nobody"}).json()["total"] == 0
    for bad in ("13****", "x" * 129, "A\x001"):
        answer = viewer.get("/api/v1/lookup", params={"q": bad})
        assert answer.status_code == 422, bad
    assert anon.get("/api/v1/lookup", params={"q": "M00000001"}).status_code == 401


def test_the_page_shows_the_profile_with_its_history(
    web_ws: ml.Workspace, viewer: TestClient
) -> None:
    member_id, phone = some_member(web_ws)
    profile = viewer.get(f"/api/v1/members/{member_id}").json()
    only = [p for p in web_ws.table("members")["phone"] if p and mask_phone(p) == mask_phone(phone)]
    assert len(only) == 1, "pick a member whose masked phone is unique"
    page = viewer.get("/member", params={"q": mask_phone(phone), "lang": "zh"})  # the names below
    assert page.status_code == 200
    assert member_id in page.text and f"<dd>{mask_phone(phone)}</dd>" in page.text
    assert digits(phone) not in page.text
    assert 'id="tier-history"' in page.text
    names = {level.id: level.name for level in web_ws.config.tiers.levels}
    for held in profile["tier_history"]:
        assert names[held["tier"]] in page.text and held["valid_from"] in page.text


def test_the_page_lists_candidates_masked(web_ws: ml.Workspace, viewer: TestClient) -> None:
    phones = [p for p in web_ws.table("members")["phone"] if p]
    suffix = digits(phones[0])[-4:]
    page = viewer.get("/member", params={"q": "****" + suffix})
    matching = [p for p in phones if digits(p).endswith(suffix)]
    if len(matching) > 1:
        assert 'id="candidates"' in page.text
    for p in matching:
        assert digits(p) not in page.text
    whole = viewer.get("/member", params={"q": digits(phones[0])})
    assert whole.status_code == 200 and 'id="lookup-problem"' in whole.text
    assert digits(phones[0]) not in whole.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_admin_page_shows_the_whole_phone(
    web_ws: ml.Workspace, admin: TestClient, lang: str
) -> None:
    member_id, phone = some_member(web_ws)
    page = admin.get("/member", params={"q": member_id, "lang": lang})
    assert f"<dd>{phone}</dd>" in page.text
