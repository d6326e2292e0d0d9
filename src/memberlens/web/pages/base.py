"""What every dashboard page shares: the router, templates, language, sign-in, helpers.

Pages read through the same :class:`~memberlens.web.queries.Queries` as the API; charts
are drawn by plotly.js (served from the installed plotly package) from JSON data islands,
so no page carries an inline script.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from memberlens import formatting
from memberlens.errors import InputError, MemberlensError
from memberlens.labels import LANGUAGES
from memberlens.web import labels as L
from memberlens.web.deps import Caller, Service, identify, service
from memberlens.web.queries import ServiceBusy
from memberlens.web.security import SESSION_COOKIE, csrf_ok
from memberlens.web.users import Role

router = APIRouter(include_in_schema=False)
LANG_COOKIE = "memberlens_lang"
LOGIN_CSRF = "memberlens_login_csrf"
KPIS = (
    "members_total",
    "new_members",
    "active_members",
    "buyers",
    "orders",
    "revenue",
    "aov",
    "repurchase_rate",
    "retention_rate",
    "redemption_rate",
    "points_liability",
    "nps",
)
DAILY = ("revenue", "buyers", "orders")
MONTHLY = ("revenue", "buyers", "orders")
FLOW = ("points_issued", "points_redeemed", "points_expired")
SPLIT = ("buyers", "revenue", "aov", "purchase_frequency", "repurchase_rate", "redemption_rate")
LIST_ROWS = 100

_templates: Any = None


def templates() -> Any:
    global _templates
    if _templates is None:
        from fastapi.templating import Jinja2Templates

        _templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
        _templates.env.filters["number"] = formatting.number
        _templates.env.filters["change"] = formatting.change
    return _templates


def language(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in LANGUAGES else "zh"


def page(request: Request, name: str, caller: Caller | None, **context: Any) -> Response:
    lang = language(request)
    other = "en" if lang == "zh" else "zh"
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    query.update(context.pop("replace_query", {}))  # e.g. a refused whole phone, masked
    status = context.pop("status", 200)
    response: Response = templates().TemplateResponse(
        request,
        name,
        {
            "L": L,
            "lang": lang,
            "switch_url": f"{request.url.path}?{urlencode({**query, 'lang': other})}",
            "caller": caller,
            "path": request.url.path,
            "analyst": caller is not None and caller.role.at_least(Role.analyst),
            "json": lambda value: json.dumps(value, ensure_ascii=False).replace("</", "<\\/"),
            **context,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


def to_login(request: Request) -> Response:
    return RedirectResponse("/login", status_code=303)


def signed_in(request: Request, svc: Annotated[Service, Depends(service)]) -> Caller:
    caller = identify(request, svc)
    if caller is None:
        raise HTTPException(401, "Sign in.")
    return caller


Page = Annotated[Caller, Depends(signed_in)]
Svc = Annotated[Service, Depends(service)]


# -- sign in and out -------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, error: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    message = {"wrong": L.WRONG_LOGIN, "throttled": L.THROTTLED}.get(error or "")
    response = page(request, "login.html", None, csrf=token, error=message)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", path="/login")
    return response


@router.post("/login")
def login_form(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    from memberlens.web.api import sign_in

    if not csrf_ok(request.cookies.get(LOGIN_CSRF), csrf):
        raise HTTPException(403, "The sign-in form expired; reload the page.")
    response = RedirectResponse("/", status_code=303)
    try:
        sign_in(svc, request, response, username, password)
    except HTTPException as error:
        reason = "throttled" if error.status_code == 429 else "wrong"
        return RedirectResponse(f"/login?error={reason}", status_code=303)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


@router.post("/logout")
def logout_form(
    request: Request, caller: Page, csrf: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    if not csrf_ok(caller.csrf, csrf):
        raise HTTPException(403, "Missing or wrong CSRF token; reload the page.")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- helpers ---------------------------------------------------------------------------------
def months(svc: Service) -> list[str]:
    """Every month with data, newest first (the period picker)."""
    span = svc.queries.data_range()
    if span is None:
        return []
    first, last = date.fromisoformat(span[0]), date.fromisoformat(span[1])
    out = []
    index = last.year * 12 + last.month - 1
    while index >= first.year * 12 + first.month - 1:
        out.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
        index -= 1
    return out


def chosen_period(svc: Service, request: Request) -> tuple[str, str, str]:
    """(period, first day, last day): ``?period=`` or the latest full month of data."""
    from memberlens.dates.periods import parse_period

    given = request.query_params.get("period")
    if given:
        period = parse_period(svc.queries.check_period(given))
    else:
        rows = svc.queries.metrics(["members_total"], None, None, False)
        period = parse_period(rows[0]["period"])
    return str(period), period.first.isoformat(), period.last.isoformat()


def chart_series(rows: list[dict[str, Any]], ids: tuple[str, ...], lang: str) -> list[Any]:
    from memberlens.metrics.catalog import CATALOG

    traces = []
    for metric_id in ids:
        points = [r for r in rows if r["metric"] == metric_id]
        traces.append(
            {
                "name": CATALOG[metric_id].name(lang),
                "x": [p["period"] for p in points],
                "y": [p["value"] for p in points],
                "unit": str(CATALOG[metric_id].unit),
            }
        )
    return traces


def split_table(
    svc: Service, period: str, by: str, lang: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """Groups and per-metric rows of ``SPLIT`` split by ``by``."""
    from memberlens.metrics.catalog import CATALOG

    found = svc.queries.metrics(list(SPLIT), period, by, False)
    groups = sorted({str(r[by]) for r in found})
    table = []
    for metric_id in SPLIT:
        m = CATALOG[metric_id]
        values = {str(r[by]): r["value"] for r in found if r["metric"] == metric_id}
        table.append(
            {
                "name": m.name(lang),
                "cells": [formatting.number(values.get(g), str(m.unit)) for g in groups],
            }
        )
    return groups, table


def group_names(svc: Service, by: str | None, as_of: str, lang: str) -> dict[str, str]:
    """Readable names of a dimension's groups: tiers from the config, RFM segments by the
    workspace's segment names; other groups are shown as they are."""
    if by == "tier":
        return svc.queries.tier_names(lang)
    if by == "rfm_segment":
        found = svc.queries.rfm(as_of, True, lang)
        return {r["segment"]: r["segment_name"] for r in found if r["scheme"] == "threshold"}
    return {}


def guarded(request: Request, caller: Caller, name: str, build: Any) -> Response:
    """Render ``name`` with ``build()``'s context; a bad value or a busy warehouse is a
    message on the page, never an error page."""
    try:
        context = build()
    except ServiceBusy:
        return page(request, "message.html", caller, message=L.BUSY, status=503)
    except InputError as error:
        return page(request, "message.html", caller, message=None, text=str(error), status=422)
    except MemberlensError as error:
        return page(request, "message.html", caller, message=None, text=str(error), status=409)
    return page(request, name, caller, **context)
