"""Users, roles and bearer tokens, kept in ``users.json`` beside ``memberlens.toml``.

Users live in the workspace folder, not in the warehouse file, so they can change while a
load holds the warehouse (DESIGN §14). Passwords are Argon2id hashes; a bearer token is 32
random bytes shown once, stored as its SHA-256 (a random token needs no slow hash: it cannot
be guessed from a dictionary). The file is written atomically (a temporary file renamed over
it), so a reader never sees half of it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from memberlens.errors import InputError, unknown_choice

USERS_FILE = "users.json"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
MIN_PASSWORD = 8


class Role(StrEnum):
    """Roles in ascending order of rights: each includes the ones before it."""

    viewer = "viewer"
    analyst = "analyst"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise unknown_choice("role", text, [r.value for r in Role], parameter="role") from None


@dataclass(frozen=True)
class Token:
    label: str
    digest: str  # SHA-256 hex of the token
    created: str


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str
    created: str
    tokens: tuple[Token, ...] = field(default_factory=tuple)

    def public(self) -> dict[str, Any]:
        """What ``users list`` shows: never a hash."""
        return {
            "username": self.name,
            "role": str(self.role),
            "created": self.created,
            "tokens": [t.label for t in self.tokens],
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InputError(
            f"User name {name[:80]!r}: use 1–64 letters, digits, '_', '.', '@' or '-', "
            "starting with a letter or digit.",
            parameter="name",
            value=name[:80],
        )
    return name


class UserStore:
    """The users of one workspace; every change re-reads the file and rewrites it whole."""

    def __init__(self, root: Path) -> None:
        self.path = root / USERS_FILE
        self._lock = threading.Lock()
        self._hasher: Any = None
        # an unknown user is checked against a throwaway hash: a failed login takes as long
        self._dummy: str | None = None

    # -- file -------------------------------------------------------------------------------
    def _read(self) -> dict[str, User]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        users = {}
        for item in raw.get("users", []):
            tokens = tuple(Token(**t) for t in item.get("tokens", []))
            users[item["name"]] = User(
                item["name"], Role(item["role"]), item["password_hash"], item["created"], tokens
            )
        return users

    def _write(self, users: dict[str, User]) -> None:
        document = {
            "users": [
                {**asdict(u), "role": str(u.role), "tokens": [asdict(t) for t in u.tokens]}
                for u in users.values()
            ]
        }
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".users-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(temporary).chmod(0o600)
            Path(temporary).replace(self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @property
    def hasher(self) -> Any:
        if self._hasher is None:
            from argon2 import PasswordHasher

            self._hasher = PasswordHasher()
        return self._hasher

    # -- queries ----------------------------------------------------------------------------
    def list(self) -> list[User]:
        return sorted(self._read().values(), key=lambda u: u.name)

    def get(self, name: str) -> User | None:
        return self._read().get(name)

    def verify_password(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs; None otherwise (same work either way)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        user = self._read().get(name)
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_hex(16))
        stored = user.password_hash if user is not None else self._dummy
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return user

    def verify_token(self, token: str) -> tuple[User, Token] | None:
        digest = _digest(token)
        for user in self._read().values():
            for t in user.tokens:
                if hmac.compare_digest(t.digest, digest):
                    return user, t
        return None

    # -- changes ----------------------------------------------------------------------------
    def add(self, name: str, role: Role, password: str) -> User:
        check_name(name)
        if len(password) < MIN_PASSWORD:
            raise InputError(
                f"The password is too short: use at least {MIN_PASSWORD} characters.",
                parameter="password",
            )
        with self._lock:
            users = self._read()
            if name in users:
                raise InputError(
                    f"User '{name}' exists already; remove it first with 'users remove {name}'.",
                    parameter="name",
                    value=name,
                )
            user = User(name, role, self.hasher.hash(password), _now())
            users[name] = user
            self._write(users)
            return user

    def remove(self, name: str) -> None:
        with self._lock:
            users = self._read()
            if name not in users:
                raise unknown_choice("user", name, users, parameter="name")
            del users[name]
            self._write(users)

    def new_token(self, name: str, label: str | None = None) -> str:
        """Create a bearer token for ``name``; the token itself is returned once, never kept."""
        with self._lock:
            users = self._read()
            if name not in users:
                raise unknown_choice("user", name, users, parameter="name")
            user = users[name]
            chosen = label or f"token-{len(user.tokens) + 1}"
            if any(t.label == chosen for t in user.tokens):
                raise InputError(
                    f"User '{name}' has a token named '{chosen}' already; choose another --name.",
                    parameter="label",
                    value=chosen,
                )
            token = "ml_" + secrets.token_urlsafe(32)
            users[name] = User(
                user.name,
                user.role,
                user.password_hash,
                user.created,
                (*user.tokens, Token(chosen, _digest(token), _now())),
            )
            self._write(users)
            return token
