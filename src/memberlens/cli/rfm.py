"""RFM segmentation: scores, segment sizes and migration between dates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import NoBomOption, console, emit, readable, write_frame
from memberlens.labels import Label


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

    language = ws.config.workspace.language
    if start is not None:
        # rows arrive in the scheme's order; columns follow the same order
        to_order = frame.sort(pl.col("to_segment").replace_strict(segment_order(chosen)))
        columns = to_order["to_name"].unique(maintain_order=True).to_list()
        cell = pl.format("{} ({})", "members", percent("row_share"))
        wide = frame.with_columns(cell=cell).pivot(on="to_name", index="from_name", values="cell")
        corner = Label("起始 \\ 截至", "from \\ to")  # rows: segments on start
        title = Label(
            f"RFM 分群迁移 {start}(行)→ {as_of}(列):会员数(占行比例)",
            f"RFM migration {start} (rows) → {as_of} (columns): members (row share)",
        )
        emit(
            wide.select(pl.col("from_name").alias(corner(language)), *columns),
            fmt,
            title=title(language),
        )
        return
    views = [s for s in ("threshold", "quintile") if summary or s == chosen]
    for view in views:
        part = frame.filter(scheme=view).select(
            pl.col("segment_name").alias("segment"),
            "members",
            percent("member_share").alias("member_share"),
            "revenue",
            percent("revenue_share").alias("revenue_share"),
            pl.col("mean_recency_days").round(1),
            pl.col("mean_frequency").round(2),
            pl.col("mean_monetary").round(2),
        )
        scored = int(part["members"].sum())
        named = SCHEMES[view]
        title = Label(
            f"截至 {as_of} 的 RFM 分群({named.zh}):已评分会员 {scored:,} 人",
            f"RFM segments ({named.en}) as of {as_of}: {scored:,} scored members",
        )
        emit(readable(part, language, {}), fmt, title=title(language))


#: The two RFM schemes of a summary's titles.
SCHEMES = {
    "threshold": Label("阈值法", "threshold"),
    "quintile": Label("五分位法", "quintile"),
}
