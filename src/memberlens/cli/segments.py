"""Member value commands: value tiers with the value × loyalty matrix, and target lists."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import NoBomOption, console, emit, errors
from memberlens.errors import InputError

if TYPE_CHECKING:
    import polars as pl

    from memberlens.segments.value import ValueReport

AsOf = Annotated[str, typer.Option("--as-of", help="As of the end of this day (2025-03-31).")]
SHOWN_ROWS = 20
TABLE_COLUMNS = (
    "member_id",
    "phone",
    "city",
    "tier",
    "segment",
    "balance",
    "last_order_date",
    "spend",
)


@app.command()
def value(
    as_of: AsOf,
    output: Annotated[
        Path | None,
        typer.Option(
            help="Write every scored member (tier, loyalty, group) to .csv/.xlsx/.parquet."
        ),
    ] = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Value tiers (high / medium / low), the Pareto view and the value × loyalty matrix."""
    ws = open_workspace()
    if output is not None:
        frame = ws.segments.value_members(as_of)
        if frame.height == 0:
            errors.print(f"No member bought in the value window up to {as_of}; nothing written.")
            return
        _write_list(frame, output, bom=not no_bom)
        console.print(f"Wrote {frame.height:,} members to {output}")
        return
    report = ws.segments.value(as_of)
    language = ws.config.workspace.language
    if fmt is Format.json:
        sys.stdout.write(json.dumps(_document(report, language), ensure_ascii=False) + "\n")
    elif fmt is Format.csv:
        emit(_long_rows(report), fmt)
    else:
        _show(report, language)


def _document(report: ValueReport, language: str) -> dict[str, Any]:
    p = report.pareto
    return {
        "as_of": report.as_of.isoformat(),
        "window_days": report.window_days,
        "scored": report.scored,
        "revenue": report.revenue,
        "pareto": {
            "top": p.top,
            "top_revenue_share": p.top_revenue_share,
            "gini": p.gini,
            "headline": p.headline(language),
            "curve": p.curve.to_dicts(),
        },
        "tiers": report.tiers.to_dicts(),
        "matrix": report.matrix.to_dicts(),
    }


def _long_rows(report: ValueReport) -> list[dict[str, Any]]:
    """Tiers and matrix cells as one table: view, id, name, members, shares, revenue."""
    columns = ("name", "members", "member_share", "revenue", "revenue_share")
    rows = [
        {"view": "value_tier", "id": r["value_tier"], **{c: r[c] for c in columns}}
        for r in report.tiers.iter_rows(named=True)
    ]
    rows += [
        {"view": "value_group", "id": r["value_group"], **{c: r[c] for c in columns}}
        for r in report.matrix.iter_rows(named=True)
    ]
    return rows


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _show(report: ValueReport, language: str) -> None:
    from rich.table import Table

    from memberlens.labels import Label

    def zh_en(zh: str, en: str) -> str:
        return Label(zh, en)(language)

    p = report.pareto
    console.print(
        f"[bold]{zh_en('会员价值', 'Member value')} · {report.as_of}[/] "
        f"({report.scored:,} {zh_en('名消费会员', 'scored members')}, "
        f"{report.window_days} {zh_en('天', 'days')}, "
        f"{zh_en('消费额', 'revenue')} {report.revenue:,.2f})"
    )
    gini = "" if p.gini is None else f" · Gini {p.gini:.2f}"
    console.print(f"{p.headline(language)}{gini}")
    cells = {r["value_group"]: r for r in report.matrix.iter_rows(named=True)}
    grid = Table(title=zh_en("价值 × 忠诚度", "Value × loyalty"), show_lines=True)
    grid.add_column("")
    grid.add_column(zh_en("高价值", "High value"), justify="center")
    grid.add_column(zh_en("中低价值", "Medium / low value"), justify="center")

    def cell(group: str) -> str:
        r = cells[group]
        revenue = zh_en("消费额", "of revenue")
        return (
            f"[bold]{r['name']}[/]\n{r['members']:,} ({_share(r['member_share'])})\n"
            f"{_share(r['revenue_share'])} {revenue}"
        )

    grid.add_row(zh_en("忠诚", "Loyal"), cell("core"), cell("potential"))
    grid.add_row(zh_en("不忠诚", "Not loyal"), cell("at_risk"), cell("low"))
    console.print(grid)
    headers = [
        zh_en(zh, en)
        for zh, en in (
            ("价值分层", "tier"),
            ("会员数", "members"),
            ("会员占比", "% members"),
            ("消费额", "revenue"),
            ("消费额占比", "% revenue"),
            ("最低消费", "min spend"),
            ("最高消费", "max spend"),
            ("忠诚", "loyal"),
        )
    ]
    rows = [
        dict(
            zip(
                headers,
                (
                    r["name"],
                    r["members"],
                    _share(r["member_share"]),
                    round(r["revenue"], 2),
                    _share(r["revenue_share"]),
                    r["min_spend"],
                    r["max_spend"],
                    r["loyal"],
                ),
                strict=True,
            )
        )
        for r in report.tiers.iter_rows(named=True)
    ]
    emit(rows, Format.table, title=zh_en("价值分层", "Value tiers"))


def _many(values: list[str] | None) -> tuple[str, ...]:
    """Repeatable options that also accept commas: --segment a,b --segment c."""
    return tuple(v.strip() for given in values or [] for v in given.split(",") if v.strip())


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text}: write the date as 2025-03-31.") from None


@app.command()
def targets(
    as_of: AsOf,
    segment: Annotated[
        list[str] | None,
        typer.Option(help="RFM segment id(s) or name(s), e.g. important_winback or 重要挽留客户."),
    ] = None,
    tier: Annotated[
        list[str] | None, typer.Option(help="Member tier id(s) or name(s), e.g. gold or 金卡会员.")
    ] = None,
    value_group: Annotated[
        list[str] | None, typer.Option(help="core, potential, at_risk or low.")
    ] = None,
    value_tier: Annotated[list[str] | None, typer.Option(help="high, medium or low.")] = None,
    min_balance: Annotated[float | None, typer.Option(help="Points balance at least.")] = None,
    max_balance: Annotated[float | None, typer.Option(help="Points balance at most.")] = None,
    min_spend: Annotated[
        float | None, typer.Option(help="Spend in the value window at least.")
    ] = None,
    max_spend: Annotated[
        float | None, typer.Option(help="Spend in the value window at most.")
    ] = None,
    last_order_from: Annotated[
        str | None, typer.Option(help="Last paid order on or after this date.")
    ] = None,
    last_order_to: Annotated[
        str | None, typer.Option(help="Last paid order on or before this date.")
    ] = None,
    city: Annotated[list[str] | None, typer.Option(help="City (repeatable).")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Channel (repeatable).")] = None,
    store: Annotated[list[str] | None, typer.Option(help="Store id (repeatable).")] = None,
    full_phone: Annotated[
        bool, typer.Option("--full-phone", help="Export full phone numbers (personal data).")
    ] = False,
    output: Annotated[Path | None, typer.Option(help="Write the list to .csv or .xlsx.")] = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Members of a segment, tier or rule, for a campaign; phones masked (138****1234)."""
    from memberlens.segments.targets import TargetRule

    rule = TargetRule(
        segments=_many(segment),
        tiers=_many(tier),
        value_groups=_many(value_group),
        value_tiers=_many(value_tier),
        min_balance=min_balance,
        max_balance=max_balance,
        min_spend=min_spend,
        max_spend=max_spend,
        last_order_from=_day("--last-order-from", last_order_from),
        last_order_to=_day("--last-order-to", last_order_to),
        cities=_many(city),
        channels=_many(channel),
        stores=_many(store),
    )
    ws = open_workspace()
    frame = ws.segments.targets(as_of, rule, full_phone=full_phone)
    if frame.height == 0:
        errors.print(
            f"No members match ({rule.describe()}) as of {as_of}"
            + ("; no file written." if output is not None else "."),
            highlight=False,
        )
        if output is None and fmt is not Format.table:
            emit(frame, fmt)
        return
    if full_phone:
        errors.print(
            "[yellow]PII:[/] the list holds full phone numbers (personal data); store and share "
            "it under your data-protection rules.",
            highlight=False,
        )
    if output is not None:
        _write_list(frame, output, bom=not no_bom)
        console.print(f"Wrote {frame.height:,} members to {output} ({rule.describe()})")
        return
    if fmt is not Format.table:
        emit(frame, fmt)
        return
    from memberlens.cli.render import readable, vocabulary
    from memberlens.labels import Label

    language = ws.config.workspace.language
    described = rule.describe(Label("全部会员", "all members")(language))
    title = Label(
        f"截至 {as_of} 的 {frame.height:,} 名会员({described})",
        f"{frame.height:,} members as of {as_of} ({described})",
    )
    shown = frame.head(SHOWN_ROWS).select(TABLE_COLUMNS)
    emit(readable(shown, language, vocabulary(ws.config)), fmt, title=title(language))
    if frame.height > SHOWN_ROWS:
        more = Label(
            f"… 另有 {frame.height - SHOWN_ROWS:,} 名;用 --output list.xlsx 导出全部",
            f"… {frame.height - SHOWN_ROWS:,} more; write them all with --output list.xlsx",
        )
        console.print(more(language), style="dim", markup=False, highlight=False)


def _write_list(frame: pl.DataFrame, path: Path, *, bom: bool) -> None:
    """A target list to .csv/.xlsx/.parquet; ``bom=False`` (``--no-bom``) leaves out the BOM."""
    from memberlens.engine.output import write_frame
    from memberlens.segments.targets import write_list

    if bom:
        write_list(frame, path)
    else:
        write_frame(frame, path, bom=False, sheet="targets")
