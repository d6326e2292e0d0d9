"""The dashboard's pages without a browser: both languages, no inline script, login form."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PERIOD

PAGES = [
    "/",
    f"/?period={PERIOD}&by=tier",
    "/points",
    "/members",
    "/drill?by=tier&group=silver",
    "/member?id=M00000001",
    "/docs",
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
