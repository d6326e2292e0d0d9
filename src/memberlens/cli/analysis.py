"""Commands that read the warehouse: metrics (and the catalog)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit, write_frame


@app.command()
def metrics(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="Metric ids (default: all); 'list' prints the catalog, 'dimensions' the "
            "dimensions, 'explain ID' the SQL of a metric."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(help="2025-03-11, 2025-W10, 2025-03, 2025-Q1, 2025 or FIRST..LAST."),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Split by a dimension: channel, city, cohort, …")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Series start date.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Series end date.")] = None,
    grain: Annotated[str, typer.Option(help="Series grain: day, week, month, …")] = "month",
    compare: Annotated[bool, typer.Option(help="Add 环比 (previous) and 同比 (year ago).")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Compute loyalty KPIs for a period; 'metrics list' prints the catalog."""
    from memberlens.metrics.catalog import METRICS

    if names == ["list"]:
        rows: list[dict[str, Any]] = [
            {
                "id": m.id,
                "中文": m.zh,
                "name": m.en,
                "unit": str(m.unit),
                "direction": str(m.direction),
                "class": str(m.klass),
                "definition": m.definition,
            }
            for m in METRICS
        ]
        emit(rows, fmt, title="memberlens metric catalog")
        return
    if names == ["dimensions"]:
        from memberlens.metrics.dimensions import DIMENSIONS

        emit(
            [
                {"id": d.id, "中文": d.zh, "name": d.en, "definition": d.definition}
                for d in DIMENSIONS.values()
            ],
            fmt,
            title="Dimensions (--by)",
        )
        return
    ws = open_workspace()
    if names and names[0] == "explain":
        if len(names) != 2 or period is None:
            raise typer.BadParameter("use: memberlens metrics explain METRIC --period P [--by DIM]")
        console.print(ws.explain(names[1], period, by), highlight=False, soft_wrap=True)
        return
    ids = names or [m.id for m in METRICS]
    if by is None and start is None and (compare or period is None):
        frame = ws.summary(ids, period)
        if fmt is Format.table:
            show_summary(frame, ws.config.workspace.language)
            return
        emit(frame, fmt)
        return
    emit(ws.metrics(ids, period, by=by, start=start, end=end, grain=grain), fmt)


def _number(value: float | None, unit: str) -> str:
    from memberlens.formatting import number

    return number(value, unit, empty="[dim]no data[/]")


def _change(value: float | None, direction: str, unit: str) -> str:
    from memberlens.formatting import change, tone

    colour = {"good": "green", "bad": "red", "neutral": "dim"}[tone(value, direction)]
    return f"[{colour}]{change(value, unit)}[/]"


def _target(low: float | None, high: float | None, unit: str) -> str:
    if low is None or high is None:
        return ""
    if low == high:
        return _number(low, unit)
    return f"{_number(low, unit)} – {_number(high, unit)}"


STATUS_STYLE = {"on_target": "green", "watch": "yellow", "off_target": "red"}


def show_summary(frame: object, language: str, title: str | None = None) -> None:
    """A KPI table with 环比 / 同比 arrows coloured by direction, targets and status."""
    import polars as pl
    from rich.table import Table

    from memberlens.metrics.catalog import CATALOG
    from memberlens.metrics.targets import Status

    assert isinstance(frame, pl.DataFrame)
    zh = language == "zh"
    period = frame["period"][0] if frame.height else ""
    heading = title or ("会员 KPI" if zh else "Member KPIs")
    table = Table(title=f"{heading} · {period}", header_style="bold")
    headers = [
        ("指标", "Metric"),
        ("数值", "Value"),
        ("环比", "vs previous"),
        ("同比", "vs last year"),
        ("目标", "Target"),
        ("状态", "Status"),
    ]
    for zh_name, en_name in headers:
        table.add_column(
            zh_name if zh else en_name, justify="left" if en_name == "Metric" else "right"
        )
    for row in frame.iter_rows(named=True):
        direction = str(CATALOG[row["metric"]].direction)
        status = Status(row["status"])
        style = STATUS_STYLE.get(row["status"], "dim")
        table.add_row(
            row["name"],
            _number(row["value"], row["unit"]),
            _change(row["change_vs_previous"], direction, row["unit"]),
            _change(row["change_vs_year_ago"], direction, row["unit"]),
            _target(row["target_low"], row["target_high"], row["unit"]),
            f"[{style}]{status.label(language)}[/]",
        )
    console.print(table)


@app.command()
def goals(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Goals (default: all): raise_repurchase, raise_awareness, …"),
    ] = None,
    period: Annotated[str | None, typer.Option(help="Period (default: latest full month).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Read the program's goals: core and related indicators with trends, targets and status."""
    import polars as pl

    from memberlens.metrics.goals import goal

    for name in names or []:
        goal(name)
    ws = open_workspace()
    reports = ws.goals(names or [], period)
    language = ws.config.workspace.language
    if fmt is not Format.table:
        frames = [r.indicators.with_columns(goal=pl.lit(r.goal.id)) for r in reports]
        emit(pl.concat(frames), fmt)
        return
    for r in reports:
        show_summary(r.indicators, language, title=r.goal.name(language))
        if r.comparison is not None and r.comparison.height:
            by = r.comparison.columns[2]
            wide = r.comparison.pivot(on=by, index="metric", values="value")
            emit(wide, fmt, title=f"{r.goal.name(language)} · {by}")


@app.command()
def compare(
    by: Annotated[str, typer.Option(help="Dimension whose groups to compare, e.g. points_user.")],
    period: Annotated[str | None, typer.Option(help="Period (default: latest full month).")] = None,
    groups: Annotated[
        tuple[str, str] | None, typer.Option(help="The two groups A B (difference = A − B).")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Compare two groups on repurchase rate, AOV and repurchase cycle, with CI and p-value."""
    ws = open_workspace()
    result = ws.compare(by, period, groups)
    a, b = result.groups
    if fmt is not Format.table:
        emit(result.table, fmt)
        return
    from memberlens.metrics.catalog import CATALOG

    language = ws.config.workspace.language
    rows = []
    for r in result.table.iter_rows(named=True):
        unit = str(CATALOG[r["measure"]].unit)
        difference = _number(r["difference"], unit)
        if r["ci_low"] is not None:
            difference += f" ({_number(r['ci_low'], unit)} … {_number(r['ci_high'], unit)})"
        p = r["p_value"]
        rows.append(
            {
                "measure": CATALOG[r["measure"]].name(language),
                a: _number(r["a"], unit),
                b: _number(r["b"], unit),
                "difference (95% CI)": difference,
                "p": "–" if p is None else ("<0.001" if p < 0.001 else f"{p:.3f}"),
                f"n {a}": r["n_a"],
                f"n {b}": r["n_b"],
            }
        )
    emit(rows, fmt, title=f"{by}: {a} − {b} · {result.period}")
    console.print("[dim]Repurchase cycle: Welch's t on the mean gap; medians in --format json.[/]")
    console.print(f"[yellow]{result.caution}[/]")


@app.command()
def cohorts(
    start: Annotated[str, typer.Option("--from", help="First cohort month (a date in it).")],
    end: Annotated[str, typer.Option("--to", help="Last cohort month; orders counted to its end.")],
    basis: Annotated[str, typer.Option(help="registration or first_purchase.")] = "registration",
    measure: Annotated[str, typer.Option(help="members or revenue.")] = "members",
    fmt: FormatOption = Format.table,
) -> None:
    """Cohort retention matrix by registration or first-purchase month."""
    ws = open_workspace()
    frame = ws.cohorts(start, end, basis, measure)
    if fmt is not Format.table:
        emit(frame, fmt)
        return
    column = "share" if measure == "members" else "value"
    wide = frame.pivot(on="months_since", index=["cohort", "cohort_size"], values=column)
    if measure == "members":
        import polars as pl

        wide = wide.with_columns(
            pl.col(c).map_elements(lambda v: f"{v:.0%}", return_dtype=pl.String)
            for c in wide.columns[2:]
        )
    emit(wide, fmt, title=f"Cohorts by {basis} month · {measure} (columns: months since)")


@app.command()
def alerts(
    start: Annotated[str, typer.Option("--from", help="First day to check.")],
    end: Annotated[str, typer.Option("--to", help="Last day to check.")],
    drill: Annotated[bool, typer.Option(help="Find the groups that moved most.")] = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Anomalies in the daily core metrics (seasonal and holiday-aware), with drill-down."""
    from memberlens.metrics.catalog import CATALOG

    ws = open_workspace()
    found = ws.alerts(start, end, drill)
    language = ws.config.workspace.language
    rows = [
        {
            "day": a.day.isoformat(),
            "metric": a.metric if fmt is not Format.table else CATALOG[a.metric].name(language),
            "value": round(a.value, 4),
            "expected": round(a.expected, 4),
            "change": None if a.change is None else round(a.change, 4),
            "score": round(a.score, 2),
            "holiday_or_campaign": a.event_day,
            "contributors": "; ".join(
                f"{c.dimension}={c.group}: {c.value:,.0f} vs {c.expected:,.0f}"
                for c in a.contributors[:3]
            ),
        }
        for a in found
    ]
    if fmt is not Format.table:
        emit(rows, fmt)
        return
    if not found:
        console.print(f"No anomalies between {start} and {end}.")
        return
    console.print(f"[bold]{len(found)} anomalies between {start} and {end}[/]")
    for a in found:
        unit = str(CATALOG[a.metric].unit)
        note = " [dim](holiday or campaign day)[/]" if a.event_day else ""
        console.print(
            f"[red]●[/] {a.day} [bold]{CATALOG[a.metric].name(language)}[/] "
            f"{_number(a.value, unit)} vs expected {_number(a.expected, unit)} "
            f"({'new' if a.change is None else format(a.change, '+.0%')}, "
            f"score {a.score:.1f}){note}"
        )
        for c in a.contributors[:3]:
            console.print(
                f"    {c.dimension} = {c.group}: {_number(c.value, unit)} "
                f"vs {_number(c.expected, unit)}"
            )


SPARKS = "▁▂▃▄▅▆▇█"


def _sparkline(values: list[float], width: int = 60) -> str:
    if not values:
        return ""
    step = max(1, len(values) // width)
    points = [
        sum(values[i : i + step]) / len(values[i : i + step]) for i in range(0, len(values), step)
    ]
    low, high = min(points), max(points)
    span = high - low or 1.0
    return "".join(SPARKS[min(7, int((p - low) / span * 8))] for p in points)


@app.command()
def trend(
    metric: Annotated[str, typer.Argument(help="A daily metric: orders, revenue, aov, …")],
    start: Annotated[str, typer.Option("--from", help="First day.")],
    end: Annotated[str, typer.Option("--to", help="Last day.")],
    grain: Annotated[str, typer.Option(help="day (weekly rhythm) or week (yearly).")] = "day",
    fmt: FormatOption = Format.table,
) -> None:
    """Seasonal decomposition of a series (STL), with the holiday peaks against the trend."""
    ws = open_workspace()
    result = ws.trend(metric, start, end, grain)
    if fmt is not Format.table:
        emit(result.series, fmt)
        return
    adjective = {"day": "daily", "week": "weekly"}.get(grain, grain)
    console.print(f"[bold]{metric}[/] {start} … {end} ({adjective}, STL)")
    console.print(f"observed  {_sparkline(result.series['observed'].to_list())}")
    console.print(f"trend     {_sparkline(result.series['trend'].to_list())}")
    if grain == "day":
        import polars as pl

        weekly = (
            result.series.group_by(pl.col("date").dt.weekday().alias("weekday"))
            .agg(pl.col("seasonal").mean())
            .sort("weekday")
        )
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        console.print(
            "weekday   "
            + "  ".join(
                f"{names[r['weekday'] - 1]} {r['seasonal']:+,.1f}"
                for r in weekly.iter_rows(named=True)
            )
        )
    emit(
        [
            {
                "peak": r["name"],
                "date": r["date"],
                "observed": r["observed"],
                "trend": r["trend"],
                "× trend": round(r["ratio"], 2),
            }
            for r in result.peaks.iter_rows(named=True)
        ],
        fmt,
        title="Holiday peaks",
    )


@app.command()
def drivers(
    period: Annotated[
        str | None, typer.Option(help="Period of behaviour (a quarter works well).")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Which behaviours (redeeming, campaigns, complaints, channels, tenure) go with repurchase."""
    ws = open_workspace()
    result = ws.drivers(period)
    if fmt is not Format.table:
        emit(result.table, fmt)
        return
    rows = [
        {
            "behaviour": r["behaviour"],
            "unit": r["unit"],
            "odds ratio (95% CI)": (
                f"{r['odds_ratio']:.2f} ({r['ci_low']:.2f} … {r['ci_high']:.2f})"
            ),
            "p": "<0.001" if r["p_value"] < 0.001 else f"{r['p_value']:.3f}",
            "repurchase with / without": ""
            if r["rate_with"] is None
            else f"{r['rate_with']:.0%} / {r['rate_without']:.0%}",
        }
        for r in result.table.iter_rows(named=True)
    ]
    emit(
        rows,
        fmt,
        title=(
            f"Buyers of {result.period} ({result.members:,}) buying again in "
            f"{result.outcome_period}: {result.base_rate:.0%}"
        ),
    )
    console.print(f"[yellow]{result.caution}[/]")


@app.command()
def report(
    period: Annotated[str | None, typer.Option(help="Period (default: latest full month).")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Folder for the files (default: DIR/reports).")
    ] = None,
    models: Annotated[
        bool,
        typer.Option(
            "--models", help="Add the CLV model's check (fit and holdout; ~1 min at 10 M members)."
        ),
    ] = False,
) -> None:
    """Write the report: one self-contained HTML file (charts embedded) and an Excel workbook."""
    from memberlens.report.build import write_report

    ws = open_workspace()
    html, xlsx = write_report(ws, period, output, models=models)
    console.print(f"Report: {html}")
    console.print(f"Tables: {xlsx}")


@app.command()
def rfm(
    as_of: Annotated[str, typer.Option("--as-of", help="Score as of the end of this day.")],
    scores: Annotated[
        str,
        typer.Option(
            help="threshold: the eight segments (重要价值客户 …); quintile: also 1–5 R, F, M "
            "scores and the English segment map (Champions …)."
        ),
    ] = "threshold",
    summary: Annotated[
        bool, typer.Option("--summary", help="Segment sizes, revenue share and means.")
    ] = False,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="Migration matrix: segments as of this date (rows) × as of --as-of."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write all rows to .csv/.parquet/.xlsx.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """RFM scores and segments as of a date; sizes and revenue share; migration between dates."""
    from memberlens.segments.rfm import scheme, segment_order

    chosen = scheme(scores)
    if summary and start is not None:
        raise typer.BadParameter("use either --summary or --from, not both")
    ws = open_workspace()
    if output is not None and start is None and not summary:
        written = ws.write_rfm(as_of, output, quintiles=chosen == "quintile")
        console.print(f"Wrote {written:,} rows to {output}")
        return
    if start is not None:
        frame = ws.rfm_migration(start, as_of, chosen)
    elif summary or (fmt is Format.table and output is None):
        frame = ws.rfm_summary(as_of)
    else:
        frame = ws.rfm(as_of, quintiles=chosen == "quintile")
    if output is not None:
        write_frame(frame, output)
        return
    if fmt is not Format.table:
        emit(frame, fmt)
        return
    import polars as pl

    def percent(column: str) -> pl.Expr:
        return (pl.col(column) * 100).round(1).cast(pl.String) + "%"

    if start is not None:
        # rows arrive in the scheme's order; columns follow the same order
        to_order = frame.sort(pl.col("to_segment").replace_strict(segment_order(chosen)))
        columns = to_order["to_name"].unique(maintain_order=True).to_list()
        cell = pl.format("{} ({})", "members", percent("row_share"))
        wide = frame.with_columns(cell=cell).pivot(on="to_name", index="from_name", values="cell")
        emit(
            wide.select(pl.col("from_name").alias(f"{start} \\ {as_of}"), *columns),
            fmt,
            title=f"RFM migration {start} → {as_of}: members (row share)",
        )
        return
    views = [s for s in ("threshold", "quintile") if summary or s == chosen]
    for view in views:
        part = frame.filter(scheme=view).select(
            pl.col("segment_name").alias("segment"),
            "members",
            percent("member_share").alias("share"),
            "revenue",
            percent("revenue_share").alias("revenue share"),
            pl.col("mean_recency_days").round(1).alias("R days"),
            pl.col("mean_frequency").round(2).alias("F"),
            pl.col("mean_monetary").round(2).alias("M"),
        )
        scored = int(part["members"].sum())
        emit(part, fmt, title=f"RFM segments ({view}) as of {as_of}: {scored:,} scored members")


@app.command()
def tiers(
    as_of: Annotated[str, typer.Option("--as-of", help="Tiers as of the end of this day.")],
    near: Annotated[
        float | None,
        typer.Option(
            help="Instead: members with at least this share (e.g. 0.8) of every threshold of "
            "their next tier, with the gaps."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write all rows to .csv/.parquet/.xlsx.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Every member's tier as of a date, from the configured ladder (or those near the next)."""
    ws = open_workspace()
    frame = ws.tiers(as_of) if near is None else ws.tiers_near(as_of, near)
    if near is not None and output is None:
        emit(frame, fmt, title=f"Members within {near:.0%} of their next tier as of {as_of}")
        return
    if output is not None:
        write_frame(frame, output)
        return
    if fmt is Format.table:
        import polars as pl

        order = {level.id: i for i, level in enumerate(ws.config.tiers.levels)}
        sizes = (
            frame.group_by("tier")
            .agg(members=pl.len())
            .sort(pl.col("tier").replace_strict(order, default=99))
        )
        emit(sizes, fmt, title=f"Tiers as of {as_of}")
        return
    emit(frame, fmt)
