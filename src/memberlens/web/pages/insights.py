"""Dashboard pages: alerts, experiments and campaigns, the voice of the customer, and the
API reference."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from memberlens import formatting
from memberlens.experiments.readout import arm, outcome
from memberlens.experiments.readout import verdict as sentence
from memberlens.web import labels as L
from memberlens.web.deps import identify, service
from memberlens.web.pages.base import (
    Page,
    Svc,
    chosen_period,
    guarded,
    language,
    months,
    page,
    router,
)
from memberlens.web.queries import month_start


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


_share = formatting.percent
_signed = partial(formatting.percent, signed=True)
_plain = formatting.significant


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
