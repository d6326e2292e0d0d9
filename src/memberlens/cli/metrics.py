"""Commands of the KPI system: metrics (and the catalog, dimensions, explain) and goals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import change_cell, console, emit, number_cell

if TYPE_CHECKING:
    import polars as pl

    from memberlens.config import Config


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
    compare: Annotated[
        bool | None,
        typer.Option(
            "--compare/--no-compare",
            help="环比 (previous) and 同比 (year ago) with targets: by default in the table, "
            "with --compare in json/csv too.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Compute loyalty KPIs for a period; 'metrics list' prints the catalog."""
    from memberlens.metrics.catalog import METRICS
    from memberlens.workspace import load_catalog

    load_catalog()  # with the service metrics of the voice of the customer
    if names == ["list"]:
        rows: list[dict[str, Any]] = [m.to_dict() for m in METRICS]
        emit(rows, fmt, title="memberlens metric catalog")
        return
    if names == ["dimensions"]:
        from memberlens.workspace import load_dimensions

        emit(
            [
                {"id": d.id, "中文": d.zh, "name": d.en, "definition": d.definition}
                for d in load_dimensions().values()
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
    # the readable table shows every KPI with 环比 and 同比 (README); json/csv keep the plain
    # rows of DESIGN unless --compare asks for the summary's
    summary = compare if compare is not None else fmt is Format.table
    if by is None and start is None and (summary or period is None):
        frame = ws.summary(ids, period)
        if fmt is Format.table:
            show_summary(frame, ws.config.workspace.language)
            return
        emit(frame, fmt)
        return
    frame = ws.metrics(ids, period, by=by, start=start, end=end, grain=grain)
    if fmt is not Format.table:
        emit(frame, fmt)
        return
    emit(readable_values(frame, ws.config), fmt)


def readable_values(frame: pl.DataFrame, config: Config) -> list[dict[str, Any]]:
    """Rows (metric, [period], [group], value) for people: metric and group names in the
    workspace language, each value in its unit (21.1 %, ¥1,234.50) as the summary shows it."""
    from memberlens.cli.render import readable, vocabulary
    from memberlens.labels import Label
    from memberlens.metrics.catalog import CATALOG
    from memberlens.metrics.dimensions import DIMENSIONS

    words = dict(vocabulary(config))
    words["metric"] = {m.id: Label(m.zh, m.en) for m in CATALOG.values()}
    split = {d.id: Label(d.zh, d.en) for d in DIMENSIONS.values()}
    shown = [
        {**r, "value": number_cell(r["value"], str(CATALOG[r["metric"]].unit))}
        for r in frame.to_dicts()
    ]
    return readable(shown, config.workspace.language, words, split)


def split_name(by: str, language: str) -> str:
    from memberlens.metrics.dimensions import dimension

    return dimension(by).name(language)


def _pivot(rows: list[dict[str, Any]], by: str, config: Config) -> list[dict[str, Any]]:
    """Readable (metric, period, group, value) rows as one row per metric, a column per
    group (the goal's comparison)."""
    from memberlens.labels import header

    language = config.workspace.language
    metric, group, value = (
        header("metric", language),
        split_name(by, language),
        header("value", language),
    )
    table: dict[str, dict[str, Any]] = {}
    for r in rows:
        table.setdefault(r[metric], {metric: r[metric]})[r[group]] = r[value]
    return list(table.values())


def _target(low: float | None, high: float | None, unit: str) -> str:
    if low is None or high is None:
        return ""
    if low == high:
        return number_cell(low, unit)
    return f"{number_cell(low, unit)} – {number_cell(high, unit)}"


STATUS_STYLE = {"on_target": "green", "watch": "yellow", "off_target": "red"}


def show_summary(frame: object, language: str, title: str | None = None) -> None:
    """A KPI table with 环比 / 同比 arrows coloured by direction, targets and status."""
    import polars as pl
    from rich.table import Table

    from memberlens.labels import Label
    from memberlens.metrics.catalog import CATALOG
    from memberlens.metrics.targets import Status

    assert isinstance(frame, pl.DataFrame)
    period = frame["period"][0] if frame.height else ""
    heading = title or Label("会员 KPI", "Member KPIs")(language)
    table = Table(title=f"{heading} · {period}", header_style="bold")
    headers = [
        Label("指标", "Metric"),
        Label("数值", "Value"),
        Label("环比", "vs previous"),
        Label("同比", "vs last year"),
        Label("目标", "Target"),
        Label("状态", "Status"),
    ]
    for header in headers:
        table.add_column(header(language), justify="left" if header.en == "Metric" else "right")
    for row in frame.iter_rows(named=True):
        direction = str(CATALOG[row["metric"]].direction)
        status = Status(row["status"])
        style = STATUS_STYLE.get(row["status"], "dim")
        table.add_row(
            row["name"],
            number_cell(row["value"], row["unit"]),
            change_cell(row["change_vs_previous"], direction, row["unit"]),
            change_cell(row["change_vs_year_ago"], direction, row["unit"]),
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
    reports = ws.analyses.goals(names or [], period)
    language = ws.config.workspace.language
    if fmt is not Format.table:
        frames = [r.indicators.with_columns(goal=pl.lit(r.goal.id)) for r in reports]
        emit(pl.concat(frames), fmt)
        return
    for r in reports:
        show_summary(r.indicators, language, title=r.goal.name(language))
        if r.comparison is not None and r.comparison.height:
            by = r.comparison.columns[2]
            emit(
                _pivot(readable_values(r.comparison, ws.config), by, ws.config),
                fmt,
                title=f"{r.goal.name(language)} · {split_name(by, language)}",
            )
