"""Start-up of the service: /healthz, and no analytics imported before the first request."""

from __future__ import annotations

from fastapi.testclient import TestClient

import memberlens as ml
from cli.running import fresh

HEAVY = ("duckdb", "polars", "ibis", "pandas", "numpy", "pyarrow", "jinja2")


def test_healthz_needs_no_sign_in(anon: TestClient) -> None:
    answer = anon.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_app_is_built_without_the_analytics(web_ws: ml.Workspace) -> None:
    """What `serve` imports before it listens: the CLI, FastAPI, uvicorn and the app —
    not DuckDB, Polars, Ibis or the templates (they load on the first request)."""
    script = (
        "import json, sys\n"
        "import memberlens.cli, uvicorn\n"
        "from memberlens.web.app import create_app\n"
        f"create_app({str(web_ws.root)!r}, secret='s')\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    assert fresh(script) == []
