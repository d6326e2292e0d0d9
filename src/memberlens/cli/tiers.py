"""Tier commands beyond ``tiers --as-of``: the history under the program rules, and what-if."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import NoBomOption, emit, errors, write_frame

From = Annotated[str, typer.Option("--from", help="First day (2025-01-01).")]
To = Annotated[str, typer.Option("--to", help="Last day (2025-12-31).")]


@app.command("tier-history")
def tier_history(
    start: From,
    end: To,
    member: Annotated[str | None, typer.Option(help="Only this member's stretches.")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write every stretch to .csv/.parquet/.xlsx.")
    ] = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """The tiers members hold under the [tiers] rules: distribution, migration, moves."""
    import polars as pl

    ws = open_workspace()
    history = ws.tier_history(start, end)
    if output is not None:
        write_frame(history.history, output, bom=not no_bom)
        return
    if member is not None:
        rows = history.history.filter(pl.col("member_id") == member)
        emit(rows, fmt, title=f"Tier history of {member}")
        return
    if fmt is not Format.table:
        emit(history.history, fmt)
        return
    wide = history.distribution().pivot(on="tier", index="date", values="members").fill_null(0)
    emit(wide, fmt, title="Members per tier (start, evaluation dates, end)")
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    emit(history.migration(first, last), fmt, title=f"Tier migration {start} → {end}")
    emit(history.movements(), fmt, title="Upgrades and downgrades by month")


@app.command("whatif")
def what_if(
    candidate: Annotated[
        Path, typer.Argument(help="TOML file with candidate [tiers] and/or [points] sections.")
    ],
    start: From,
    end: To,
    fmt: FormatOption = Format.table,
) -> None:
    """Replay history under candidate tier and points rules, beside the current rules."""
    ws = open_workspace()
    result = ws.program.what_if(candidate, start, end)
    emit(result.comparison(), fmt, title=f"Current rules vs {candidate.name}, {start}..{end}")
    if fmt is Format.table:
        emit(result.moves, fmt, title=f"Members by tier on {end}: current (rows) × candidate")


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
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Every member's tier as of a date, from the configured ladder (or those near the next)."""
    ws = open_workspace()
    for warning in ws.config.tiers.warnings:  # valid, evaluated as written: said on stderr
        errors.print(f"warning: [tiers] {warning}", markup=False, highlight=False)
    frame = ws.tiers(as_of) if near is None else ws.program.tiers_near(as_of, near)
    if near is not None and output is None:
        emit(frame, fmt, title=f"Members within {near:.0%} of their next tier as of {as_of}")
        return
    if output is not None:
        write_frame(frame, output, bom=not no_bom)
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
