"""The dashboard's pages without a browser: both languages, no inline script, login form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from web.conftest import PERIOD

PAGES = [
    "/",
    f"/?period={PERIOD}&by=tier",
    "/points",
    "/members",
    "/drill?by=tier&group=silver",
    "/member?id=M00000001",
    "/docs",
    "/experiments",
    "/voc",
    "/voc?table=surveys",
]


def test_login_form_has_the_named_inputs(anon: TestClient) -> None:
    page = anon.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert anon.get("/", follow_redirects=False).headers["location"] == "/login"


def test_the_login_form_needs_its_csrf_token(anon: TestClient) -> None:
    posted = anon.post("/login", data={"username": "vic", "password": "viewer-pass-1"})
    assert posted.status_code == 403


@pytest.mark.slow
@pytest.mark.parametrize("url", PAGES)
def test_pages_in_both_languages_without_inline_scripts(viewer: TestClient, url: str) -> None:
    zh = viewer.get(url)
    assert zh.status_code == 200, zh.text[:500]
    assert '<html lang="zh-CN">' in zh.text
    joiner = "&" if "?" in url else "?"
    en = viewer.get(f"{url}{joiner}lang=en")
    assert '<html lang="en">' in en.text and "memberlens_lang=en" in en.headers["set-cookie"]
    for text in (zh.text, en.text):
        for tag in re.findall(r"<script[^>]*>", text):
            assert 'src="/static/' in tag or 'type="application/json"' in tag
        assert "http://" not in text.replace("http://127.0.0.1", "") or url == "/docs"
    viewer.cookies.delete("memberlens_lang")


def test_a_bad_period_is_a_message_not_an_error_page(viewer: TestClient) -> None:
    page = viewer.get("/?period=2025-13")
    assert page.status_code == 422 and "2025-13" in page.text


def test_experiment_and_voc_pages_show_the_api_numbers(viewer: TestClient) -> None:
    ranked = viewer.get("/api/v1/campaigns").json()["rows"]
    page = viewer.get("/experiments?lang=en")
    assert page.status_code == 200
    assert page.text.index(ranked[0]["campaign_id"]) < page.text.index(ranked[1]["campaign_id"])
    assert "sample ratio" in page.text.lower()
    zh = viewer.get("/experiments?lang=zh").text
    assert "<td>实验组</td>" in zh and "<td>转化率</td>" in zh  # arms and outcomes named
    assert "<td>treatment</td>" not in zh and "<td>conversion</td>" not in zh
    unknown = viewer.get("/experiments?experiment=NOPE&lang=en")
    assert unknown.status_code == 422 and "EXP2025PUSH" in unknown.text
    nps = viewer.get(f"/api/v1/voc/nps?period={PERIOD[:4]}").json()["rows"][0]
    voc = viewer.get(f"/voc?period={PERIOD}&lang=en")
    assert voc.status_code == 200 and f"n = {nps['n']}" in voc.text
    assert viewer.get("/voc?table=orders").status_code == 422


def test_the_alerts_page_names_each_contributor_in_its_language(viewer: TestClient) -> None:
    from memberlens.report.labels import dimension

    rows = viewer.get("/api/v1/alerts?from=2025-01-01&to=2025-06-30").json()["rows"]
    drilled = [r for r in rows if r["contributors"]]
    assert drilled, rows
    month, ids = drilled[0]["day"][:7], drilled[0]["contributors"]  # ids: "channel=store: …"
    dimensions = {part.split("=")[0].strip() for part in ids.split(";")}
    zh = viewer.get(f"/alerts?period={month}&lang=zh").text
    en = viewer.get(f"/alerts?period={month}&lang=en").text
    for name in dimensions:
        assert f"{dimension(name, 'zh')} = " in zh and f"{dimension(name, 'en')} = " in en
        assert f"{name}=" not in zh and f"{name}=" not in en
