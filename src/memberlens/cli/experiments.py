"""``memberlens experiment …``, ``campaign analyze`` and ``causal points`` (DESIGN §12)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit, errors, readable, vocabulary
from memberlens.experiments.readout import (
    WARNING,
    arm,
    guard,
    outcome,
    verdict,
)
from memberlens.labels import (
    CAUSAL_METHODS,
    COVARIATES,
    OUTCOMES,
    VARIANTS,
    Label,
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

DESIGN_TITLE = Label("实验设计:{metric}", "Design: {metric}")
ARMS_TITLE = Label("{experiment}:各组人数 {arms}", "{experiment}: members per arm {arms}")
ASSIGNED = Label(
    "已将 {n} 名会员分入 {arms} 组,写入 {path}",
    "Assigned {n} members to {arms} arms, written to {path}",
)
ASSIGNED_ARM = Label("{variant}:{n} 名({share})", "{variant}: {n} members ({share})")
CAMPAIGNS_TITLE = Label(
    "营销活动与对照组对比(按每单位成本的增量收入排序)",
    "Campaigns against their holdouts (ranked by incremental revenue per cost)",
)
EFFECT_TITLE = Label("兑换积分对 {outcome} 的影响", "Effect of redeeming points on {outcome}")
OUTCOME_NAMES = {
    "orders_next_90d": Label("其后 90 天订单数", "orders in the next 90 days"),
}
BALANCE_TITLE = Label("协变量平衡(标准化差异)", "Covariate balance (standardised differences)")
TRIMMED = Label(
    "倾向得分在 {trim} 之外的会员已剔除:{n} 名。",
    "Propensities outside {trim} trimmed: {n} members.",
)
#: Outcomes that are shares of members (shown in %) and in money (2 decimals).
RATES = frozenset({"conversion", "repurchase", "redemption"})
MONEY = frozenset({"revenue", "aov"})


def _words(config: Any) -> dict[str, Any]:
    """The tables' vocabulary with the experiments' ids: outcomes, arms, causal methods."""
    return {
        **vocabulary(config),
        "metric": OUTCOMES,
        "variant": VARIANTS,
        "method": CAUSAL_METHODS,
        "covariate": COVARIATES,
    }


def _name(names: Any, key: str, language: str) -> str:
    found = names.get(key)
    return key if found is None else str(found(language))


def _difference(value: float | None, metric: str) -> str:
    """A difference of an outcome: of rates in percentage points."""
    if value is None or value != value:
        return "–"
    return f"{value * 100:.2f} pp" if metric in RATES else f"{value:,.2f}"


def _in_unit(value: float | None, metric: str) -> str:
    """A value of an outcome for people: rates in %, everything else with 2 decimals."""
    from memberlens.formatting import number

    return number(value, "ratio" if metric in RATES else "money")


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
    if fmt is Format.csv:
        emit([{"": k, "value": v} for k, v in result.items()], fmt)
        return
    language = ws.config.workspace.language
    emit(
        readable(_design_cells(result, language), language, vocabulary(ws.config)),
        fmt,
        title=DESIGN_TITLE(language).format(metric=outcome(result["metric"], language)),
    )


def _design_cells(result: dict[str, Any], language: str) -> list[dict[str, Any]]:
    from memberlens.formatting import number

    metric = str(result["metric"])
    shown = {
        "metric": outcome(metric, language),
        "baseline_mean": _in_unit(result["baseline_mean"], metric),
        "baseline_sd": _in_unit(result["baseline_sd"], metric if metric in MONEY else ""),
        "mde_abs": _difference(result["mde_abs"], metric),
        "mde_rel": number(result["mde_rel"], "ratio"),
        "n_per_arm": number(result["n_per_arm"], "count"),
        "eligible_per_day": number(result["eligible_per_day"], "days"),
        "days": number(result["days"], "count"),
    }
    return [{"field": k, "value": v} for k, v in shown.items()]


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
    _write_assignment(pl.DataFrame(rows), output, ws.config.workspace.language)


def _write_assignment(frame: Any, output: Path, language: str) -> None:
    """Write the list and say, in the workspace language, how many members went where."""
    from collections import Counter

    from memberlens.engine.output import write_frame as write

    n = write(frame, output)
    arms = Counter(frame["variant"].to_list()) if n else Counter()
    console.print(
        ASSIGNED(language).format(n=f"{n:,}", arms=len(arms), path=output), highlight=False
    )
    for variant, count in arms.items():
        console.print(
            "  "
            + ASSIGNED_ARM(language).format(
                variant=arm(variant, language),
                n=f"{count:,}",
                share=f"{count / n:.1%}",
            ),
            highlight=False,
        )


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
    words = _words(ws.config)
    for warning in result.warnings:
        errors.print(f"[yellow]{WARNING(language)}:[/] {warning}", highlight=False)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    if fmt is Format.csv:
        emit(data["results"], fmt)
        return
    from memberlens.formatting import number, p_value, signed_percent

    shown = [
        {
            "metric": r["metric"],
            "variant": r["variant"],
            "n": r["n"],
            "mean": _in_unit(r["mean"], r["metric"]),
            "control_mean": _in_unit(r["control_mean"], r["metric"]),
            "lift": signed_percent(r["lift_rel"]),
            "ci": f"{signed_percent(r['ci_rel'][0])} – {signed_percent(r['ci_rel'][1])}",
            "p": p_value(r["p_value"]),
            "p_holm": p_value(r["p_holm"]),
            "chance_to_win": number(r["chance_to_win"], "ratio"),
        }
        for r in data["results"]
    ]
    sizes = ", ".join(f"{arm(a['variant'], language)} {a['n']:,}" for a in data["arms"])
    emit(
        readable(shown, language, words),
        fmt,
        title=ARMS_TITLE(language).format(experiment=experiment_id, arms=sizes),
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
    ws = open_workspace()
    with ws.session() as s:
        rows = analyze_campaigns(
            s, campaign_ids or None, by_tier=by == "tier", window_days=window_days, alpha=alpha
        )
    language = ws.config.workspace.language
    title = CAMPAIGNS_TITLE(language)
    if fmt is not Format.table:
        emit(rows, fmt, title=title)
        return
    shown = [_campaign_cells(r) for r in rows]
    emit(readable(shown, language, vocabulary(ws.config)), fmt, title=title)


def _span(pair: list[float | None], show: Any, empty: str = "–") -> str:
    lo, hi = pair
    if lo is None or hi is None or lo != lo or hi != hi:
        return empty
    return f"{show(lo)} – {show(hi)}"


def _roi(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:,.0%}"


def _campaign_cells(row: dict[str, Any]) -> dict[str, Any]:
    from memberlens.formatting import signed_percent

    cells: dict[str, Any] = {k: row[k] for k in ("campaign_id", "tier") if k in row}
    cells.update(
        treated=row["treated"],
        holdout=row["holdout"],
        incremental_conversion=signed_percent(row["incremental_conversion"]),
        ci=_span(row["ci"], signed_percent),
        incremental_revenue=_in_unit(row["incremental_revenue"], "revenue"),
        revenue_ci=_span(row["revenue_ci"], lambda v: f"{v:,.0f}"),
        cost=_in_unit(row["cost"], "cost"),
        roi=_roi(row["roi"]),
        roi_ci=_span(row["roi_ci"], _roi),
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
    ws = open_workspace()
    with ws.session() as s:
        result = points_effect(s, day).to_dict()
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    methods = ("naive", "weighted", "did")
    if fmt is Format.csv:
        plain = [
            {
                "method": name,
                "effect": result[name]["effect"],
                "ci": _span(result[name]["ci"], lambda v: f"{v:+.3f}", "—"),
                "assumption": result[name]["assumption"],
            }
            for name in methods
        ]
        emit(plain, fmt)
        return
    language, words = ws.config.workspace.language, _words(ws.config)
    rows = [
        {
            "method": name,
            "effect": _signed(result[name]["effect"]),
            "ci": _span(result[name]["ci"], _signed),
            "assumption": result[name]["assumption"],
        }
        for name in methods
    ]
    effect_of = _name(OUTCOME_NAMES, result["outcome"], language)
    emit(
        readable(rows, language, words),
        fmt,
        title=EFFECT_TITLE(language).format(outcome=effect_of),
    )
    balance = [
        {**b, "before": _signed(b["before"]), "after": _signed(b["after"])}
        for b in result["weighted"]["balance"]
    ]
    emit(readable(balance, language, words), fmt, title=BALANCE_TITLE(language))
    weighted = result["weighted"]
    console.print(
        TRIMMED(language).format(trim=weighted["trim"], n=f"{weighted['trimmed']:,}"),
        highlight=False,
    )


def _signed(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:+.3f}"
