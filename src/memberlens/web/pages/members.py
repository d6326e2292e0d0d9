"""Dashboard pages: members (segments, tiers, value), the drill-down, one member and the
members download."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request
from fastapi.responses import Response

from memberlens import formatting
from memberlens.errors import InputError
from memberlens.pii import safe_cell
from memberlens.web import labels as L
from memberlens.web.deps import masked
from memberlens.web.pages.base import (
    LIST_ROWS,
    Page,
    Svc,
    chosen_period,
    group_names,
    guarded,
    language,
    months,
    router,
    split_table,
)
from memberlens.web.queries import day_before, month_start
from memberlens.web.users import Role


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
