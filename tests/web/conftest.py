"""Fixtures of the service tests: a copy of the small program with one user per role."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import memberlens as ml
from memberlens.web.app import create_app
from memberlens.web.users import Role, UserStore

PASSWORDS = {"vic": "viewer-pass-1", "ann": "analyst-pass-1", "ada": "admin-pass-1"}
ROLES = {"vic": Role.viewer, "ann": Role.analyst, "ada": Role.admin}
AS_OF = "2025-06-30"
PERIOD = "2025-06"


@pytest.fixture(scope="session")
def web_ws(
    small_program_ws: ml.Workspace, tmp_path_factory: pytest.TempPathFactory
) -> ml.Workspace:
    """The small program copied (the tests add users and loads), with vic, ann and ada."""
    root = tmp_path_factory.mktemp("web") / "ws"
    shutil.copytree(small_program_ws.root, root)
    store = UserStore(root)
    for name, password in PASSWORDS.items():
        store.add(name, ROLES[name], password)
    return ml.open(root)


@pytest.fixture(scope="session")
def app(web_ws: ml.Workspace) -> Any:
    return create_app(web_ws.root, secret="test-secret")


@pytest.fixture
def anon(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def signed_in(app: Any, name: str) -> TestClient:
    client = TestClient(app)
    response = client.post("/api/v1/login", json={"username": name, "password": PASSWORDS[name]})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture(scope="session")
def viewer(app: Any) -> TestClient:
    return signed_in(app, "vic")


@pytest.fixture(scope="session")
def analyst(app: Any) -> TestClient:
    return signed_in(app, "ann")


@pytest.fixture(scope="session")
def admin(app: Any) -> TestClient:
    return signed_in(app, "ada")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live(app: Any) -> Iterator[str]:
    """The app under uvicorn on loopback, stopped at the end of the session."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
