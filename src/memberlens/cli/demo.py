"""Commands that make synthetic programs: generate and demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import Format, app
from memberlens.cli.render import console


@app.command()
def generate(
    members: Annotated[int, typer.Option(help="Number of members.", min=1)],
    out: Annotated[Path, typer.Option(help="Directory for the Parquet files and truth.json.")],
    seed: Annotated[int | None, typer.Option(help="Random seed (same seed, same program).")] = None,
    distribution: Annotated[
        str,
        typer.Option(
            help="bgnbd (the demo program) or heavy (log-normal rates, one-order buyers, "
            "long inactive spells)."
        ),
    ] = "bgnbd",
) -> None:
    """Write a realistic synthetic loyalty program (every table) with its planted truths."""
    from memberlens.cli.render import BarProgress
    from memberlens.errors import unknown_choice
    from memberlens.generate import TRUTH_FILE
    from memberlens.generate import generate as run
    from memberlens.generate.params import DISTRIBUTIONS, Plan

    if distribution not in DISTRIBUTIONS:
        raise unknown_choice(
            "distribution", distribution, DISTRIBUTIONS, "e.g. --distribution heavy"
        )
    truth = run(
        out,
        members,
        seed=Plan.seed if seed is None else seed,
        progress=BarProgress(),
        distribution=distribution,
    )
    rows = ", ".join(f"{name} {count:,}" for name, count in truth["rows"].items())
    console.print(f"Wrote {out}: {rows}")
    console.print(f"Planted truths: {out / TRUTH_FILE}")


@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="New directory for the demo workspace.")] = Path(
        "memberlens-demo"
    ),
    members: Annotated[
        int | None, typer.Option(help="Number of members (default 20,000).", min=100)
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    language: Annotated[str, typer.Option(help="zh or en.")] = "zh",
) -> None:
    """Generate a demo program, load it into a new workspace and show the latest month's KPIs."""
    from memberlens.cli.metrics import show_summary
    from memberlens.cli.render import BarProgress, emit
    from memberlens.demo import build_demo
    from memberlens.metrics.catalog import HEADLINE
    from memberlens.report.build import write_report

    progress = BarProgress(transient=True)
    from memberlens.demo import DEFAULT_MEMBERS

    result = build_demo(
        directory, members or DEFAULT_MEMBERS, seed=seed, language=language, progress=progress
    )
    emit(
        [
            {
                "table": r.table,
                "rows": r.rows_read,
                "loaded": r.loaded,
                "quarantined": r.quarantined,
                "seconds": round(r.seconds, 2),
            }
            for r in result.loads
        ],
        Format.table,
        title=f"Generated and loaded into {result.workspace.warehouse_path}",
    )
    loaded = sum(r.loaded for r in result.loads)
    quarantined = sum(r.quarantined for r in result.loads)
    console.print(f"Loaded {loaded:,} rows ({quarantined:,} quarantined).")
    built = result.aggregates
    console.print(
        f"Daily aggregates built: {len(built.days):,} days, {len(built.months):,} months "
        f"({built.seconds:.1f} s)."
    )
    show_summary(
        result.workspace.summary(list(HEADLINE)), result.workspace.config.workspace.language
    )
    html, _ = write_report(result.workspace, models=True)
    console.print(f"Report: [bold]{html}[/] (and the same tables in .xlsx beside it)")
    console.print(
        f"Next: memberlens -w {directory} metrics --period 2025-Q4 · "
        f"memberlens -w {directory} quarantine"
    )
