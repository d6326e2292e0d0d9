"""The JSON API: auth, roles, status codes, the CLI's rows, masking, audit, headers."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient

import memberlens as ml
from memberlens.pii import mask_phone
from memberlens.web.security import AUDIT_FILE
from web.conftest import AS_OF, PERIOD

VIEWER_GETS = [
    "/api/v1/catalog",
    f"/api/v1/metrics?ids=revenue,aov&period={PERIOD}",
    f"/api/v1/series?ids=revenue&from=2025-01-01&to={AS_OF}",
    f"/api/v1/rfm?as_of={AS_OF}&summary=true",
    f"/api/v1/tiers?as_of={AS_OF}&summary=true",
    "/api/v1/members/M00000001",
    f"/api/v1/alerts?from=2025-06-20&to={AS_OF}",
    f"/api/v1/points/breakage?as_of={AS_OF}",
    f"/api/v1/points/vintages?as_of={AS_OF}",
    f"/api/v1/cohorts?from=2025-01-01&to={AS_OF}",
]
ANALYST_GETS = [
    f"/api/v1/rfm?as_of={AS_OF}",
    f"/api/v1/tiers?as_of={AS_OF}",
    f"/api/v1/members?by=tier&group=silver&as_of={AS_OF}",
    f"/api/v1/reports/{PERIOD}.html",
]


def cli_json(ws: ml.Workspace, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "memberlens", "-w", str(ws.root), *args, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("url", [*VIEWER_GETS, *ANALYST_GETS, "/api/v1/campaigns"])
def test_no_credentials_is_401(anon: TestClient, url: str) -> None:
    response = anon.get(url)
    assert response.status_code == 401
    assert "login" in response.json()["detail"]


def test_a_wrong_bearer_token_is_401(anon: TestClient) -> None:
    assert anon.get("/api/v1/catalog", headers={"Authorization": "Bearer nope"}).status_code == 401


@pytest.mark.parametrize("url", ANALYST_GETS)
def test_viewer_below_analyst_is_403(viewer: TestClient, url: str) -> None:
    response = viewer.get(url)
    assert response.status_code == 403
    assert "analyst" in response.json()["detail"]


def test_ingest_needs_admin(analyst: TestClient) -> None:
    response = analyst.post("/api/v1/ingest/members", files={"file": ("m.csv", b"member_id\n")})
    assert response.status_code == 403


@pytest.mark.parametrize("url", VIEWER_GETS)
def test_viewer_reads_aggregates(viewer: TestClient, url: str) -> None:
    response = viewer.get(url)
    assert response.status_code == 200, response.text


@pytest.mark.slow
@pytest.mark.parametrize("url", ANALYST_GETS)
def test_analyst_reads_member_lists_and_reports(analyst: TestClient, url: str) -> None:
    response = analyst.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


def test_metrics_equal_the_cli_json(web_ws: ml.Workspace, viewer: TestClient) -> None:
    split = viewer.get(f"/api/v1/metrics?ids=revenue,aov&period={PERIOD}&by=tier").json()
    assert split == cli_json(
        web_ws, "metrics", "revenue", "aov", "--period", PERIOD, "--by", "tier"
    )
    compared = viewer.get(f"/api/v1/metrics?ids=repurchase_rate&period={PERIOD}&compare=true")
    assert compared.json() == cli_json(
        web_ws, "metrics", "repurchase_rate", "--period", PERIOD, "--compare"
    )
    assert {r["metric"] for r in split["rows"]} == {"revenue", "aov"}


def test_series_rfm_and_tiers_equal_the_cli_json(web_ws: ml.Workspace, analyst: TestClient) -> None:
    series = analyst.get(f"/api/v1/series?ids=buyers&from=2025-01-01&to={AS_OF}&grain=month")
    assert series.json() == cli_json(
        web_ws, "metrics", "buyers", "--from", "2025-01-01", "--to", AS_OF, "--grain", "month"
    )
    assert len(series.json()["rows"]) == 6
    summary = analyst.get(f"/api/v1/rfm?as_of={AS_OF}&summary=true").json()
    assert summary == cli_json(web_ws, "rfm", "--as-of", AS_OF, "--summary")
    tiers = analyst.get(f"/api/v1/tiers?as_of={AS_OF}").json()
    by_member = sorted(tiers["rows"], key=lambda r: r["member_id"])  # rows: in the engine's order
    cli_rows = cli_json(web_ws, "tiers", "--as-of", AS_OF)["rows"]
    assert by_member == sorted(cli_rows, key=lambda r: r["member_id"])
    assert len({r["member_id"] for r in by_member}) == len(by_member)
    sizes = analyst.get(f"/api/v1/tiers?as_of={AS_OF}&summary=true").json()["rows"]
    assert sum(r["members"] for r in sizes) == len(tiers["rows"])


def test_catalog_lists_metrics_and_dimensions(viewer: TestClient) -> None:
    body = viewer.get("/api/v1/catalog").json()
    assert {"revenue", "repurchase_rate"} <= {r["id"] for r in body["rows"]}
    assert "tier" in {d["id"] for d in body["dimensions"]}


def test_member_phone_masked_below_admin(
    web_ws: ml.Workspace, viewer: TestClient, admin: TestClient
) -> None:
    phone = web_ws.table("members").filter(member_id="M00000001")["phone"][0]
    seen = viewer.get("/api/v1/members/M00000001")
    assert seen.json()["phone"] == mask_phone(phone) != phone
    assert seen.headers["cache-control"] == "no-store"
    assert admin.get("/api/v1/members/M00000001").json()["phone"] == phone
    assert seen.json()["tier"] == web_ws.models.member("M00000001").tier


def test_unknown_member_is_404(viewer: TestClient) -> None:
    response = viewer.get("/api/v1/members/NOPE'--")
    assert response.status_code == 404 and "No member" in response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "parameter", "needle"),
    [
        ("/api/v1/metrics?ids=revenu", "ids", "Did you mean 'revenue'"),
        (f"/api/v1/metrics?ids=revenue&period={PERIOD}&by=teir", "by", "Valid dimensions"),
        ("/api/v1/metrics?ids=revenue&period=2025-13", "period", "2025-13"),
        (f"/api/v1/metrics?ids=revenue&period={PERIOD}&compare=maybe", "compare", "false, true"),
        ("/api/v1/series?ids=revenue&from=2025-02-30&to=2025-03-01", "from", "2025-02-30"),
        ("/api/v1/series?ids=revenue&from=2025-01-01&to=2025-03-01&grain=hour", "grain", "month"),
        ("/api/v1/series?ids=revenue&to=2025-03-01", "from", "Field required"),
        ("/api/v1/rfm?as_of=yesterday&summary=true", "as_of", "2025-03-31"),
        ("/api/v1/alerts?from=2025-03-02&to=2025-03-01", "to", "before"),
    ],
)
def test_bad_requests_are_422_naming_parameter_and_value(
    viewer: TestClient, url: str, parameter: str, needle: str
) -> None:
    response = viewer.get(url)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["parameter"] == parameter
    assert needle in json.dumps(body, ensure_ascii=False)


def test_member_list_group_is_checked(analyst: TestClient) -> None:
    response = analyst.get(f"/api/v1/members?by=tier&group=platinum&as_of={AS_OF}")
    assert response.status_code == 422
    assert response.json()["parameter"] == "group" and "gold" in response.json()["detail"]


@pytest.mark.browser
@pytest.mark.slow
def test_the_pdf_report_is_printed_for_an_analyst(
    analyst: TestClient, viewer: TestClient, web_ws: ml.Workspace
) -> None:
    import shutil

    import pypdfium2 as pdfium

    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed")  # CI installs it: the report PDF test fails
    assert viewer.get(f"/api/v1/reports/{PERIOD}.pdf").status_code == 403
    response = analyst.get(f"/api/v1/reports/{PERIOD}.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f"memberlens-{PERIOD}.pdf" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    document = pdfium.PdfDocument(response.content)
    try:
        assert len(document) >= 4
        first = "".join(document[0].get_textpage().get_text_range().split())
    finally:
        document.close()
    assert f"会员运营月报·{PERIOD}" in first
    events = [json.loads(x) for x in (web_ws.root / AUDIT_FILE).read_text().splitlines()]
    assert {"action": "download", "target": f"report {PERIOD}.pdf"}.items() <= events[-1].items()


def test_without_chromium_the_pdf_is_unavailable_and_says_why(
    analyst: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBERLENS_CHROMIUM", "/nonexistent/chromium")
    response = analyst.get("/api/v1/reports/2025-05.pdf")
    assert response.status_code == 503
    assert "/nonexistent/chromium" in response.json()["detail"]


def test_login_throttled_after_five_failures(app: Any, web_ws: ml.Workspace) -> None:
    client = TestClient(app, client=("10.0.0.7", 5000))
    for _ in range(5):
        wrong = client.post("/api/v1/login", json={"username": "ann", "password": "nope-nope"})
        assert wrong.status_code == 401
    blocked = client.post("/api/v1/login", json={"username": "ann", "password": "analyst-pass-1"})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    # the address is blocked for other user names too
    other = client.post("/api/v1/login", json={"username": "vic", "password": "viewer-pass-1"})
    assert other.status_code == 429
    events = [json.loads(x) for x in (web_ws.root / AUDIT_FILE).read_text().splitlines()]
    assert {"login_failed", "login_throttled"} <= {e["action"] for e in events}
    assert all(set(e) == {"time", "user", "action", "target", "address"} for e in events)
    app.state.service.throttle._failures.clear()


def test_login_shape_cookie_and_logout(app: Any) -> None:
    client = TestClient(app)
    missing = client.post("/api/v1/login", json={"username": "vic"})
    assert missing.status_code == 422 and missing.json()["parameter"] == "password"
    response = client.post("/api/v1/login", json={"username": "vic", "password": "viewer-pass-1"})
    assert response.json() == {"username": "vic", "role": "viewer"}
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/api/v1/me").json() == {"username": "vic", "role": "viewer"}
    client.post("/api/v1/logout")
    assert client.get("/api/v1/me").status_code == 401


def test_a_forged_cookie_is_401(anon: TestClient) -> None:
    anon.cookies.set("memberlens_session", "eyJ1IjoiYWRhIn0.forged.sig")
    assert anon.get("/api/v1/catalog").status_code == 401


def test_bearer_token_and_its_audit(app: Any, web_ws: ml.Workspace) -> None:
    token = app.state.service.users.new_token("ann", "bi-tool")
    client = TestClient(app)
    response = client.get("/api/v1/catalog", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    events = [json.loads(x) for x in (web_ws.root / AUDIT_FILE).read_text().splitlines()]
    assert any(e["action"] == "token" and e["user"] == "ann" for e in events)


def test_security_headers(viewer: TestClient) -> None:
    headers = viewer.get("/api/v1/catalog").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


def test_upload_answers_like_the_load_summary(app: Any, admin: TestClient) -> None:
    csv = (
        "member_id,registered_at,channel,phone\n"
        "MNEW0001,2025-06-01 10:00:00,store,13800138000\n"
        "MNEW0002,not a date,store,13800138001\n"
    )
    # a session needs the CSRF token of its cookie
    refused = admin.post("/api/v1/ingest/members", files={"file": ("new.csv", csv.encode())})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    token = app.state.service.users.new_token("ada", "uploader")
    response = TestClient(app).post(
        "/api/v1/ingest/members",
        files={"file": ("new.csv", csv.encode())},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["table"] == "members" and body["source"] == "new.csv"
    assert (body["rows_read"], body["loaded"], body["quarantined"]) == (2, 1, 1)
    assert sum(body["reasons"].values()) == 1
    bad_table = TestClient(app).post(
        "/api/v1/ingest/memberz",
        files={"file": ("new.csv", csv.encode())},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad_table.status_code == 422 and bad_table.json()["parameter"] == "table"
    bad_file = TestClient(app).post(
        "/api/v1/ingest/members",
        files={"file": ("../../etc/passwd", b"x")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad_file.status_code == 422 and bad_file.json()["parameter"] == "file"
