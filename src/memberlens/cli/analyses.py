"""Analyses over the metrics: group comparisons, cohorts, alerts, trends and drivers."""

from __future__ import annotations

from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit, number_cell


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
    result = ws.analyses.compare(by, period, groups)
    a, b = result.groups
    if fmt is not Format.table:
        emit(result.table, fmt)
        return
    from memberlens.metrics.catalog import CATALOG

    language = ws.config.workspace.language
    rows = []
    for r in result.table.iter_rows(named=True):
        unit = str(CATALOG[r["measure"]].unit)
        difference = number_cell(r["difference"], unit)
        if r["ci_low"] is not None:
            difference += f" ({number_cell(r['ci_low'], unit)} … {number_cell(r['ci_high'], unit)})"
        p = r["p_value"]
        rows.append(
            {
                "measure": CATALOG[r["measure"]].name(language),
                a: number_cell(r["a"], unit),
                b: number_cell(r["b"], unit),
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
    frame = ws.analyses.cohorts(start, end, basis, measure)
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
    from memberlens.cli.render import readable
    from memberlens.labels import Label

    title = Label(
        f"按{'注册' if basis == 'registration' else '首次购买'}月份的队列 · "
        f"{'会员占比' if measure == 'members' else '消费额'}(列:之后的月数)",
        f"Cohorts by {'registration' if basis == 'registration' else 'first purchase'} month · "
        f"{'share of members buying' if measure == 'members' else 'spend'} "
        "(columns: months since)",
    )
    language = ws.config.workspace.language
    emit(readable(wide, language, {}), fmt, title=title(language))


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
    found = ws.analyses.alerts(start, end, drill)
    language = ws.config.workspace.language
    rows = [a.to_dict() for a in found]
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
            f"{number_cell(a.value, unit)} vs expected {number_cell(a.expected, unit)} "
            f"({'new' if a.change is None else format(a.change, '+.0%')}, "
            f"score {a.score:.1f}){note}"
        )
        for c in a.contributors[:3]:
            console.print(
                f"    {c.dimension} = {c.group}: {number_cell(c.value, unit)} "
                f"vs {number_cell(c.expected, unit)}"
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
    from memberlens.dates.calendar import LABELS

    ws = open_workspace()
    result = ws.analyses.trend(metric, start, end, grain)
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
                "peak": LABELS[r["name"]](ws.config.workspace.language),
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
    voc: Annotated[
        bool, typer.Option("--voc", help="Add what members said: sentiment, complaint topics.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Which behaviours (redeeming, campaigns, complaints, channels, tenure) go with repurchase."""
    ws = open_workspace()
    result = ws.analyses.drivers(period, voc=voc)
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
