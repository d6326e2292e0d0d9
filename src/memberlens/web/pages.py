"""The dashboard: server-rendered pages (Jinja2), zh by default, ``?lang=en`` remembered.

Pages read through the same :class:`~memberlens.web.queries.Queries` as the API; charts
are drawn by plotly.js (served from the installed plotly package) from JSON data islands,
so no page carries an inline script.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from memberlens import formatting
from memberlens.errors import InputError, MemberlensError
from memberlens.experiments.readout import arm, outcome
from memberlens.experiments.readout import verdict as sentence
from memberlens.labels import LANGUAGES
from memberlens.pii import safe_cell
from memberlens.web import labels as L
from memberlens.web.deps import Caller, Service, identify, masked, service
from memberlens.web.queries import ServiceBusy, day_before, holidays, month_start
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

        _templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
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


# -- pages -------------------------------------------------------------------------------------
@router.get("/")
def overview_page(request: Request, caller: Page, svc: Svc) -> Response:
    from memberlens.metrics.catalog import CATALOG
    from memberlens.metrics.dimensions import DIMENSIONS

    lang = language(request)

    def build() -> dict[str, Any]:
        if svc.queries.data_range() is None:
            return {"empty": True, "months": [], "period": ""}
        period, first, last = chosen_period(svc, request)
        by = request.query_params.get("by") or None
        if by is not None:
            svc.queries.check_dimension(by)
        cards = []
        for row in svc.queries.metrics(list(KPIS), period, None, True):
            m = CATALOG[row["metric"]]
            unit, direction = str(m.unit), str(m.direction)
            cards.append(
                {
                    "id": m.id,
                    "name": m.name(lang),
                    "value": formatting.number(row["value"], unit),
                    "raw": row["value"],
                    "previous": formatting.change(row["change_vs_previous"], unit),
                    "previous_tone": formatting.tone(row["change_vs_previous"], direction),
                    "year": formatting.change(row["change_vs_year_ago"], unit),
                    "year_tone": formatting.tone(row["change_vs_year_ago"], direction),
                    "status": row["status"],
                    "status_label": L.STATUS.get(row["status"], L.STATUS["no_target"])(lang),
                    "target": _target(row, unit),
                }
            )
        daily = svc.queries.series(list(DAILY), first, last, "day")
        start = month_start(last, 12)
        monthly = svc.queries.series(list(MONTHLY), start, last, "month")
        marks = [
            {"day": h["day"], "name": L.HOLIDAYS[h["name"]](lang)} for h in holidays(first, last)
        ]
        groups, table = split_table(svc, period, by, lang) if by else ([], [])
        return {
            "empty": False,
            "months": months(svc),
            "period": period,
            "cards": cards,
            "daily": {"traces": chart_series(daily, DAILY, lang), "marks": marks},
            "monthly": {"traces": chart_series(monthly, MONTHLY, lang), "marks": []},
            "by": by,
            "dimensions": [(d.id, d.name(lang)) for d in DIMENSIONS.values()],
            "groups": groups,
            "names": group_names(svc, by, last, lang),
            "table": table,
            "drillable": by in ("tier", "rfm_segment"),
        }

    return guarded(request, caller, "overview.html", build)


def _target(row: dict[str, Any], unit: str) -> str:
    low, high = row.get("target_low"), row.get("target_high")
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f"{formatting.number(low, unit)} – {formatting.number(high, unit)}"
    if low is not None:
        return f"≥ {formatting.number(low, unit)}"
    return f"≤ {formatting.number(high, unit)}"


@router.get("/points")
def points_page(request: Request, caller: Page, svc: Svc) -> Response:
    lang = language(request)

    def build() -> dict[str, Any]:
        period, _first, last = chosen_period(svc, request)
        flow = svc.queries.series(list(FLOW), month_start(last, 12), last, "month")
        result = svc.queries.breakage(last)
        vintages = svc.queries.vintages(last)
        return {
            "months": months(svc),
            "period": period,
            "as_of": last,
            "flow": {"traces": chart_series(flow, FLOW, lang), "marks": [], "kind": "bar"},
            "summary": result["summary"],
            "vintages": vintages[-24:],
            "vintage_chart": {
                "x": [v["issue_month"] for v in vintages[-24:]],
                "series": [
                    {"name": L.REDEEMED(lang), "y": [v["redeemed_share"] for v in vintages[-24:]]},
                    {"name": L.EXPIRED(lang), "y": [v["expired_share"] for v in vintages[-24:]]},
                    {"name": L.OPEN(lang), "y": [v["open_share"] for v in vintages[-24:]]},
                ],
            },
        }

    return guarded(request, caller, "points.html", build)


@router.get("/members")
def members_page(request: Request, caller: Page, svc: Svc) -> Response:
    lang = language(request)

    def build() -> dict[str, Any]:
        period, _first, last = chosen_period(svc, request)
        tiers = svc.queries.tiers(last, True, lang)
        rfm = [r for r in svc.queries.rfm(last, True, lang) if r["scheme"] == "threshold"]
        cohorts = svc.queries.cohorts(month_start(last, 11), last)
        names = sorted({r["cohort"] for r in cohorts})
        depth = max((r["months_since"] for r in cohorts), default=0) + 1
        grid = {(r["cohort"], r["months_since"]): r["share"] for r in cohorts}
        since = day_before(month_start(last, 11))  # a year before the period's end
        migration = svc.queries.tier_migration(since, last, lang)
        value = svc.queries.value(last, lang)
        return {
            "months": months(svc),
            "period": period,
            "as_of": last,
            "since": since,
            "tiers": tiers,
            "rfm": rfm,
            "tier_chart": {
                "x": [t["tier_name"] for t in tiers],
                "y": [t["members"] for t in tiers],
            },
            "cohort_chart": {
                "x": list(range(depth)),
                "y": names,
                "z": [[grid.get((c, k)) for k in range(depth)] for c in names],
            },
            "migration_chart": migration_matrix(migration),
            "value": value["matrix"],
            "value_chart": {
                "x": [r["name"] for r in value["matrix"]],
                "series": [
                    {"name": L.MEMBER_SHARE(lang), "y": shares(value["matrix"], "member_share")},
                    {"name": L.REVENUE_SHARE(lang), "y": shares(value["matrix"], "revenue_share")},
                ],
            },
            "clv": histogram(svc.queries.scores("clv"), "count"),
            "churn": histogram(svc.queries.scores("churn"), "ratio"),
        }

    return guarded(request, caller, "members.html", build)


def shares(found: list[dict[str, Any]], key: str) -> list[Any]:
    return [r[key] for r in found]


def migration_matrix(found: list[dict[str, Any]]) -> dict[str, Any]:
    """The long tier-migration rows as a from × to grid (ladder order, ``(new)`` last)."""
    order: list[str] = []
    names: dict[str, str] = {}
    for r in found:
        for key in ("from", "to"):
            names[r[key]] = r[f"{key}_name"]
    froms = [k for k in names if any(r["from"] == k for r in found)]
    tos = [k for k in names if any(r["to"] == k for r in found)]
    order = [k for k in names if k != "(new)"] + (["(new)"] if "(new)" in names else [])
    froms = [k for k in order if k in froms]
    tos = [k for k in order if k in tos]
    cells = {(r["from"], r["to"]): r["members"] for r in found}
    return {
        "x": [names[k] for k in tos],
        "y": [names[k] for k in froms],
        "z": [[cells.get((f, t), 0) for t in tos] for f in froms],
    }


def histogram(found: dict[str, Any] | None, unit: str) -> dict[str, Any] | None:
    """A saved-score histogram as bars labelled by their ranges (None: not saved)."""
    if found is None:
        return None
    edges, counts = found["edges"], found["counts"]
    labels = []
    for i in range(len(counts)):
        low = formatting.number(edges[i], unit)
        last = i == len(counts) - 1
        labels.append(
            f"≥ {low}"
            if last and found["open_last"]
            else f"{low}–{formatting.number(edges[i + 1], unit)}"
        )
    return {
        "x": labels,
        "y": counts,
        "edges": edges,
        "ratio": unit == "ratio",
        "levels": [(k, n) for k in ("low", "medium", "high") if (n := found["levels"].get(k))],
        "members": found["members"],
        "as_of": found["as_of"],
    }  # fmt: skip


@router.get("/drill")
def drill_page(request: Request, caller: Page, svc: Svc) -> Response:
    lang = language(request)

    def build() -> dict[str, Any]:
        from memberlens.metrics.dimensions import DIMENSIONS
        from memberlens.web.api import check_group

        period, _first, last = chosen_period(svc, request)
        by = svc.queries.check_dimension(request.query_params.get("by") or "tier")
        group = request.query_params.get("group") or ""
        groups, table = split_table(svc, period, by, lang)
        members: list[dict[str, Any]] = []
        total = 0
        if group and by in ("tier", "rfm_segment"):
            check_group(svc, by, group, last)
            found = svc.queries.members_of(by, group, last, lang)
            total = len(found)
            members = masked(found[:LIST_ROWS], caller) if caller.admin else _mask_all(found)
        return {
            "months": months(svc),
            "period": period,
            "as_of": last,
            "by": by,
            "by_name": DIMENSIONS[by].name(lang),
            "group": group,
            "group_name": group_names(svc, by, last, lang).get(group, group),
            "names": group_names(svc, by, last, lang),
            "groups": groups,
            "table": table,
            "drillable": by in ("tier", "rfm_segment"),
            "members": members[:LIST_ROWS],
            "columns": list(members[0]) if members else [],
            "total": total,
            "download": "/download/members.csv?"
            + urlencode({"by": by, "group": group, "as_of": last}),
        }

    return guarded(request, caller, "drill.html", build)


def _mask_all(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from memberlens.pii import mask_phone, mask_text

    return [
        {
            k: (v if "*" in v else mask_phone(v))  # the list's phones come masked
            if k == "phone" and isinstance(v, str)
            else (mask_text(v) if isinstance(v, str) else v)
            for k, v in row.items()
        }
        for row in found[:LIST_ROWS]
    ]


@router.get("/download/members.csv")
def download_members(request: Request, caller: Page, svc: Svc) -> Response:
    from memberlens.web.api import check_date, check_group

    if not caller.role.at_least(Role.analyst):
        raise HTTPException(403, "Downloading member lists needs the analyst role.")
    try:
        by = request.query_params.get("by", "")
        group = request.query_params.get("group", "")
        day = check_date(request.query_params.get("as_of", ""), "as_of")
        check_group(svc, by, group, day)
    except InputError as error:
        raise HTTPException(422, str(error)) from None
    found = masked(svc.queries.members_of(by, group, day), caller)
    buffer = io.StringIO()
    if found:
        writer = csv.DictWriter(buffer, fieldnames=list(found[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in found)
    svc.audit.record(caller.user.name, "download", f"members {by}={group} {day}", None)
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="members-{by}-{day}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/member")
def member_page(request: Request, caller: Page, svc: Svc) -> Response:
    """Look a member up by id or masked phone (whole phones: admins); one match shows the
    profile with its tier history, several a list of candidates (masked below admin)."""
    from memberlens.pii import mask_phone

    lang = language(request)

    def build() -> dict[str, Any]:
        query = (request.query_params.get("q") or request.query_params.get("id") or "").strip()
        query = query[:128]
        profile = None
        candidates: list[dict[str, Any]] = []
        total = 0
        problem = None
        if query:
            try:
                found = svc.queries.lookup(query, caller.admin)
            except InputError as error:
                found = {"rows": [], "total": 0, "kind": "member_id"}
                problem = str(error)
                if not caller.admin:  # never echo a whole phone number below admin
                    query = mask_phone(query) or ""
            total = found["total"]
            if total == 1:
                profile = masked(svc.queries.member(found["rows"][0]["member_id"], lang), caller)
            else:
                candidates = masked(found["rows"], caller)
        fields = []
        history = []
        if profile is not None:
            for key, label in L.PROFILE.items():
                value = profile.get(key)
                if isinstance(value, float):
                    value = f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
                if key == "registered_at" and isinstance(value, str):
                    value = value[:16].replace("T", " ")
                fields.append((key, label(lang), "–" if value is None else value))
            names = svc.queries.tier_names(lang)
            history = [
                {**h, "name": names.get(h["tier"], h["tier"])}
                for h in profile.get("tier_history") or []
            ]
        return {
            "query": query,
            "replace_query": {"q": query} if query else {},
            "profile": profile,
            "fields": fields,
            "history": history,
            "candidates": candidates,
            "total": total,
            "missing": bool(query) and total == 0 and problem is None,
            "problem": problem,
            "months": [],
        }

    return guarded(request, caller, "member.html", build)


@router.get("/alerts")
def alerts_page(request: Request, caller: Page, svc: Svc) -> Response:
    from memberlens.metrics.catalog import CATALOG
    from memberlens.report.labels import contributor

    lang = language(request)

    def build() -> dict[str, Any]:
        period, first, last = chosen_period(svc, request)
        rows = []
        for alert in svc.queries.alert_list(first, last):
            a = alert.to_dict()
            unit = str(CATALOG[alert.metric].unit)
            rows.append(
                {
                    **a,
                    "name": CATALOG[alert.metric].name(lang),
                    "value_text": formatting.number(a["value"], unit),
                    "expected_text": formatting.number(a["expected"], unit),
                    "change_text": "–" if a["change"] is None else f"{a['change']:+.0%}",
                    # named in the page's language (the JSON row holds the ids)
                    "contributors": "; ".join(
                        contributor(c, alert.metric, lang) for c in alert.contributors[:3]
                    ),
                }
            )
        return {"months": months(svc), "period": period, "alerts": rows}

    return guarded(request, caller, "alerts.html", build)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:+.1f} %"


def _plain(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def verdict(row: dict[str, Any], lang: str) -> str:
    """The read-out's sentence, as the command line and the report say it."""
    return sentence(row, 0.95, lang)


def _span(pair: list[float | None] | None, show: Any) -> str:
    if not pair or pair[0] is None or pair[1] is None:
        return "–"
    return f"{show(pair[0])} – {show(pair[1])}"


def _money(value: float | None) -> str:
    return formatting.number(value, "money")


@router.get("/experiments")
def experiments_page(request: Request, caller: Page, svc: Svc) -> Response:
    lang = language(request)

    def build() -> dict[str, Any]:
        from memberlens.errors import WorkspaceError

        try:
            found = svc.queries.campaigns(None, None, 14, 0.05)
        except WorkspaceError:
            found = []
        campaigns = [
            {
                "id": r["campaign_id"],
                "treated": r["treated"],
                "holdout": r["holdout"],
                "conversion": _signed(r["incremental_conversion"]),
                "conversion_ci": _span(r["ci"], _signed),
                "revenue": _money(r["incremental_revenue"]),
                "revenue_ci": _span(r["revenue_ci"], _money),
                "cost": _money(r["cost"]),
                "roi": "–" if r["roi"] is None else f"{r['roi']:.2f}",
                "roi_ci": _span(r["roi_ci"], lambda v: f"{v:.2f}"),
                "tone": "good" if (r["ci"][0] or 0) > 0 else "",
            }
            for r in found
        ]
        ids = svc.queries.experiment_ids()
        chosen = request.query_params.get("experiment") or (ids[0] if ids else None)
        read_out: dict[str, Any] | None = None
        if chosen is not None:
            if chosen not in ids:
                from memberlens.errors import unknown_choice

                raise unknown_choice("experiment", chosen[:80], ids, parameter="experiment")
            data = svc.queries.experiment(chosen, None, 14, False, False, "control", 0.05)
            srm = data["srm"]
            p = "–" if srm["p_value"] is None else f"{srm['p_value']:.2g}"
            results = [
                {
                    **r,
                    "metric_name": outcome(r["metric"], lang),
                    "variant_name": arm(r["variant"], lang),
                    "mean_text": _plain(r["mean"]),
                    "control_text": _plain(r["control_mean"]),
                    "lift_text": _signed(r["lift_rel"]),
                    "ci_text": _span(r["ci_rel"], _signed),
                    "p_text": _plain(r["p_value"]),
                    "holm_text": _plain(r["p_holm"]),
                    "chance_text": _share(r["chance_to_win"]),
                    "verdict": verdict(r, lang),
                }
                for r in data["results"]
            ]
            plotted = [
                r for r in data["results"] if r["lift_rel"] is not None and None not in r["ci_rel"]
            ]
            read_out = {
                "id": chosen,
                "control": data["control"],
                "window_days": data["window_days"],
                "arms": [{**a, "name": arm(a["variant"], lang)} for a in data["arms"]],
                "srm_flag": srm["flag"],
                "srm_text": (L.SRM if srm["flag"] else L.NO_SRM)(lang).format(p=p),
                "results": results,
                "warnings": data.get("warnings", []),
                "chart": {
                    "y": [
                        f"{outcome(r['metric'], lang)} · {arm(r['variant'], lang)}" for r in plotted
                    ],
                    "x": [r["lift_rel"] for r in plotted],
                    "lo": [r["ci_rel"][0] for r in plotted],
                    "hi": [r["ci_rel"][1] for r in plotted],
                },
            }
        return {"campaigns": campaigns, "ids": ids, "chosen": chosen, "read_out": read_out}

    return guarded(request, caller, "experiments.html", build)


def sparkline(counts: list[int], width: int = 160, height: int = 28) -> str:
    """Weekly counts as small inline SVG bars (drawn by the server, no script needed)."""
    if not counts:
        return ""
    top = max(max(counts), 1)
    step = width / len(counts)
    bars = "".join(
        f'<rect x="{i * step:.1f}" y="{height - max(c / top * height, 1 if c else 0):.1f}" '
        f'width="{max(step - 1, 1):.1f}" height="{max(c / top * height, 1 if c else 0):.1f}"/>'
        for i, c in enumerate(counts)
    )
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{" ".join(str(c) for c in counts)}">'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="#d0d5dd"/>'
        f'<g fill="#1f4fd1">{bars}</g></svg>'
    )


@router.get("/voc")
def voc_page(request: Request, caller: Page, svc: Svc) -> Response:
    from memberlens.dates.periods import parse_period
    from memberlens.pii import mask_text

    lang = language(request)

    def build() -> dict[str, Any]:
        period, _first, last = chosen_period(svc, request)
        table = request.query_params.get("table") or "tickets"
        if table not in L.TEXT_TABLES:
            from memberlens.errors import unknown_choice

            raise unknown_choice("table", table[:40], list(L.TEXT_TABLES), parameter="table")
        start = month_start(last, 11)
        found = svc.queries.voc_topics(table, start, last, 8)
        topics = [
            {
                **r,
                "share_text": _share(r["share"]),
                "negative_text": _share(r["negative_share"]),
                "spark": sparkline([w["n"] for w in r["trend"]]),
                "examples": [mask_text(e) for e in r["examples"] if e],
            }
            for r in found["rows"]
        ]
        chosen = parse_period(period)
        year = str(chosen.first.year)
        quarter = f"{chosen.first.year}-Q{(chosen.first.month - 1) // 3 + 1}"
        nps = [row for p in (period, quarter, year) for row in svc.queries.voc_nps(p, None)]
        by_tier = svc.queries.voc_nps(year, "tier")
        return {
            "months": months(svc),
            "period": period,
            "table": table,
            "tables": [(k, v(lang)) for k, v in L.TEXT_TABLES.items()],
            "first": start,
            "last": last,
            "topics": topics,
            "emerging": found["emerging"],
            "nps": nps,
            "by_tier": by_tier,
            "tier_names": svc.queries.tier_names(lang),
            "year": year,
        }

    return guarded(request, caller, "voc.html", build)


@router.get("/docs")
def docs_page(request: Request) -> Response:
    """The API reference from the OpenAPI document, rendered here (no CDN)."""
    schema = request.app.openapi()
    routes = []
    for path, methods in schema.get("paths", {}).items():
        for method, spec in methods.items():
            routes.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": spec.get("summary", ""),
                    "description": re.sub(r"``(.*?)``", r"\1", spec.get("description", "")),
                    "parameters": [p["name"] for p in spec.get("parameters", [])],
                }
            )
    return page(request, "docs.html", identify(request, service(request)), routes=routes)
