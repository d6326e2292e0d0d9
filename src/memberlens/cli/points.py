"""``memberlens points …``: FIFO vintages, curves, projected expiry, breakage, reactivation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import NoBomOption, emit, readable, vocabulary, write_frame
from memberlens.labels import Label

if TYPE_CHECKING:
    import polars as pl

points_app = typer.Typer(
    help="Points economics: FIFO vintages, curves, expiry, breakage and liability (积分).",
    no_args_is_help=True,
)
app.add_typer(points_app, name="points")

AsOf = Annotated[str, typer.Option("--as-of", help="As of the end of this day (2025-03-31).")]
Output = Annotated[Path | None, typer.Option(help="Write all rows to .csv/.parquet/.xlsx.")]
CURVE_AGES = (0, 1, 2, 3, 6, 9, 12, 18, 24)  # months since issue shown in the curve table
SHOWN_ROWS = 20


def _show(
    frame: pl.DataFrame, fmt: Format, output: Path | None, title: str, *, bom: bool = True
) -> None:
    if output is not None:
        write_frame(frame, output, bom=bom)
    else:
        _emit(frame, fmt, title)


def _emit(frame: pl.DataFrame | list[dict[str, Any]], fmt: Format, title: str) -> None:
    """A table in the workspace language (headers and ids); json and csv keep the ids."""
    if fmt is not Format.table:
        emit(frame, fmt, title=title)
        return
    config = open_workspace().config
    emit(readable(frame, config.workspace.language, vocabulary(config)), fmt, title=title)


def _title(zh: str, en: str) -> str:
    return Label(zh, en)(open_workspace().config.workspace.language)


@points_app.command()
def vintages(
    as_of: AsOf,
    detail: Annotated[bool, typer.Option(help="Every batch instead of issue months.")] = False,
    output: Output = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Issued / redeemed / expired / open points per issue month (FIFO allocation)."""
    frame = open_workspace().points.vintages(as_of, detail=detail)
    title = _title(f"截至 {as_of} 的积分批次", f"Points vintages as of {as_of}")
    if fmt is Format.table and output is None:
        if detail:  # a readable sample; json, csv and --output give every batch
            title = f"{title} (first {SHOWN_ROWS} of {frame.height:,} batches; --output for all)"
            frame = frame.head(SHOWN_ROWS)
        else:
            frame = frame.select(
                "issue_month", "issued", "redeemed", "expired", "adjusted", "open", "open_share"
            )
    _show(frame, fmt, output, title, bom=not no_bom)


@points_app.command()
def curves(
    as_of: AsOf,
    measure: Annotated[
        str, typer.Option(help="Table view: redeemed, expired or open share by age.")
    ] = "redeemed",
    output: Output = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Vintage curves: cumulative share redeemed and expired by months since issue."""
    import polars as pl

    from memberlens.errors import unknown_choice

    frame = open_workspace().points.curves(as_of)
    if output is not None or fmt is not Format.table:
        _show(frame, fmt, output, "", bom=not no_bom)
        return
    if measure not in ("redeemed", "expired", "open"):
        raise unknown_choice("measure", measure, ("redeemed", "expired", "open"))
    shown = frame.filter(pl.col("months_since_issue").is_in(CURVE_AGES))
    wide = shown.pivot(
        on="months_since_issue",
        index="issue_month",
        values=f"{measure}_share",
        sort_columns=True,
    )
    wide = wide.rename({str(k): f"m{k}" for k in CURVE_AGES if str(k) in wide.columns})
    zh = {"redeemed": "已兑换", "expired": "已过期", "open": "未使用"}[measure]
    title = _title(
        f"按发放后月数的{zh}占比,截至 {as_of}",
        f"Share {measure} by months since issue, as of {as_of}",
    )
    _emit(wide, fmt, title)


@points_app.command()
def expiry(
    as_of: AsOf,
    months: Annotated[int, typer.Option(help="Calendar months after the as-of month.")] = 12,
    output: Output = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Open points by the month they expire in (plus overdue, later and never)."""
    frame = open_workspace().points.expiry(as_of, months)
    title = _title(
        f"{as_of} 之后到期的积分(未使用额,FIFO)",
        f"Points expiring after {as_of} (open amounts, FIFO)",
    )
    _show(frame, fmt, output, title, bom=not no_bom)


@points_app.command()
def breakage(
    as_of: AsOf,
    maturity_months: Annotated[
        int | None,
        typer.Option(help="Treat issue months this old as settled (ledgers without expiry)."),
    ] = None,
    output: Output = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Forward breakage of the open points and the liability adjusted for it (IFRS 15)."""
    result = open_workspace().points.breakage(as_of, maturity_months=maturity_months)
    summary = result.summary()
    if output is not None:
        write_frame(result.by_age, output, bom=not no_bom)
        return
    if fmt is Format.json:
        rows = [{k: _plain(v) for k, v in r.items()} for r in result.by_age.to_dicts()]
        sys.stdout.write(json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False) + "\n")
        return
    if fmt is Format.csv:
        emit(result.by_age, fmt)
        return
    # rates as percentages in the readable table (json keeps the numbers)
    figures = [
        {"figure": k, "value": f"{v:.1%}" if k.endswith("_rate") and isinstance(v, float) else v}
        for k, v in summary.items()
    ]
    _emit(figures, fmt, _title("积分沉淀", "Points breakage"))
    title = _title(
        "按发放后月数的未使用积分与预计失效",
        "Open points and expected breakage by months since issue",
    )
    _emit(result.by_age, fmt, title)


def _plain(value: Any) -> Any:
    return value if not isinstance(value, float) or value == value else None


@points_app.command()
def reactivation(
    as_of: AsOf,
    bands: Annotated[
        str, typer.Option(help="Balance band edges, comma-separated.")
    ] = "100,500,1000,5000",
    output: Annotated[
        Path | None, typer.Option(help="Write every member to .csv/.parquet/.xlsx.")
    ] = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Members inactive for the churn inactive_days (no order, event, earn, redeem) with points."""
    from memberlens.errors import InputError

    try:
        edges = [int(b) for b in bands.split(",") if b.strip()]
    except ValueError:
        raise InputError(f"--bands {bands}: give whole numbers, e.g. 100,500,1000,5000.") from None
    ws = open_workspace()
    result = ws.points.reactivation(as_of, bands=edges)
    if output is not None:
        write_frame(result.members, output, bom=not no_bom)
        return
    if fmt is not Format.table:
        emit(result.members, fmt)
        return
    days = result.inactive_days
    title = _title(
        f"{days} 天以上未活跃且持有积分的会员,{as_of}",
        f"Members inactive {days}+ days holding points, {as_of}",
    )
    _emit(result.bands, fmt, title)
    count = result.members.height
    title = _title(
        f"积分余额最多的会员(共 {count:,} 名;--output 导出全部)",
        f"Largest balances ({count:,} members; --output for all)",
    )
    _emit(result.members.head(SHOWN_ROWS), fmt, title)
