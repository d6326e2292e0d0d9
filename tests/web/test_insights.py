"""Experiments, campaigns and voice-of-the-customer endpoints (DESIGN §12–§14)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

import memberlens as ml
from web.conftest import AS_OF, PERIOD


def experiment_id(ws: ml.Workspace) -> str:
    return ws.experiments.ids()[0]


def window(ws: ml.Workspace) -> tuple[str, str]:
    from memberlens.facts.coverage import data_range

    with ws.session() as s:
        span = data_range(s)
    assert span is not None
    return f"{span[1].year}-01-01", span[1].isoformat()


def test_no_credentials_is_401(anon: TestClient, web_ws: ml.Workspace) -> None:
    first, last = window(web_ws)
    for path in (
        f"/api/v1/experiments/{experiment_id(web_ws)}",
        "/api/v1/campaigns",
        f"/api/v1/voc/topics?from={first}&to={last}",
        f"/api/v1/voc/nps?period={PERIOD}",
    ):
        assert anon.get(path).status_code == 401, path


def test_experiment_read_out_equals_the_core(viewer: TestClient, web_ws: ml.Workspace) -> None:
    from memberlens.experiments.analyze import analyze

    eid = experiment_id(web_ws)
    response = viewer.get(f"/api/v1/experiments/{eid}")
    assert response.status_code == 200, response.text
    with web_ws.session() as s:
        expected = json.loads(json.dumps(analyze(s, eid).to_dict()))
    assert response.json() == expected
    assert {"experiment_id", "control", "window_days", "arms", "srm", "results"} <= set(expected)
    cuped = viewer.get(f"/api/v1/experiments/{eid}?cuped=true&metric=revenue&window_days=7")
    assert cuped.status_code == 200
    with web_ws.session() as s:
        adjusted = analyze(s, eid, metrics=["revenue"], window_days=7, cuped=True).to_dict()
    assert cuped.json() == json.loads(json.dumps(adjusted))
    assert [r["metric"] for r in cuped.json()["results"]] == ["revenue"] * len(adjusted["arms"][1:])


def test_unknown_experiment_is_404(viewer: TestClient, web_ws: ml.Workspace) -> None:
    response = viewer.get("/api/v1/experiments/NOPE")
    assert response.status_code == 404
    assert experiment_id(web_ws) in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "parameter", "value", "choice"),
    [
        ("metric=lifetime", "metric", "lifetime", "conversion"),
        ("window_days=0", "window_days", "0", "1 to 365"),
        ("window_days=abc", "window_days", "abc", "1 to 365"),
        ("alpha=2", "alpha", "2", "0.05"),
        ("cuped=maybe", "cuped", "maybe", "true"),
        ("control=nobody", "control", "nobody", "control"),
    ],
)
def test_bad_experiment_parameters_are_422(
    viewer: TestClient, web_ws: ml.Workspace, query: str, parameter: str, value: str, choice: str
) -> None:
    response = viewer.get(f"/api/v1/experiments/{experiment_id(web_ws)}?{query}")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["parameter"] == parameter
    assert value in body["detail"] and choice in body["detail"]


def test_campaigns_equal_the_core(viewer: TestClient, web_ws: ml.Workspace) -> None:
    from memberlens.experiments.campaigns import analyze_campaigns

    response = viewer.get("/api/v1/campaigns")
    assert response.status_code == 200, response.text
    with web_ws.session() as s:
        expected = analyze_campaigns(s)
        one_campaign = analyze_campaigns(s, [expected[0]["campaign_id"]])
    assert response.json()["rows"] == json.loads(json.dumps(expected))
    assert len(expected) >= 2
    one = viewer.get(f"/api/v1/campaigns?ids={expected[0]['campaign_id']}")
    assert one.json()["rows"] == json.loads(json.dumps(one_campaign))
    assert len(one_campaign) == 1


@pytest.mark.parametrize(
    ("query", "parameter", "value"),
    [("by=city", "by", "city"), ("ids=NOPE", "ids", "NOPE"), ("alpha=x", "alpha", "x")],
)
def test_bad_campaign_parameters_are_422(
    viewer: TestClient, query: str, parameter: str, value: str
) -> None:
    response = viewer.get(f"/api/v1/campaigns?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["parameter"] == parameter
    assert value in response.json()["detail"]


def test_topics_equal_the_core_and_are_masked(
    viewer: TestClient, admin: TestClient, web_ws: ml.Workspace
) -> None:
    from memberlens.voc.topics import emerging, texts, topic_rows
    from memberlens.workspace.parse import day

    first, last = window(web_ws)
    with web_ws.session() as s:
        frame = texts(s, "tickets", day(first), day(last))
    expected, _ = topic_rows(frame, k=8)
    assert expected, "the fixture has tickets"
    for client in (viewer, admin):
        response = client.get(f"/api/v1/voc/topics?table=tickets&from={first}&to={last}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["rows"] == json.loads(json.dumps(expected))
        assert len(body["emerging"]) == len(emerging(expected))
    assert sum(r["size"] for r in expected) == frame.height


def test_topic_examples_never_show_a_phone(
    admin: TestClient, web_ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from memberlens.web import api

    leaked = {"rows": [{"examples": ["call me at 13812345678"]}], "emerging": []}
    assert "13812345678" not in json.dumps(api.mask_texts(leaked))
    assert "138****5678" in json.dumps(api.mask_texts(leaked))


@pytest.mark.parametrize(
    ("query", "parameter", "value"),
    [
        ("table=orders&from=2025-01-01&to=2025-02-01", "table", "orders"),
        ("from=2025-13-01&to=2025-02-01", "from", "2025-13-01"),
        ("from=2025-03-01&to=2025-02-01", "to", "2025-02-01"),
        ("from=2025-01-01&to=2025-02-01&k=0", "k", "0"),
    ],
)
def test_bad_topic_parameters_are_422(
    viewer: TestClient, query: str, parameter: str, value: str
) -> None:
    response = viewer.get(f"/api/v1/voc/topics?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["parameter"] == parameter
    assert value in response.json()["detail"]


def test_nps_equals_the_core(viewer: TestClient, web_ws: ml.Workspace) -> None:
    from memberlens.dates.periods import parse_period
    from memberlens.voc.nps import nps_rows

    year = window(web_ws)[1][:4]
    for query, by in ((f"period={year}", None), (f"period={year}&by=tier", "tier")):
        response = viewer.get(f"/api/v1/voc/nps?{query}")
        assert response.status_code == 200, response.text
        with web_ws.session() as s:
            expected = nps_rows(s, parse_period(year), by)
        assert response.json()["rows"] == json.loads(json.dumps(expected))
    assert expected and all(r["n"] == r["promoters"] + r["passives"] + r["detractors"]
                            for r in expected)  # fmt: skip


@pytest.mark.parametrize(
    ("query", "parameter", "value"),
    [("period=2025-13", "period", "2025-13"), (f"period={PERIOD}&by=shoe", "by", "shoe")],
)
def test_bad_nps_parameters_are_422(
    viewer: TestClient, query: str, parameter: str, value: str
) -> None:
    response = viewer.get(f"/api/v1/voc/nps?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["parameter"] == parameter
    assert value in response.json()["detail"]


def test_namespaces_take_text(web_ws: ml.Workspace) -> None:
    effect: Any = web_ws.experiments.causal_points("2024-06-30").to_dict()
    assert {"naive", "weighted", "did"} <= set(effect)
    assert web_ws.voc.sentiment("surveys")[0]["sentiment"] in (None, "positive", "neutral",
                                                                "negative")  # fmt: skip
    with pytest.raises(ml.errors.InputError) as caught:
        web_ws.voc.topics("tickets", "2025-02-30", AS_OF)
    assert caught.value.parameter == "start"
