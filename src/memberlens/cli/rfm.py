"""RFM segmentation: scores, segment sizes and migration between dates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import NoBomOption, console, emit, write_frame


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
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """RFM scores and segments as of a date; sizes and revenue share; migration between dates."""
    from memberlens.segments.rfm import scheme, segment_order

    chosen = scheme(scores)
    if summary and start is not None:
        raise typer.BadParameter("use either --summary or --from, not both")
    ws = open_workspace()
    if output is not None and start is None and not summary:
        written = ws.segments.write_rfm(
            as_of, output, quintiles=chosen == "quintile", bom=not no_bom
        )
        console.print(f"Wrote {written:,} rows to {output}")
        return
    if start is not None:
        frame = ws.segments.rfm_migration(start, as_of, chosen)
    elif summary or (fmt is Format.table and output is None):
        frame = ws.segments.rfm_summary(as_of)
    else:
        frame = ws.rfm(as_of, quintiles=chosen == "quintile")
    if output is not None:
        write_frame(frame, output, bom=not no_bom)
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
