"""Request dependencies: the service's parts, the signed-in user, and role checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from memberlens.pii import mask_phone, mask_text
from memberlens.web.queries import Queries
from memberlens.web.security import SESSION_COOKIE, Audit, Sessions, Throttle
from memberlens.web.users import Role, User, UserStore


@dataclass
class Service:
    """Everything one app holds: built once by ``create_app``."""

    root: Path
    queries: Queries
    users: UserStore
    sessions: Sessions
    throttle: Throttle
    audit: Audit


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Caller:
    user: User
    via: str  # "session" or "token"
    csrf: str | None = None

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def admin(self) -> bool:
        return self.user.role is Role.admin


def identify(request: Request, svc: Service) -> Caller | None:
    """The caller of a request: a bearer token, else the session cookie, else None."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        found = svc.users.verify_token(header[7:].strip()[:200])
        if found is None:
            return None
        user, token = found
        svc.audit.record(user.name, "token", f"{token.label} {request.url.path}", address(request))
        return Caller(user, "token")
    data = svc.sessions.read(request.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    known = svc.users.get(data["u"])
    return None if known is None else Caller(known, "session", data.get("c"))


def require(role: Role) -> Callable[..., Caller]:
    """A dependency: 401 without credentials, 403 below ``role``."""

    def check(request: Request, svc: Annotated[Service, Depends(service)]) -> Caller:
        caller = identify(request, svc)
        if caller is None:
            raise HTTPException(
                401,
                'Sign in: POST /api/v1/login with {"username", "password"}, or send '
                "'Authorization: Bearer TOKEN' (memberlens users token NAME).",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not caller.role.at_least(role):
            raise HTTPException(
                403, f"This needs the {role} role; {caller.user.name} is {caller.role}."
            )
        return caller

    return check


Viewer = Annotated[Caller, Depends(require(Role.viewer))]
Analyst = Annotated[Caller, Depends(require(Role.analyst))]
Admin = Annotated[Caller, Depends(require(Role.admin))]
Svc = Annotated[Service, Depends(service)]


def masked(value: Any, caller: Caller) -> Any:
    """Member data for ``caller``: phones and PII in text masked below admin."""
    if caller.admin:
        return value
    if isinstance(value, dict):
        return {
            k: mask_phone(v) if k == "phone" and isinstance(v, str) else masked(v, caller)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [masked(v, caller) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
