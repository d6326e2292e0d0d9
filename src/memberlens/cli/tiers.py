"""Tier commands beyond ``tiers --as-of``: the history under the program rules, and what-if."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import (
    NoBomOption,
    console,
    emit,
    errors,
    readable,
    vocabulary,
    write_frame,
)
from memberlens.labels import Label

#: The two meanings of "a member's tier", said under each table (docs/segments.md).
QUALIFIED = Label(
    "等级资格:按截至当日的滚动窗口内消费额和订单数(达到的门槛)评定,不含保级与降级规则;"
    "会员实际持有的等级见 tier-history。",
    "Qualification: the level whose thresholds the trailing window's spend and orders meet "
    "on that day, without hold or downgrade rules; the tier members hold is tier-history.",
)
HELD = Label(
    "持有等级:按 [tiers] 规则(升级方式、评定周期、保级天数)持有的等级;"
    "当日达到的门槛见 tiers --as-of。",
    "Tier held: under the [tiers] rules (upgrade, evaluation period, protection days); "
    "the thresholds met on a day are tiers --as-of.",
)

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
    """The tiers members hold under the configured rules: distribution, migration, moves."""
    import polars as pl

    ws = open_workspace()
    history = ws.tier_history(start, end)
    if output is not None:
        write_frame(history.history, output, bom=not no_bom)
        return
    language, words = ws.config.workspace.language, vocabulary(ws.config)
    tiers = words["tier"]
    if member is not None:
        rows = history.history.filter(pl.col("member_id") == member)
        if fmt is Format.table:
            named = Label(f"会员 {member} 的等级历史", f"Tier history of {member}")
            emit(readable(rows, language, words), fmt, title=named(language))
        else:
            emit(rows, fmt)
        return
    if fmt is not Format.table:
        emit(history.history, fmt)
        return
    wide = history.distribution().pivot(on="tier", index="date", values="members").fill_null(0)
    title = Label(
        "各等级会员数(期初、评定日、期末)", "Members per tier (start, evaluation dates, end)"
    )
    emit(readable(wide, language, words, tiers), fmt, title=title(language))
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    migration = history.migration(first, last)
    title = Label(f"等级迁移 {start} → {end}", f"Tier migration {start} → {end}")
    emit(readable(migration, language, words, tiers), fmt, title=title(language))
    title = Label("每月升级与降级", "Upgrades and downgrades by month")
    emit(readable(history.movements(), language, words), fmt, title=title(language))
    console.print(HELD(language), style="dim", markup=False, highlight=False)


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
    if fmt is not Format.table:
        emit(result.comparison(), fmt)
        return
    language, words = ws.config.workspace.language, vocabulary(ws.config)
    title = Label(
        f"当前规则 vs {candidate.name},{start}..{end}",
        f"Current rules vs {candidate.name}, {start}..{end}",
    )
    emit(readable(result.comparison(), language, words), fmt, title=title(language))
    title = Label(
        f"{end} 各等级会员数:当前规则(行)× 候选规则(列)",
        f"Members by tier on {end}: current (rows) × candidate",
    )
    emit(readable(result.moves, language, words, words["tier"]), fmt, title=title(language))


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
    language, words = ws.config.workspace.language, vocabulary(ws.config)
    if near is not None and output is None:
        if fmt is not Format.table:
            emit(frame, fmt)
            return
        title = Label(
            f"截至 {as_of} 距下一等级每项门槛已达 {near:.0%} 的会员",
            f"Members within {near:.0%} of their next tier as of {as_of}",
        )
        shown = [{**r, "progress": _progress(r["progress"])} for r in frame.to_dicts()]
        emit(readable(shown, language, words), fmt, title=title(language))
        console.print(QUALIFIED(language), style="dim", markup=False, highlight=False)
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
        title = Label(f"截至 {as_of} 的等级资格", f"Tier qualification as of {as_of}")
        emit(readable(sizes, language, words), fmt, title=title(language))
        console.print(QUALIFIED(language), style="dim", markup=False, highlight=False)
        return
    emit(frame, fmt)


def _progress(share: float | None) -> str:
    """A share of the next tier's thresholds as a percentage, rounded down (99.96%: not yet
    100% while a threshold is unmet)."""
    import math

    if share is None:
        return "–"
    return f"{math.floor(share * 10_000) / 100:.2f}%"
