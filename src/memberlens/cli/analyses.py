"""Analyses over the metrics: group comparisons, cohorts, alerts, trends and drivers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit, number_cell, readable, vocabulary
from memberlens.formatting import p_value
from memberlens.labels import Label

if TYPE_CHECKING:
    from memberlens.metrics.scope import Dimension


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
    from memberlens.labels import HEADERS
    from memberlens.metrics.catalog import CATALOG
    from memberlens.workspace import load_dimensions

    language, words = ws.config.workspace.language, vocabulary(ws.config)
    named = _groups(words.get(result.by, {}), (a, b))
    n = HEADERS["sample_size"]
    columns = {
        "a": named[a],
        "b": named[b],
        "n_a": Label(f"{n.zh} · {named[a].zh}", f"{n.en} {named[a].en}"),
        "n_b": Label(f"{n.zh} · {named[b].zh}", f"{n.en} {named[b].en}"),
    }
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
                "a": number_cell(r["a"], unit),
                "b": number_cell(r["b"], unit),
                "difference_ci": difference,
                "p_value": p_value(p),
                "n_a": r["n_a"],
                "n_b": r["n_b"],
            }
        )
    name = _dimension_names(load_dimensions()).get(result.by, Label(result.by, result.by))
    title = Label(
        f"{name.zh}:{named[a].zh} − {named[b].zh} · {result.period}",
        f"{name.en}: {named[a].en} − {named[b].en} · {result.period}",
    )
    emit(readable(rows, language, words, columns), fmt, title=title(language))
    console.print(CYCLE_NOTE(language), style="dim", markup=False, highlight=False)
    console.print(f"[yellow]{result.caution}[/]")


#: Said under ``compare``: how the repurchase cycle is compared.
CYCLE_NOTE = Label(
    "复购周期:按平均间隔做 Welch t 检验;中位数见 --format json。",
    "Repurchase cycle: Welch's t on the mean gap; medians in --format json.",
)


def _groups(words: Mapping[str, Label], groups: Sequence[str]) -> dict[str, Label]:
    """Each group id with its label from the dimension's vocabulary (else the id itself)."""
    return {g: _value(words, g) for g in groups}


def _value(words: Mapping[str, Label], value: str) -> Label:
    """A group's label: from the vocabulary, (未知) for ``(unknown)``, else the value as is."""
    from memberlens.labels import UNKNOWN, UNKNOWN_ID

    found = words.get(value)
    if found is not None:
        return found
    return UNKNOWN if value == UNKNOWN_ID else Label(value, value)


def _dimension_names(dimensions: Mapping[str, Dimension]) -> dict[str, Label]:
    """Each dimension id with its name (注册渠道 / Channel)."""
    return {d.id: Label(d.zh, d.en) for d in dimensions.values()}


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
    from memberlens.workspace import load_dimensions

    ws = open_workspace()
    found = ws.analyses.alerts(start, end, drill)
    language = ws.config.workspace.language
    rows = [a.to_dict() for a in found]
    if fmt is not Format.table:
        emit(rows, fmt)
        return
    words = vocabulary(ws.config)
    if not found:
        console.print(
            Label(f"{start} 至 {end} 没有异常。", f"No anomalies between {start} and {end}.")(
                language
            )
        )
        return
    heading = Label(
        f"{start} 至 {end} 共 {len(found)} 个异常",
        f"{len(found)} anomalies between {start} and {end}",
    )
    console.print(f"[bold]{heading(language)}[/]")
    names = _dimension_names(load_dimensions())
    for a in found:
        unit = str(CATALOG[a.metric].unit)
        note = f" [dim]{EVENT_DAY(language)}[/]" if a.event_day else ""
        change = NEW(language) if a.change is None else format(a.change, "+.0%")
        console.print(
            f"[red]●[/] {a.day} [bold]{CATALOG[a.metric].name(language)}[/] "
            f"{number_cell(a.value, unit)} {EXPECTED(language)} {number_cell(a.expected, unit)} "
            f"({change}, {SCORE(language)} {a.score:.1f}){note}"
        )
        for c in a.contributors[:3]:
            dimension = names.get(c.dimension, Label(c.dimension, c.dimension))
            group = _value(words.get(c.dimension, {}), c.group)
            console.print(
                f"    {dimension(language)} = {group(language)}: {number_cell(c.value, unit)} "
                f"{VERSUS(language)} {number_cell(c.expected, unit)}"
            )


#: The words of an alert line: "积分兑换量 3,000 预期 0 (新出现, 异常分 5.3)(节假日或活动日)".
EXPECTED = Label("预期", "vs expected")
VERSUS = Label("预期", "vs")
NEW = Label("新出现", "new")
SCORE = Label("异常分", "score")
EVENT_DAY = Label("(节假日或活动日)", "(holiday or campaign day)")


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
    from memberlens.labels import HEADERS, WEEKDAYS
    from memberlens.metrics.catalog import CATALOG

    language = ws.config.workspace.language
    found = CATALOG.get(result.metric)
    name = found.name(language) if found is not None else result.metric
    adjective = GRAINS.get(grain, Label(grain, grain))
    console.print(f"[bold]{name}[/] {start} … {end} ({adjective(language)}, STL)", highlight=False)
    rows = ("series_observed", "series_trend", "series_weekday")
    observed, trend_, weekday = _aligned([HEADERS[r](language) for r in rows])
    console.print(f"{observed}{_sparkline(result.series['observed'].to_list())}")
    console.print(f"{trend_}{_sparkline(result.series['trend'].to_list())}")
    if grain == "day":
        import polars as pl

        weekly = (
            result.series.group_by(pl.col("date").dt.weekday().alias("weekday"))
            .agg(pl.col("seasonal").mean())
            .sort("weekday")
        )
        console.print(
            weekday
            + "  ".join(
                f"{WEEKDAYS[r['weekday'] - 1](language)} {r['seasonal']:+,.1f}"
                for r in weekly.iter_rows(named=True)
            )
        )
    peaks = [
        {
            "peak": LABELS[r["name"]](language),
            "date": r["date"],
            "peak_observed": r["observed"],
            "peak_trend": r["trend"],
            "trend_ratio": round(r["ratio"], 2),
        }
        for r in result.peaks.iter_rows(named=True)
    ]
    emit(readable(peaks, language, {}), fmt, title=PEAKS(language))


GRAINS = {"day": Label("按日", "daily"), "week": Label("按周", "weekly")}
PEAKS = Label("节假日峰值", "Holiday peaks")


def _aligned(texts: list[str]) -> list[str]:
    """Row labels padded to one width in terminal cells (a 中文 character takes two)."""
    from rich.cells import cell_len

    width = max(cell_len(t) for t in texts) + 2
    return [t + " " * (width - cell_len(t)) for t in texts]


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
    from memberlens.labels import BEHAVIOURS, HEADERS, ODDS_UNITS

    topic = HEADERS["complaint_topic"]
    behaviours = dict(BEHAVIOURS)
    for column in result.table["behaviour"]:  # a complaint topic with its top keywords
        if column.startswith("voc_topic_"):
            number, keywords = column.rsplit("_", 1)[-1], result.labels.get(column)
            behaviours[column] = (
                Label(f"{topic.zh} {number}", f"{topic.en} {number}")
                if keywords is None
                else Label(f"{topic.zh} {number}: {keywords}", f"{topic.en} {number}: {keywords}")
            )
    rows = [
        {
            "behaviour": r["behaviour"],
            "unit": r["unit"],
            "odds_ratio_ci": (f"{r['odds_ratio']:.2f} ({r['ci_low']:.2f} … {r['ci_high']:.2f})"),
            "p_value": p_value(r["p_value"]),
            "repurchase_with_without": ""
            if r["rate_with"] is None
            else f"{r['rate_with']:.0%} / {r['rate_without']:.0%}",
        }
        for r in result.table.iter_rows(named=True)
    ]
    language = ws.config.workspace.language
    words = {"behaviour": behaviours, "unit": ODDS_UNITS}
    title = Label(
        f"{result.period} 的购买会员({result.members:,} 人)在 {result.outcome_period} "
        f"再次购买:{result.base_rate:.0%}",
        f"Buyers of {result.period} ({result.members:,}) buying again in "
        f"{result.outcome_period}: {result.base_rate:.0%}",
    )
    emit(readable(rows, language, words), fmt, title=title(language))
    console.print(f"[yellow]{result.caution}[/]")
