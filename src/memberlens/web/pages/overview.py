"""Dashboard pages: the overview of the month and the points page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from memberlens import formatting
from memberlens.web import labels as L
from memberlens.web.pages.base import (
    DAILY,
    FLOW,
    KPIS,
    MONTHLY,
    Page,
    Svc,
    chart_series,
    chosen_period,
    group_names,
    guarded,
    language,
    months,
    router,
    split_table,
)
from memberlens.web.queries import holidays, month_start


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
