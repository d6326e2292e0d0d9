"""Users, roles and tokens in users.json; the 'users' commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.web.users import USERS_FILE, Role, UserStore


def test_passwords_are_argon2_hashes_and_verify(tmp_path: Path) -> None:
    store = UserStore(tmp_path)
    store.add("li.na", Role.analyst, "correct horse")
    raw = (tmp_path / USERS_FILE).read_text(encoding="utf-8")
    assert "correct horse" not in raw
    assert json.loads(raw)["users"][0]["password_hash"].startswith("$argon2id$")
    assert store.verify_password("li.na", "correct horse") is not None
    assert store.verify_password("li.na", "wrong horse!") is None
    assert store.verify_password("nobody", "correct horse") is None
    assert list(tmp_path.glob(".users-*")) == []  # the temporary file was renamed away


def test_roles_are_ordered() -> None:
    assert Role.admin.at_least(Role.analyst) and Role.analyst.at_least(Role.viewer)
    assert not Role.viewer.at_least(Role.analyst)


def test_tokens_are_stored_hashed_and_shown_once(tmp_path: Path) -> None:
    store = UserStore(tmp_path)
    store.add("crm", Role.viewer, "long-password")
    token = store.new_token("crm", "crm-sync")
    assert token not in (tmp_path / USERS_FILE).read_text(encoding="utf-8")
    found = store.verify_token(token)
    assert found is not None and found[0].name == "crm" and found[1].label == "crm-sync"
    assert store.verify_token(token + "x") is None
    with pytest.raises(InputError, match="crm-sync"):
        store.new_token("crm", "crm-sync")


def test_bad_names_duplicates_and_short_passwords(tmp_path: Path) -> None:
    store = UserStore(tmp_path)
    with pytest.raises(InputError, match="User name"):
        store.add("a b'; DROP", Role.viewer, "long-password")
    with pytest.raises(InputError, match="too short"):
        store.add("ok", Role.viewer, "short")
    store.add("ok", Role.viewer, "long-password")
    with pytest.raises(InputError, match="exists already"):
        store.add("ok", Role.admin, "long-password")
    with pytest.raises(InputError, match="Did you mean 'ok'"):
        store.remove("okk")
    store.remove("ok")
    assert store.list() == []


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "memberlens", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_users_commands(ws: ml.Workspace) -> None:
    root = str(ws.root)
    added = run(
        "-w",
        root,
        "users",
        "add",
        "wang",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="s3cret-password\n",
    )
    assert added.returncode == 0, added.stderr
    listed = run("-w", root, "users", "list", "--format", "json")
    assert json.loads(listed.stdout)["rows"] == [
        {
            "username": "wang",
            "role": "analyst",
            "created": json.loads(listed.stdout)["rows"][0]["created"],
            "tokens": [],
        }
    ]
    token = run("-w", root, "users", "token", "wang", "--name", "bi")
    assert token.returncode == 0
    printed = token.stdout.splitlines()
    assert len(printed) == 1 and printed[0].startswith("ml_")  # alone on stdout
    assert "cannot be shown again" in token.stderr
    assert UserStore(ws.root).verify_token(printed[0]) is not None
    bad_role = run(
        "-w",
        root,
        "users",
        "add",
        "x",
        "--role",
        "boss",
        "--password-stdin",
        stdin="s3cret-password\n",
    )
    assert bad_role.returncode == 2 and "Valid roles: admin, analyst, viewer" in bad_role.stderr
    assert run("-w", root, "users", "remove", "wang").returncode == 0
    assert json.loads(run("-w", root, "users", "list", "--format", "json").stdout) == {"rows": []}


def test_serve_refuses_a_public_host_without_a_secret(ws: ml.Workspace) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "MEMBERLENS_SECRET"}
    done = subprocess.run(
        [sys.executable, "-m", "memberlens", "-w", str(ws.root), "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 2 and "MEMBERLENS_SECRET" in done.stderr
