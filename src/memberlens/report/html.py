"""Render :class:`~memberlens.report.data.ReportData` as one self-contained HTML file.

Charts are Plotly figures; plotly.js comes from the plotly package and is inlined once, so
the file opens offline. Layout and wording live in ``templates/report.html.j2``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape

from memberlens import formatting
from memberlens.dates.calendar import marks
from memberlens.labels import Label
from memberlens.metrics.catalog import CATALOG
from memberlens.metrics.targets import Status
from memberlens.report.data import ReportData
from memberlens.report.labels import LABELS, label

COLOURS = {"good": "#1a7f37", "bad": "#cf222e", "neutral": "#57606a"}
PALETTE = ["#0969da", "#bf8700", "#8250df", "#1a7f37", "#cf222e"]


def _figure_html(figure: Any) -> str:
    figure.update_layout(
        margin={"l": 40, "r": 20, "t": 30, "b": 30},
        height=300,
        template="plotly_white",
        font={
            "family": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, "
            "sans-serif",
            "size": 12,
        },
        legend={"orientation": "h", "y": -0.15},
    )
    html: str = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displayModeBar": False, "responsive": True},
    )
    return html


def _daily_chart(data: ReportData) -> str:
    import plotly.graph_objects as go

    daily = data.daily.sort("day")
    figure = go.Figure(
        go.Scatter(
            x=daily["day"].to_list(),
            y=daily["orders"].to_list(),
            mode="lines",
            line={"color": PALETTE[0], "width": 1.5},
            name=CATALOG["orders"].name(data.language),
        )
    )
    days = daily["day"].to_list()
    for peak in marks(days[0], days[-1]) if days else []:
        figure.add_vline(x=peak.day.isoformat(), line={"dash": "dot", "color": "#999"})
        figure.add_annotation(
            x=peak.day.isoformat(),
            y=1,
            yref="paper",
            showarrow=False,
            text=peak.label(data.language),
            font={"size": 10, "color": "#666"},
        )
    return _figure_html(figure)


def _monthly_chart(frame: pl.DataFrame, ids: tuple[str, ...], language: str, bars: bool) -> str:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(specs=[[{"secondary_y": True}]])
    for i, metric in enumerate(ids):
        rows = frame.filter(pl.col("metric") == metric)
        name = CATALOG[metric].name(language)
        secondary = CATALOG[metric].unit in ("ratio", "money") and not bars
        if bars and metric != "points_liability":
            trace: Any = go.Bar(
                x=rows["period"].to_list(),
                y=rows["value"].to_list(),
                name=name,
                marker_color=PALETTE[i % len(PALETTE)],
            )
        else:
            trace = go.Scatter(
                x=rows["period"].to_list(),
                y=rows["value"].to_list(),
                name=name,
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)]},
            )
            secondary = secondary or metric == "points_liability"
        figure.add_trace(trace, secondary_y=secondary)
    if bars:
        figure.update_layout(barmode="group")
    return _figure_html(figure)


def _clv_check(data: ReportData) -> dict[str, Any] | None:
    """The CLV model against the holdout: purchases by calibration frequency (predicted vs
    actual, per member), P(alive) calibration, the error measures and the parameters."""
    import plotly.graph_objects as go

    if data.clv is None or data.clv.validation is None:
        return None if data.clv_note is None else {"note": data.clv_note}
    v = data.clv.validation
    language = data.language
    buckets = go.Figure(
        [
            go.Bar(
                x=v.by_frequency["bucket"].to_list(),
                y=v.by_frequency[column].to_list(),
                name=label(column, language),
                marker_color=PALETTE[i],
            )
            for i, column in enumerate(("predicted", "actual"))
        ]
    )
    buckets.update_layout(
        barmode="group",
        xaxis_title=label("calibration_frequency", language),
        yaxis_title=label("holdout_purchases", language),
    )
    calibration = go.Figure(
        [
            go.Scatter(
                x=v.calibration["p_purchase"].to_list(),
                y=v.calibration["bought"].to_list(),
                mode="lines+markers",
                name=label("bought_share", language),
                line={"color": PALETTE[0]},
            ),
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name=label("perfect", language),
                line={"color": "#999", "dash": "dot"},
            ),
        ]
    )
    calibration.update_layout(
        xaxis_title=label("predicted_purchase", language),
        yaxis_title=label("bought_share", language),
    )
    params = data.clv.params | data.clv.spend_params
    return {
        "buckets_chart": _figure_html(buckets),
        "calibration_chart": _figure_html(calibration),
        "calibration_end": data.clv.calibration_end.isoformat(),
        "holdout_days": v.holdout_days,
        "measures": [
            (label("total_error", language), f"{100 * v.total_error:+.1f}%"),
            ("MAE", f"{v.mae:.3f}"),
            ("RMSE", f"{v.rmse:.3f}"),
            *((name, f"{value:.4g}") for name, value in params.items()),
        ],
        "warnings": data.clv.warnings,
    }


def _cohort_chart(frame: pl.DataFrame, language: str) -> str:
    import plotly.graph_objects as go

    if frame.is_empty():
        return ""
    wide = frame.pivot(on="months_since", index="cohort", values="share").sort("cohort")
    months = [c for c in wide.columns if c != "cohort"]
    z = [[None if v is None else round(100 * v, 1) for v in row[1:]] for row in wide.iter_rows()]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=months,
            y=wide["cohort"].to_list(),
            colorscale="Blues",
            zmin=0,
            zmax=100,
            text=[[("" if v is None else f"{v:.0f}%") for v in row] for row in z],
            texttemplate="%{text}",
            colorbar={"title": "%"},
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title=label("months_since", language))
    html = _figure_html(figure)
    return html.replace("height:300px", "height:380px")


def _kpi_cards(data: ReportData) -> list[dict[str, Any]]:
    cards = []
    for row in data.kpis.iter_rows(named=True):
        metric = CATALOG[row["metric"]]
        direction, unit = str(metric.direction), str(metric.unit)
        status = Status(row["status"])
        target = ""
        if row["target_low"] is not None:
            low, high = row["target_low"], row["target_high"]
            target = (
                formatting.number(low, unit)
                if low == high
                else (f"{formatting.number(low, unit)} – {formatting.number(high, unit)}")
            )
        cards.append(
            {
                "name": metric.name(data.language),
                "value": formatting.number(row["value"], unit),
                "previous": formatting.change(row["change_vs_previous"], unit),
                "previous_tone": formatting.tone(row["change_vs_previous"], direction),
                "year_ago": formatting.change(row["change_vs_year_ago"], unit),
                "year_ago_tone": formatting.tone(row["change_vs_year_ago"], direction),
                "status": status.value,
                "status_label": status.label(data.language),
                "target": target,
            }
        )
    return cards


def _table(frame: pl.DataFrame, data: ReportData) -> list[dict[str, Any]]:
    rows = []
    for row in frame.iter_rows(named=True):
        metric = CATALOG[row["metric"]]
        unit = str(metric.unit)
        rows.append(
            {
                "name": metric.name(data.language),
                "role": row.get("role", ""),
                "value": formatting.number(row["value"], unit),
                "previous": formatting.change(row["change_vs_previous"], unit),
                "previous_tone": formatting.tone(row["change_vs_previous"], str(metric.direction)),
                "year_ago": formatting.change(row["change_vs_year_ago"], unit),
                "year_ago_tone": formatting.tone(row["change_vs_year_ago"], str(metric.direction)),
                "status": row["status"],
                "status_label": Status(row["status"]).label(data.language),
            }
        )
    return rows


ADDITIVE = frozenset({"members_total", "buyers", "orders", "revenue"})


def _split(frame: pl.DataFrame, data: ReportData, column: str) -> dict[str, Any]:
    """A metrics-by-dimension frame as a table: one row per group (``label`` when given)."""
    index = "label" if "label" in frame.columns else column
    order = frame.select(index).unique(maintain_order=True)
    wide = order.join(frame.pivot(on="metric", index=index, values="value"), on=index, how="left")
    metrics = frame["metric"].unique(maintain_order=True).to_list()
    # a group missing from a count or a sum has none of it; a missing ratio has no value
    wide = wide.with_columns(pl.col(m).fill_null(0) for m in metrics if m in ADDITIVE)
    return {
        "headers": [CATALOG[m].name(data.language) for m in metrics],
        "rows": [
            {
                "group": row[index],
                "cells": [formatting.number(row[m], str(CATALOG[m].unit)) for m in metrics],
            }
            for row in wide.iter_rows(named=True)
        ],
    }


def _comparison(data: ReportData) -> dict[str, Any] | None:
    if data.comparison is None:
        return None
    rows = []
    for r in data.comparison.table.iter_rows(named=True):
        unit = str(CATALOG[r["measure"]].unit)
        low, high = formatting.number(r["ci_low"], unit), formatting.number(r["ci_high"], unit)
        ci = "" if r["ci_low"] is None else f" ({low} … {high})"
        p = r["p_value"]
        rows.append(
            {
                "name": CATALOG[r["measure"]].name(data.language),
                "a": formatting.number(r["a"], unit),
                "b": formatting.number(r["b"], unit),
                "difference": formatting.number(r["difference"], unit) + ci,
                "p": "–" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}"),
            }
        )
    a, b = data.comparison.groups
    return {"a": a, "b": b, "rows": rows, "caution": data.comparison.caution}


def _alerts(data: ReportData) -> list[dict[str, Any]]:
    return [
        {
            "day": a.day.isoformat(),
            "name": CATALOG[a.metric].name(data.language),
            "value": formatting.number(a.value, str(CATALOG[a.metric].unit)),
            "expected": formatting.number(a.expected, str(CATALOG[a.metric].unit)),
            "change": "–" if a.change is None else f"{a.change:+.0%}",
            "event": a.event_day,
            "contributors": [
                f"{c.dimension} = {c.group}: "
                f"{formatting.number(c.value, str(CATALOG[a.metric].unit))} "
                f"({formatting.number(c.expected, str(CATALOG[a.metric].unit))})"
                for c in a.contributors[:3]
            ],
        }
        for a in data.alerts
    ]


def _experiments(data: ReportData) -> list[dict[str, Any]]:
    from memberlens.experiments.readout import guard, percent, verdict

    return [
        {
            "id": e["experiment_id"],
            "arms": ", ".join(f"{a['variant']} {a['n']:,}" for a in e["arms"]),
            "guard": guard(e, data.language),
            "rows": [
                {
                    "metric": r["metric"],
                    "variant": r["variant"],
                    "lift": percent(r["lift_rel"]),
                    "ci": f"{percent(r['ci_rel'][0])} – {percent(r['ci_rel'][1])}",
                    "p": "–" if r["p_value"] is None else f"{r['p_value']:.3f}",
                    "p_holm": "–" if r["p_holm"] is None else f"{r['p_holm']:.3f}",
                    "chance": "–" if r["chance_to_win"] is None else f"{r['chance_to_win']:.0%}",
                    "verdict": verdict(r, 0.95, data.language),
                }
                for r in e["results"]
            ],
        }
        for e in data.experiments
    ]


def render_html(data: ReportData, generated: datetime) -> str:
    from plotly.offline import get_plotlyjs

    language = data.language
    environment = Environment(
        loader=PackageLoader("memberlens.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    template = environment.get_template("report.html.j2")
    text = {key: label(key, language) for key in LABELS}
    return template.render(
        lang=Label("zh-CN", "en")(language),
        t=text,
        period=str(data.period),
        data_range=f"{data.data_range[0]} … {data.data_range[1]}",
        generated=generated.strftime("%Y-%m-%d %H:%M"),
        cards=_kpi_cards(data),
        daily_chart=_daily_chart(data),
        monthly_chart=_monthly_chart(
            data.monthly, ("orders", "active_members", "repurchase_rate"), language, bars=False
        ),
        points_chart=_monthly_chart(
            data.points,
            ("points_issued", "points_redeemed", "points_expired", "points_liability"),
            language,
            bars=True,
        ),
        goals=[
            {"name": g.goal.name(language), "rows": _table(g.indicators, data)} for g in data.goals
        ],
        channels=_split(data.channels.sort("channel"), data, "channel"),
        tiers=_split(data.tiers, data, "tier"),
        segments=_split(data.segments, data, "rfm_segment"),
        comparison=_comparison(data),
        cohort_chart=_cohort_chart(data.cohorts, language),
        alerts=_alerts(data),
        experiments=_experiments(data),
        clv=_clv_check(data),
        colours=COLOURS,
        plotly_js=get_plotlyjs(),
    )
