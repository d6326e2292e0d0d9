"""``memberlens experiment …``, ``campaign analyze`` and ``causal points`` (DESIGN §12)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit, errors, write_frame
from memberlens.experiments.readout import (
    WARNING,
    guard,
    percent,
    verdict,
)

experiment_app = typer.Typer(
    help="A/B experiments: design, assignment and read-outs (实验).", no_args_is_help=True
)
campaign_app = typer.Typer(
    help="Campaigns against their holdouts (营销活动).", no_args_is_help=True
)
causal_app = typer.Typer(help="Causal questions about the program (因果).", no_args_is_help=True)
app.add_typer(experiment_app, name="experiment")
app.add_typer(campaign_app, name="campaign")
app.add_typer(causal_app, name="causal")

WindowDays = Annotated[
    int, typer.Option("--window-days", help="Days of each member's window from exposure.")
]
Alpha = Annotated[float, typer.Option(help="Significance level (two-sided intervals).")]


@experiment_app.command()
def design(
    metric: Annotated[str, typer.Option(help="conversion, orders, revenue, repurchase, …")],
    mde: Annotated[float, typer.Option(help="Minimum detectable effect (absolute).")],
    relative: Annotated[bool, typer.Option(help="--mde is relative to the baseline mean.")] = False,
    alpha: Alpha = 0.05,
    power: Annotated[float, typer.Option(help="Power to detect --mde.")] = 0.8,
    arms: Annotated[int, typer.Option(help="Arms, the control included.")] = 2,
    segment: Annotated[str | None, typer.Option(help="Only members of this RFM segment.")] = None,
    window_days: WindowDays = 14,
    fmt: FormatOption = Format.table,
) -> None:
    """Sample size per arm and duration, from the metric's baseline in the warehouse."""
    from memberlens.experiments.adapters import segment_members
    from memberlens.experiments.design import design as run
    from memberlens.facts.coverage import require_orders

    ws = open_workspace()
    with ws.session() as s:
        members = None
        if segment is not None:
            # the segment as of the day before the baseline window, so that the window's
            # own purchases do not choose its members
            last = require_orders(s)[1]
            members = segment_members(s, segment, last - timedelta(days=window_days))
        result = run(
            s,
            metric,
            mde,
            relative=relative,
            alpha=alpha,
            power=power,
            arms=arms,
            members=members,
            window_days=window_days,
        )
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    emit([{"": k, "value": v} for k, v in result.items()], fmt, title=f"Design: {metric}")


@experiment_app.command()
def assign(
    experiment_id: Annotated[str, typer.Argument(help="The experiment's id.")],
    variants: Annotated[str, typer.Option(help="Comma-separated: control,treatment.")],
    salt: Annotated[str, typer.Option(help="Any text; keeps buckets independent.")],
    output: Annotated[Path, typer.Option(help="Write the list to .csv or .xlsx.")],
    weights: Annotated[str | None, typer.Option(help="Comma-separated, e.g. 50,50.")] = None,
    segment: Annotated[str | None, typer.Option(help="Only members of this RFM segment.")] = None,
    members: Annotated[
        Path | None, typer.Option(help="A CSV file with a member_id column.")
    ] = None,
    assigned_at: Annotated[
        str | None,
        typer.Option(help="Assignment time, 2025-06-01 09:00 (default: the day after the data)."),
    ] = None,
) -> None:
    """Deterministic salted SHA-256 bucketing into variants (ready for 'ingest experiments')."""
    import polars as pl

    from memberlens.errors import InputError
    from memberlens.experiments.adapters import segment_members
    from memberlens.experiments.assign import assign as run
    from memberlens.facts.coverage import require_orders

    if segment is not None and members is not None:
        raise InputError("Give --segment or --members, not both.")
    ws = open_workspace()
    if members is not None:
        listed = pl.read_csv(members, infer_schema=False)
        if "member_id" not in listed.columns:
            raise InputError(
                f"{members}: no member_id column (columns: {', '.join(listed.columns)})."
            )
        ids = listed["member_id"].to_list()
    else:
        with ws.session() as s:
            if segment is not None:
                ids = segment_members(s, segment, require_orders(s)[1])
            else:
                m = s.table("members")
                ids = [r["member_id"] for r in s.rows(m.select("member_id").order_by("member_id"))]
    try:
        when = None if assigned_at is None else datetime.fromisoformat(assigned_at)
    except ValueError:
        raise InputError(f"--assigned-at {assigned_at}: write it as 2025-06-01 09:00.") from None
    if when is None:
        # the midnight after the data's last order: the same list on every re-run
        with ws.session() as s:
            last = require_orders(s)[1]
        when = datetime.combine(last + timedelta(days=1), datetime.min.time())
    shares = None
    if weights is not None:
        try:
            shares = [float(w) for w in weights.split(",")]
        except ValueError:
            raise InputError(f"--weights {weights}: write numbers such as 50,50.") from None
    rows = run(ids, experiment_id, variants.split(","), salt, weights=shares, assigned_at=when)
    write_frame(pl.DataFrame(rows), output)


@experiment_app.command()
def analyze(
    experiment_id: Annotated[str, typer.Argument(help="The experiment's id.")],
    metric: Annotated[
        list[str] | None, typer.Option("--metric", help="Repeatable; all outcomes by default.")
    ] = None,
    window_days: WindowDays = 14,
    cuped: Annotated[bool, typer.Option(help="Adjust by the pre-period (CUPED).")] = False,
    sequential: Annotated[
        bool, typer.Option(help="Always-valid intervals, safe to read every day.")
    ] = False,
    control: Annotated[str, typer.Option(help="The control arm.")] = "control",
    weights: Annotated[
        str | None, typer.Option(help="Intended split, control first: 50,50.")
    ] = None,
    alpha: Alpha = 0.05,
    fmt: FormatOption = Format.table,
) -> None:
    """The read-out: lifts with intervals, chance to win, risk, SRM, adjusted p-values."""
    from memberlens.errors import InputError
    from memberlens.experiments.analyze import analyze as run

    ws = open_workspace()
    split = None
    with ws.session() as s:
        if weights is not None:
            e = s.table("experiments")
            arms = sorted(
                r["variant"]
                for r in s.rows(
                    e.filter(e.experiment_id == experiment_id).select("variant").distinct()
                )
            )
            order = [control, *[a for a in arms if a != control]]
            values = weights.split(",")
            if len(values) != len(order):
                raise InputError(
                    f"--weights {weights}: give one weight per arm, control first "
                    f"({','.join(order)})."
                )
            split = dict(zip(order, (float(v) for v in values), strict=True))
        result = run(
            s,
            experiment_id,
            metrics=metric,
            window_days=window_days,
            cuped=cuped,
            sequential=sequential,
            control=control,
            alpha=alpha,
            weights=split,
        )
        language = s.language
    data = result.to_dict()
    for warning in result.warnings:
        errors.print(f"[yellow]{WARNING(language)}:[/] {warning}", highlight=False)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    if fmt is Format.csv:
        emit(data["results"], fmt)
        return
    shown = [
        {
            "metric": r["metric"],
            "variant": r["variant"],
            "n": r["n"],
            "mean": r["mean"],
            "control_mean": r["control_mean"],
            "lift": percent(r["lift_rel"]),
            "ci": f"{percent(r['ci_rel'][0])} – {percent(r['ci_rel'][1])}",
            "p": r["p_value"],
            "p_holm": r["p_holm"],
            "chance_to_win": r["chance_to_win"],
        }
        for r in data["results"]
    ]
    emit(
        shown,
        fmt,
        title=experiment_id + ": " + ", ".join(f"{a['variant']} {a['n']:,}" for a in data["arms"]),
    )
    for r in data["results"]:
        console.print(
            f"{verdict(r, 1 - alpha, language)}; {guard(data, language)}", highlight=False
        )


@campaign_app.command("analyze")
def campaign_analyze(
    campaign_ids: Annotated[list[str] | None, typer.Argument(help="Campaign ids (all).")] = None,
    by: Annotated[str | None, typer.Option(help="Split by 'tier'.")] = None,
    window_days: WindowDays = 14,
    alpha: Alpha = 0.05,
    fmt: FormatOption = Format.table,
) -> None:
    """Incremental conversion and revenue against the holdout, cost and ROI, ranked."""
    from memberlens.errors import unknown_choice
    from memberlens.experiments.campaigns import analyze_campaigns

    if by is not None and by != "tier":
        raise unknown_choice("split", by, ["tier"], parameter="by")
    with open_workspace().session() as s:
        rows = analyze_campaigns(
            s, campaign_ids or None, by_tier=by == "tier", window_days=window_days, alpha=alpha
        )
    title = "Campaigns against their holdouts (ranked by incremental revenue per cost)"
    if fmt is not Format.table:
        emit(rows, fmt, title=title)
        return
    emit([_campaign_cells(r) for r in rows], fmt, title=title)


def _span(pair: list[float | None], digits: str) -> str:
    lo, hi = pair
    return "—" if lo is None or hi is None else f"{lo:{digits}} – {hi:{digits}}"


def _campaign_cells(row: dict[str, Any]) -> dict[str, Any]:
    cells: dict[str, Any] = {k: row[k] for k in ("campaign_id", "tier") if k in row}
    cells.update(
        treated=row["treated"],
        holdout=row["holdout"],
        conversion=percent(row["incremental_conversion"]),
        ci=_span(row["ci"], "+.3f"),
        revenue=row["incremental_revenue"],
        revenue_ci=_span(row["revenue_ci"], ",.0f"),
        cost=row["cost"],
        roi=row["roi"],
        roi_ci=_span(row["roi_ci"], ".2f"),
    )
    return cells


@causal_app.command()
def points(
    as_of: Annotated[str, typer.Option("--as-of", help="Split date (2025-06-30).")],
    fmt: FormatOption = Format.table,
) -> None:
    """Do points users buy more? Naive, propensity-weighted and difference in differences."""
    from memberlens.errors import InputError
    from memberlens.experiments.causal import points_effect

    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        raise InputError(f"--as-of {as_of}: write the date as 2025-06-30.") from None
    with open_workspace().session() as s:
        result = points_effect(s, day).to_dict()
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    rows = [
        {
            "method": name,
            "effect": result[name]["effect"],
            "ci": _span(result[name]["ci"], "+.3f"),
            "assumption": result[name]["assumption"],
        }
        for name in ("naive", "weighted", "did")
    ]
    emit(rows, fmt, title=f"Effect of redeeming points on {result['outcome']}")
    if fmt is Format.table:
        emit(
            result["weighted"]["balance"], fmt, title="Covariate balance (standardised differences)"
        )
        console.print(
            f"Propensities outside {result['weighted']['trim']} trimmed: "
            f"{result['weighted']['trimmed']:,} members.",
            highlight=False,
        )
