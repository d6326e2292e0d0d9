"""Commands for the predictive models: clv, churn and the member profile."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import (
    BarProgress,
    NoBomOption,
    console,
    emit,
    errors,
    readable,
    vocabulary,
)
from memberlens.labels import Label

if TYPE_CHECKING:
    from collections.abc import Mapping

    import polars as pl

    from memberlens.models.clv.model import ClvResult


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        errors.print(f"[yellow]Warning:[/] {warning}", highlight=False, soft_wrap=True)


def write_frame(frame: pl.DataFrame, path: Path, *, bom: bool = True) -> None:
    """Write a per-member table (.csv with a UTF-8 BOM unless ``bom`` is False, .parquet or
    .xlsx) through the one writer, quietly (the command's own output may be JSON)."""
    from memberlens.engine.output import write_frame as write

    write(frame, path, bom=bom)


@app.command()
def clv(
    calibration_end: Annotated[
        str, typer.Option(help="Last day of the calibration period (orders up to its end).")
    ],
    time_unit: Annotated[str, typer.Option(help="day or week: the unit of recency and T.")] = "day",
    holdout_end: Annotated[
        str | None,
        typer.Option(help="Validate: compare predictions with purchases up to this date."),
    ] = None,
    horizon: Annotated[int, typer.Option(help="CLV horizon in months.")] = 12,
    discount_rate: Annotated[float, typer.Option(help="Annual discount rate (0.1 = 10%).")] = 0.10,
    output: Annotated[
        Path | None, typer.Option(help="Write the per-member table (.csv or .parquet).")
    ] = None,
    save: Annotated[
        bool, typer.Option(help="Keep per-member CLV in the warehouse (for 'member').")
    ] = False,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Customer lifetime value: BG/NBD + Gamma-Gamma fitted by maximum likelihood."""
    ws = open_workspace()
    result = ws.clv(
        calibration_end,
        time_unit=time_unit,
        holdout_end=holdout_end,
        horizon_months=horizon,
        discount_rate=discount_rate,
        save=save,
    )
    if output is not None:
        write_frame(result.members, output, bom=not no_bom)
    _warn(result.warnings)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        return
    if fmt is Format.csv:
        emit(result.members, fmt)
        return
    show_clv(result, ws.config.workspace.language)
    if output is not None:
        console.print(f"Per-member table written to {output} ({result.members.height:,} rows).")


def show_clv(result: ClvResult, language: str = "en") -> None:
    """Parameters with standard errors, totals and, with a holdout, the validation tables."""
    rows: list[dict[str, Any]] = []
    for model, params, ses in (
        ("BG/NBD", result.purchase.params_, result.purchase.standard_errors_),
        ("Gamma-Gamma", result.spend.params_, result.spend.standard_errors_),
    ):
        rows.extend(
            {"model": model, "parameter": k, "estimate": v, "std_error": ses[k]}
            for k, v in params.items()
        )
    unit = TIME_UNITS.get(result.time_unit, Label(result.time_unit, result.time_unit))(language)
    title = Label(
        f"CLV 模型 · 拟合至 {result.calibration_end} · 时间单位 {unit}",
        f"CLV models · calibration to {result.calibration_end} · time unit {unit}",
    )
    emit(readable(rows, language, {}), Format.table, title=title(language))
    document = result.to_dict()
    totals = document["totals"]
    console.print(
        CLV_TOTALS(language).format(
            members=result.members.height,
            repeat=result.purchase.repeat_customers_,
            ll_bg=result.purchase.log_likelihood_,
            ll_gg=result.spend.log_likelihood_,
            months=result.horizon_months,
            purchases=totals["expected_purchases"],
            clv=totals["clv"],
            mean=totals["mean_clv"],
            rate=result.discount_rate,
            alive=totals["mean_p_alive"],
        ),
        highlight=False,
    )
    v = result.validation
    if v is None:
        return
    title = Label(
        f"留出期({v.holdout_days} 天):按拟合期复购次数的人均购买天数",
        f"Holdout ({v.holdout_days} days): mean purchase days by calibration frequency",
    )
    by_frequency = _formatted(v.by_frequency, {"predicted": _decimals, "actual": _decimals})
    emit(readable(by_frequency, language, {}), Format.table, title=title(language))
    title = Label("P(活跃) 校准:预测与实际购买", "P(alive) calibration: predicted against bought")
    shares = {"p_alive": _percent, "p_purchase": _percent, "bought": _percent}
    calibration = _formatted(v.calibration, shares)
    emit(readable(calibration, language, {}), Format.table, title=title(language))
    console.print(
        CLV_ERRORS(language).format(
            mae=v.mae,
            rmse=v.rmse,
            predicted=v.per_member["predicted"].sum(),
            actual=v.per_member["actual"].sum(),
            error=100 * v.total_error,
        ),
        highlight=False,
    )


@app.command()
def churn(
    as_of: Annotated[
        str | None, typer.Option(help="Score members as of this date (default: latest order).")
    ] = None,
    window_days: Annotated[int, typer.Option(help="Label window: lapsed within N days.")] = 90,
    k: Annotated[
        float, typer.Option(help="Lapse after k × the member's typical repurchase gap.")
    ] = 3.0,
    save: Annotated[bool, typer.Option(help="Write the risk scores to the warehouse.")] = True,
    survival: Annotated[bool, typer.Option(help="Kaplan-Meier time to lapse by tier.")] = True,
    output: Annotated[
        Path | None, typer.Option(help="Write the per-member scores (.csv or .parquet).")
    ] = None,
    no_bom: NoBomOption = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Churn risk: a lapse model tested on a later cut-off, drivers, scores per member."""
    ws = open_workspace()
    bar = BarProgress(transient=True)  # drawn on terminals only
    result = ws.models.churn(as_of, window_days=window_days, k=k, save=save, progress=bar)
    curves = ws.models.survival(result.as_of.isoformat(), k=k) if survival else None
    if output is not None:
        write_frame(result.scores, output, bom=not no_bom)
    if fmt is Format.json:
        document = result.to_dict()
        if curves is not None:
            document["survival"] = {
                "curves": curves.curves.to_dicts(),
                "medians": curves.medians.to_dicts(),
            }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
        return
    if fmt is Format.csv:
        emit(result.scores, fmt)
        return
    language, words = ws.config.workspace.language, vocabulary(ws.config)
    console.print(
        CHURN_HEADER(language).format(
            k=f"{k:g}",
            window=result.window_days,
            train=result.train_members,
            train_cutoff=result.train_cutoff,
            test=result.test_members,
            test_cutoff=result.test_cutoff,
            rate=result.base_rate,
            auc=result.auc,
            baseline=result.baseline_auc,
            gain=result.auc - result.baseline_auc,
            precision=result.precision_top_decile,
            recall=result.recall_top_decile,
        ),
        highlight=False,
    )
    lapse = LAPSE(language).format(k=f"{k:g}", days=window_days)
    console.print(lapse, style="dim", markup=False, highlight=False)
    title = Label("校准:按预测风险十分位", "Calibration: deciles of predicted risk")
    deciles = _formatted(result.calibration, {"predicted": _percent, "observed": _percent})
    emit(readable(deciles, language, words), Format.table, title=title(language))
    title = Label("主要驱动因素(置换重要性,AUC)", "Top drivers (permutation importance, AUC)")
    drivers = _formatted(result.drivers.head(8), {"importance": _three, "std": _three})
    emit(readable(drivers, language, words), Format.table, title=title(language))
    if result.left_out:
        left = [words["feature"].get(f, Label(f, f))(language) for f in result.left_out]
        console.print(LEFT_OUT(language) + ", ".join(left), highlight=False)
    levels = result.to_dict()["levels"]
    console.print(
        SCORED(language).format(members=result.scores.height, as_of=result.as_of)
        + ", ".join(
            f"{levels.get(level, 0):,} {words['level'][level](language)}"
            for level in ("high", "medium", "low")
        )
        + (SAVED(language) if save else ""),
        highlight=False,
    )
    if curves is not None:
        wide = curves.curves.pivot(on="tier", index="day", values="survival")
        shown = _formatted(wide, {c: _percent for c in wide.columns if c != "day"})
        title = Label(
            "首次购买后未流失的比例(按天数)", "Share not yet lapsed, days after the first purchase"
        )
        emit(readable(shown, language, words, words["tier"]), Format.table, title=title(language))
    console.print(ASSOCIATIONS(language), style="dim", highlight=False)


@app.command()
def member(
    member_id: Annotated[str, typer.Argument(help="The member id.")],
    fmt: FormatOption = Format.table,
) -> None:
    """One member: tier, RFM segment, points balance, CLV, P(alive) and churn risk."""
    ws = open_workspace()
    found = ws.models.member(member_id, fit_clv=True)
    document = found.to_dict()
    if fmt is Format.json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
        return
    rows = [
        {"field": key, "value": _cell(value)} for key, value in document.items() if key != "notes"
    ]
    if fmt is Format.csv:
        emit(rows, fmt)
        return
    language = ws.config.workspace.language
    words = vocabulary(ws.config)
    for row in rows:
        if row["field"] in ("tier", "segment", "churn_level"):
            name = words[row["field"]].get(row["value"])
            row["value"] = row["value"] if name is None else name(language)
        if row["field"] == "tier_history":
            row["value"] = _history(found.tier_history or (), words["tier"], language)
    title = Label(
        f"会员 {member_id} · 截至 {found.as_of}", f"Member {member_id} as of {found.as_of}"
    )
    emit(readable(rows, language, words), Format.table, title=title(language))
    for note in found.notes:
        console.print(f"[dim]{note}[/]", highlight=False)


CLV_TOTALS = Label(
    "{members:,} 位有购买的会员(复购 {repeat:,} 位)· 对数似然 BG/NBD {ll_bg:,.1f},"
    "Gamma-Gamma {ll_gg:,.1f}\n未来 {months} 个月:预计购买 {purchases:,.0f} 天次,"
    "CLV 合计 {clv:,.0f}(人均 {mean:,.2f},年折现率 {rate:.0%});平均 P(活跃) {alive:.2f}",
    "{members:,} members who bought ({repeat:,} repeat buyers) · log-likelihood BG/NBD "
    "{ll_bg:,.1f}, Gamma-Gamma {ll_gg:,.1f}\nNext {months} months: {purchases:,.0f} expected "
    "purchase days, CLV {clv:,.0f} in total (mean {mean:,.2f}, discounted at {rate:.0%} a "
    "year); mean P(alive) {alive:.2f}",
)
CLV_ERRORS = Label(
    "每位会员:MAE {mae:.3f},RMSE {rmse:.3f};预测合计 {predicted:,.0f},实际 {actual:,}"
    "({error:+.1f}%)",
    "Per member: MAE {mae:.3f}, RMSE {rmse:.3f}; total predicted {predicted:,.0f} vs actual "
    "{actual:,} ({error:+.1f}%)",
)
CHURN_HEADER = Label(
    "流失模型 · 流失 = 超过会员常规间隔的 {k} 倍未购买 · 窗口 {window} 天\n"
    "训练:{train:,} 位会员(截至 {train_cutoff}),检验:{test:,} 位(截至 {test_cutoff},"
    "流失率 {rate:.1%})\nAUC {auc:.3f},仅用距上次购买天数 {baseline:.3f}({gain:+.3f});"
    "风险最高的 10%:精确率 {precision:.1%},召回率 {recall:.1%}",
    "Churn model · lapse = no purchase for {k} × the member's typical gap · window {window} "
    "days\ntrained on {train:,} members as of {train_cutoff}, tested on {test:,} as of "
    "{test_cutoff} (lapse rate {rate:.1%})\nAUC {auc:.3f} vs recency only {baseline:.3f} "
    "({gain:+.3f}); top decile: precision {precision:.1%}, recall {recall:.1%}",
)
LEFT_OUT = Label(
    "未使用的特征(本项目中全部缺失或恒定):", "Left out (all missing or constant in this program): "
)
SCORED = Label(
    "截至 {as_of} 已评分 {members:,} 位会员:", "{members:,} members scored as of {as_of}: "
)
SAVED = Label(" · 已保存,可按 churn_risk 维度拆分", " · saved for the churn_risk dimension")
ASSOCIATIONS = Label(
    "驱动因素是模型用到的关联,不是原因。", "Drivers are associations the model uses, not causes."
)

#: What the churn model calls a lapse, beside the KPI churned_members (docs/models.md).
LAPSE = Label(
    "模型的流失 = 在 {days} 天的观察窗内超过会员自身典型复购间隔的 {k} 倍未购买;"
    "指标 churned_members(流失会员数)则是 [churn] inactive_days 天内无消费。",
    "The model's lapse = no purchase for {k} × the member's own typical gap within a "
    "{days}-day window; the KPI churned_members counts members with no paid order in "
    "the [churn] inactive_days.",
)


def _history(stretches: Any, tiers: Mapping[str, Label], language: str) -> str:
    """Held tiers as 'tier from → to; …' with the tiers' names."""
    now = Label("至今", "now")(language)
    return "; ".join(
        f"{tiers[t](language) if t in tiers else t} {a} → {b or now}" for t, a, b in stretches
    )


def _cell(value: Any) -> Any:
    """Profile values for the table: the tier history as 'tier from → to; …'."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(f"{v['tier']} {v['valid_from']} → {v['valid_to'] or 'now'}" for v in value)
    return value


TIME_UNITS = {"day": Label("天", "day"), "week": Label("周", "week")}


def _formatted(frame: pl.DataFrame, formats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of ``frame`` with the numbers of ``formats``' columns written for people."""
    return [
        {k: formats[k](v) if k in formats and v is not None else v for k, v in row.items()}
        for row in frame.to_dicts()
    ]


def _percent(value: float) -> str:
    from memberlens.formatting import number

    return number(value, "ratio")


def _decimals(value: float) -> str:
    return "–" if value != value else f"{value:,.2f}"


def _three(value: float) -> str:
    return "–" if value != value else f"{value:.3f}"
