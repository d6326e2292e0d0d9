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
from memberlens.report.data import CHANNEL, MEMBER_SPLIT, ReportData, ordered
from memberlens.report.labels import LABELS, contributor, group, label

#: U+2060 WORD JOINER: no line break at a hyphen or before a bracket inside a name.
JOINER = "\u2060"


def unbroken(text: str) -> str:
    """``text`` whose words a browser does not break at ``-`` or ``(`` (E-commerce,
    复购周期(天)); it still breaks between words."""
    return text.replace("-", "-" + JOINER).replace("(", JOINER + "(")


COLOURS = {"good": "#1a7f37", "bad": "#cf222e", "neutral": "#57606a"}
PALETTE = ["#0969da", "#bf8700", "#8250df", "#1a7f37", "#cf222e"]


#: The legend sits above the plot, left-aligned, so it never meets an axis title below.
LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}


def _figure_html(figure: Any, height: int = 300) -> str:
    figure.update_layout(
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=height,
        template="plotly_white",
        font={
            "family": "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, "
            "sans-serif",
            "size": 12,
        },
        legend=LEGEND,
    )
    # the margins grow to fit tick labels and axis titles (nothing is cut or overlaps)
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    html: str = figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        config={"displayModeBar": False, "responsive": True},
        default_width="100%",
        default_height=f"{height}px",
    )
    return html


def axis(unit: str, language: str, currency: str, name: str | None = None) -> dict[str, Any]:
    """An axis in a metric unit: a title naming the unit (and the metric, when the axis
    carries one) and ticks written in it (ratios as 42.9%, money with the currency)."""
    if unit == "ratio":
        title = f"{name or label('axis_share', language)} (%)"
        return {"title": {"text": title}, "tickformat": ".1%"}
    if unit == "money":
        title = label("axis_money", language, currency=currency)
        if name:
            title = f"{name} ({currency})"
        return {"title": {"text": title}, "tickformat": ",.0f"}
    key = "axis_points" if unit == "points" else "axis_count"
    return {"title": {"text": name or label(key, language)}, "tickformat": ",.0f"}


def hover(unit: str) -> str:
    """A trace's hover text in its unit."""
    number = {"ratio": "%{y:.1%}", "money": "%{y:,.2f}"}.get(unit, "%{y:,.0f}")
    return f"%{{fullData.name}}: {number}<extra>%{{x}}</extra>"


def _daily_chart(data: ReportData) -> str:
    import plotly.graph_objects as go

    daily = data.daily.sort("day")
    name = CATALOG["orders"].name(data.language)
    figure = go.Figure(
        go.Scatter(
            x=daily["day"].to_list(),
            y=daily["orders"].to_list(),
            mode="lines",
            line={"color": PALETTE[0], "width": 1.5},
            name=name,
            hovertemplate=hover("count"),
        )
    )
    days = daily["day"].to_list()
    for peak in marks(days[0], days[-1]) if days else []:
        figure.add_vline(x=peak.day.isoformat(), line={"dash": "dot", "color": "#999"})
        # written upwards, just left of its line and under the top of the plot: labels of
        # close peaks (双11, 双12 at phone width) and the line itself never cross
        figure.add_annotation(
            x=peak.day.isoformat(),
            y=1,
            yref="paper",
            xanchor="right",
            yanchor="top",
            xshift=-2,
            textangle=-90,
            showarrow=False,
            text=peak.label(data.language),
            font={"size": 10, "color": "#666"},
        )
    figure.update_layout(showlegend=False)
    figure.update_xaxes(tickformat="%Y-%m")
    figure.update_yaxes(title={"text": label("axis_orders", data.language)}, tickformat=",.0f")
    return _figure_html(figure)


def _monthly_chart(data: ReportData, frame: pl.DataFrame, ids: tuple[str, ...], bars: bool) -> str:
    """Metrics by month: counts (or points) on the left axis; ratios and money (and the points
    liability, a stock among flows) on the right, each axis in its unit."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    language = data.language
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    units: dict[bool, list[tuple[str, str]]] = {False: [], True: []}
    for i, metric in enumerate(ids):
        rows = frame.filter(pl.col("metric") == metric).sort("period")
        name = CATALOG[metric].name(language)
        unit = str(CATALOG[metric].unit)
        secondary = (unit in ("ratio", "money") and not bars) or metric == "points_liability"
        units[secondary].append((unit, name))
        if bars and metric != "points_liability":
            trace: Any = go.Bar(
                x=rows["period"].to_list(),
                y=rows["value"].to_list(),
                name=name,
                marker_color=PALETTE[i % len(PALETTE)],
                hovertemplate=hover(unit),
            )
        else:
            trace = go.Scatter(
                x=rows["period"].to_list(),
                y=rows["value"].to_list(),
                name=name,
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)]},
                hovertemplate=hover(unit),
            )
        figure.add_trace(trace, secondary_y=secondary)
    for secondary, traces in units.items():
        if traces:
            unit, name = traces[0]
            named = name if len(traces) == 1 else None
            figure.update_yaxes(axis(unit, language, data.currency, named), secondary_y=secondary)
    figure.update_yaxes(showgrid=False, secondary_y=True)
    # periods are months: ticks as 2025-01 in either language, one per tick step
    figure.update_xaxes(title={"text": label("axis_month", language)}, tickformat="%Y-%m")
    if bars:
        figure.update_layout(barmode="group")
    return _figure_html(figure, height=340)


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
        xaxis_title=label("predicted_purchase", language) + " (%)",
        yaxis_title=label("bought_share", language) + " (%)",
    )
    # a little beyond 0–100 % so that the end ticks are drawn
    calibration.update_xaxes(tickformat=".0%", range=[-0.02, 1.02])
    calibration.update_yaxes(tickformat=".0%", range=[-0.02, 1.02])
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
            colorbar={"title": {"text": "%"}, "thickness": 10},
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title=label("months_since", language))
    figure.update_yaxes(title=label("cohort_month", language), type="category")
    return _figure_html(figure, height=380)


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
                "name": unbroken(metric.name(data.language)),
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


def _split(
    frame: pl.DataFrame, data: ReportData, column: str, measures: tuple[str, ...]
) -> dict[str, Any]:
    """A metrics-by-dimension frame as a table: one row per group (``label`` when given),
    the measures in the order given."""
    index = "label" if "label" in frame.columns else column
    order = frame.select(index).unique(maintain_order=True)
    wide = order.join(frame.pivot(on="metric", index=index, values="value"), on=index, how="left")
    metrics = ordered(frame, measures)
    # a group missing from a count or a sum has none of it; a missing ratio has no value
    wide = wide.with_columns(pl.col(m).fill_null(0) for m in metrics if m in ADDITIVE)
    return {
        "headers": [unbroken(CATALOG[m].name(data.language)) for m in metrics],
        "rows": [
            {
                "group": unbroken(group(column, row[index], data.language)),
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
                "name": unbroken(CATALOG[r["measure"]].name(data.language)),
                "a": formatting.number(r["a"], unit),
                "b": formatting.number(r["b"], unit),
                "difference": formatting.number(r["difference"], unit) + ci,
                "p": "–" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}"),
            }
        )
    a, b = data.comparison.groups
    a, b = (unbroken(group("points_user", g, data.language)) for g in (a, b))
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
            "contributors": [contributor(c, a.metric, data.language) for c in a.contributors[:3]],
        }
        for a in data.alerts
    ]


def _experiments(data: ReportData) -> list[dict[str, Any]]:
    from memberlens.experiments.readout import arm, guard, outcome, percent, verdict

    language = data.language
    return [
        {
            "id": e["experiment_id"],
            "arms": ", ".join(f"{arm(a['variant'], language)} {a['n']:,}" for a in e["arms"]),
            "guard": guard(e, language),
            "rows": [
                {
                    "metric": outcome(r["metric"], language),
                    "variant": arm(r["variant"], language),
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
            data, data.monthly, ("orders", "active_members", "repurchase_rate"), bars=False
        ),
        points_chart=_monthly_chart(
            data,
            data.points,
            ("points_issued", "points_redeemed", "points_expired", "points_liability"),
            bars=True,
        ),
        goals=[
            {"name": g.goal.name(language), "rows": _table(g.indicators, data)} for g in data.goals
        ],
        channels=_split(data.channels.sort("channel"), data, "channel", CHANNEL),
        tiers=_split(data.tiers, data, "tier", MEMBER_SPLIT),
        segments=_split(data.segments, data, "rfm_segment", MEMBER_SPLIT),
        comparison=_comparison(data),
        cohort_chart=_cohort_chart(data.cohorts, language),
        alerts=_alerts(data),
        experiments=_experiments(data),
        clv=_clv_check(data),
        colours=COLOURS,
        plotly_js=get_plotlyjs(),
    )
