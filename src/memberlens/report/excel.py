"""The report's workbook, written for a person who opens it in a spreadsheet.

Sheet names and headers are in the workspace language; a table a person reads as a matrix is a
pivot (metrics × periods, groups × measures, cohorts × months); every number keeps its value
and carries a number format by unit (ratios as ``0.0%``, money with two decimals and the
workspace currency, counts with thousands separators); the header row and the first column are
frozen and the table has an autofilter. Every text cell is masked
(:func:`~memberlens.pii.mask_text`) and neutralised (:func:`~memberlens.pii.safe_cell`), so
no cell runs as a formula and no whole phone number is written.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any

import polars as pl

from memberlens.dates.calendar import marks
from memberlens.metrics.catalog import CATALOG
from memberlens.metrics.targets import Status
from memberlens.pii import mask_text, safe_cell
from memberlens.report.data import CHANNEL, MEMBER_SPLIT, MONTHLY, POINTS, ReportData, ordered
from memberlens.report.labels import dimension, group, label

#: Number formats by kind of cell; ``money`` is built from the workspace currency.
FORMATS: dict[str, str] = {
    "count": "#,##0",
    "ratio": "0.0%",
    "decimal": "#,##0.0",
    "precise": "0.000",
    "change_pct": "+0.0%;-0.0%;0.0%",
    "change_pp": '+0.0" pp";-0.0" pp";0.0" pp"',
    "change_pt": "+0.0;-0.0;0.0",
    "date": "yyyy-mm-dd",
}
#: Currency symbols written before the amount; any other code is written after it.
SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 48


def money_format(currency: str) -> str:
    """Two decimals and the currency: ``"¥"#,##0.00`` or ``#,##0.00 "SGD"``."""
    code = re.sub(r"[^A-Za-z]", "", currency).upper() or "CNY"
    symbol = SYMBOLS.get(code)
    return f'"{symbol}"#,##0.00' if symbol else f'#,##0.00 "{code}"'


def unit_kind(unit: str) -> str:
    """The cell kind of a value in a metric unit."""
    if unit in ("ratio", "money"):
        return unit
    if unit in ("days", "score", "times", "hours", "per_thousand"):
        return "decimal"
    return "count"


def change_cell(value: float | None, unit: str) -> Cell:
    """A 环比/同比 change as :func:`memberlens.formatting.change` writes it: percentage points
    for ratios, points for scores, percent for the rest."""
    if unit == "ratio":
        return Cell(None if value is None else value * 100, "change_pp")
    if unit in ("score", "per_thousand"):
        return Cell(value, "change_pt")
    return Cell(value, "change_pct")


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = "text"


@dataclass
class Sheet:
    """One table: a header row, then rows of cells (a bare value is a text or count)."""

    name: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _metric_cell(value: float | None, metric: str) -> Cell:
    return Cell(value, unit_kind(str(CATALOG[metric].unit)))


def _text(value: Any) -> Cell:
    return Cell(None if value is None else str(value))


def _pivot_periods(frame: pl.DataFrame, order: tuple[str, ...], name: str, language: str) -> Sheet:
    """metric/period/value rows as metrics × periods, one metric per row."""
    periods = sorted(frame["period"].unique().to_list())
    values = {(m, p): v for m, p, v in frame.select("metric", "period", "value").rows()}
    sheet = Sheet(name, [label("h_metric", language), *periods])
    for metric in ordered(frame, order):
        sheet.rows.append(
            [
                _text(CATALOG[metric].name(language)),
                *(_metric_cell(values.get((metric, p)), metric) for p in periods),
            ]
        )
    return sheet


ADDITIVE = frozenset({"members_total", "buyers", "orders", "revenue"})
GROUP_HEADERS = {"channel": "h_channel", "tier": "h_tier", "rfm_segment": "h_segment"}


def _pivot_groups(
    frame: pl.DataFrame, order: tuple[str, ...], name: str, dimension: str, language: str
) -> Sheet:
    """metric/group/value rows as groups × measures (rows in the frame's order)."""
    index = "label" if "label" in frame.columns else dimension
    metrics = ordered(frame, order)
    values = {(g, m): v for g, m, v in frame.select(index, "metric", "value").rows()}
    header = label(GROUP_HEADERS[dimension], language)
    sheet = Sheet(name, [header, *(CATALOG[m].name(language) for m in metrics)])
    for g in frame[index].unique(maintain_order=True).to_list():
        cells = [_text(group(dimension, g, language))]
        for m in metrics:
            value = values.get((g, m))
            # a group missing from a count or a sum has none of it; a missing ratio has none
            cells.append(_metric_cell(0 if value is None and m in ADDITIVE else value, m))
        sheet.rows.append(cells)
    return sheet


def _indicators(frame: pl.DataFrame, name: str, language: str) -> Sheet:
    """Summary rows (value, 环比, 同比, target, status), one metric per row."""
    role = "role" in frame.columns
    headers = [label("h_metric", language)]
    headers += [label("h_role", language)] if role else []
    headers += [label(k, language) for k in ("value", "vs_previous", "vs_year_ago")]
    headers += [label(k, language) for k in ("h_target_low", "h_target_high", "status")]
    sheet = Sheet(name, headers)
    for row in frame.iter_rows(named=True):
        metric = row["metric"]
        unit = str(CATALOG[metric].unit)
        cells = [_text(CATALOG[metric].name(language))]
        if role:
            cells.append(_text(label(row["role"], language)))
        cells += [
            _metric_cell(row["value"], metric),
            change_cell(row["change_vs_previous"], unit),
            change_cell(row["change_vs_year_ago"], unit),
            _metric_cell(row["target_low"], metric),
            _metric_cell(row["target_high"], metric),
            _text(Status(row["status"]).label(language)),
        ]
        sheet.rows.append(cells)
    return sheet


def _cohorts(frame: pl.DataFrame, name: str, language: str) -> Sheet:
    """Registration month × months since: the share of the cohort buying."""
    months = sorted(frame["months_since"].unique().to_list())
    sheet = Sheet(
        name,
        [
            label("cohort_month", language),
            label("h_cohort_size", language),
            *(label("h_month_n", language, n=n) for n in months),
        ],
    )
    shares = {(c, m): s for c, m, s in frame.select("cohort", "months_since", "share").rows()}
    sizes = dict(frame.select("cohort", "cohort_size").unique().rows())
    for cohort in sorted(sizes):
        sheet.rows.append(
            [
                _text(cohort),
                Cell(sizes[cohort], "count"),
                *(Cell(shares.get((cohort, m)), "ratio") for m in months),
            ]
        )
    return sheet


def _daily(frame: pl.DataFrame, name: str, language: str) -> Sheet:
    daily = frame.sort("day")
    days = daily["day"].to_list()
    named = {o.day: o.label(language) for o in marks(days[0], days[-1])} if days else {}
    sheet = Sheet(
        name,
        [
            label("h_day", language),
            CATALOG["orders"].name(language),
            CATALOG["revenue"].name(language),
            label("h_holiday", language),
        ],
    )
    for day, orders, revenue in daily.select("day", "orders", "revenue").rows():
        sheet.rows.append(
            [
                Cell(day, "date"),
                Cell(orders, "count"),
                Cell(revenue, "money"),
                _text(named.get(day)),
            ]
        )
    return sheet


def _comparison(data: ReportData, name: str) -> Sheet:
    assert data.comparison is not None
    language = data.language
    a, b = (group("points_user", g, language) for g in data.comparison.groups)
    sheet = Sheet(
        name,
        [
            label("h_metric", language),
            a,
            b,
            label("difference", language),
            label("h_ci_low", language),
            label("h_ci_high", language),
            "p",
            label("h_members_of", language, group=a),
            label("h_members_of", language, group=b),
            label("h_median", language, group=a),
            label("h_median", language, group=b),
        ],
    )
    for r in data.comparison.table.iter_rows(named=True):
        m = r["measure"]
        sheet.rows.append(
            [
                _text(CATALOG[m].name(language)),
                *(_metric_cell(r[k], m) for k in ("a", "b", "difference", "ci_low", "ci_high")),
                Cell(r["p_value"], "precise"),
                Cell(r["n_a"], "count"),
                Cell(r["n_b"], "count"),
                _metric_cell(r["median_a"], m),
                _metric_cell(r["median_b"], m),
            ]
        )
    return sheet


def _alerts(data: ReportData, name: str) -> Sheet:
    language = data.language
    sheet = Sheet(
        name,
        [
            label("h_day", language),
            label("h_metric", language),
            label("h_value", language),
            label("h_expected", language),
            label("h_change", language),
            label("h_score", language),
            label("h_event_day", language),
            label("h_contributors", language),
        ],
    )
    for a in data.alerts:
        sheet.rows.append(
            [
                Cell(a.day, "date"),
                _text(CATALOG[a.metric].name(language)),
                _metric_cell(a.value, a.metric),
                _metric_cell(a.expected, a.metric),
                Cell(a.change, "change_pct"),
                Cell(a.score, "decimal"),
                _text(label("yes" if a.event_day else "no", language)),
                _text(
                    "; ".join(
                        f"{dimension(c.dimension, language)}="
                        f"{group(c.dimension, c.group, language)}"
                        for c in a.contributors[:3]
                    )
                ),
            ]
        )
    return sheet


def _experiments(data: ReportData, name: str) -> Sheet:
    from memberlens.experiments.readout import arm, outcome

    language = data.language
    sheet = Sheet(
        name,
        [
            label("h_experiment", language),
            label("h_metric", language),
            label("variant", language),
            label("h_members", language),
            label("h_mean", language),
            label("h_control_n", language),
            label("h_control_mean", language),
            label("h_lift_abs", language),
            label("lift", language),
            label("h_ci_low", language),
            label("h_ci_high", language),
            "p",
            label("h_p_holm", language),
            label("chance", language),
        ],
    )
    for e in data.experiments:
        for r in e["results"]:
            metric = r["metric"]
            value = unit_kind(str(CATALOG[metric].unit)) if metric in CATALOG else "decimal"
            low, high = r.get("ci_rel") or (None, None)
            sheet.rows.append(
                [
                    _text(e["experiment_id"]),
                    _text(outcome(metric, language)),
                    _text(arm(r["variant"], language)),
                    Cell(r.get("n"), "count"),
                    Cell(r.get("mean"), value),
                    Cell(r.get("control_n"), "count"),
                    Cell(r.get("control_mean"), value),
                    Cell(r.get("lift_abs"), value),
                    Cell(r.get("lift_rel"), "ratio"),
                    Cell(low, "ratio"),
                    Cell(high, "ratio"),
                    Cell(r.get("p_value"), "precise"),
                    Cell(r.get("p_holm"), "precise"),
                    Cell(r.get("chance_to_win"), "ratio"),
                ]
            )
    return sheet


def _clv_sheets(data: ReportData) -> list[Sheet]:
    if data.clv is None or data.clv.validation is None:
        return []
    language = data.language
    v = data.clv.validation
    buckets = Sheet(
        label("sheet_clv_frequency", language),
        [
            label("h_bucket", language),
            label("h_members", language),
            label("predicted", language),
            label("actual", language),
        ],
    )
    for bucket, members, predicted, actual in v.by_frequency.select(
        "bucket", "members", "predicted", "actual"
    ).rows():
        buckets.rows.append(
            [
                _text(bucket),
                Cell(members, "count"),
                Cell(predicted, "precise"),
                Cell(actual, "precise"),
            ]
        )
    calibration = Sheet(
        label("sheet_clv_calibration", language),
        [
            label("h_bin", language),
            label("h_members", language),
            label("h_p_alive", language),
            label("predicted_purchase", language),
            label("bought_share", language),
        ],
    )
    for row in v.calibration.select("bin", "members", "p_alive", "p_purchase", "bought").rows():
        calibration.rows.append(
            [
                _text(row[0]),
                Cell(row[1], "count"),
                *(Cell(x, "ratio") for x in row[2:]),
            ]
        )
    return [buckets, calibration]


def sheets(data: ReportData) -> list[Sheet]:
    """Every sheet of the report's workbook, in order."""
    language = data.language
    result = [
        _indicators(data.kpis, label("sheet_kpis", language), language),
        _pivot_periods(data.monthly, MONTHLY, label("sheet_monthly", language), language),
        _pivot_periods(data.points, POINTS, label("sheet_points", language), language),
        _pivot_groups(
            data.channels.sort("channel"),
            CHANNEL,
            label("sheet_channels", language),
            "channel",
            language,
        ),
        _pivot_groups(data.tiers, MEMBER_SPLIT, label("sheet_tiers", language), "tier", language),
        _pivot_groups(
            data.segments, MEMBER_SPLIT, label("sheet_segments", language), "rfm_segment", language
        ),
        _cohorts(data.cohorts, label("sheet_cohorts", language), language),
        _daily(data.daily, label("sheet_daily", language), language),
    ]
    for g in data.goals:
        title = label("sheet_goal", language, name=g.goal.name(language))
        result.append(_indicators(g.indicators, title, language))
    if data.comparison is not None:
        result.append(_comparison(data, label("sheet_points_users", language)))
    result.append(_alerts(data, label("sheet_alerts", language)))
    if data.experiments:
        result.append(_experiments(data, label("sheet_experiments", language)))
    result.extend(_clv_sheets(data))
    return result


def sheet_names(titles: list[str]) -> list[str]:
    """Valid, distinct sheet names: no ``[]:*?/\\``, at most 31 characters."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = INVALID_SHEET_CHARACTERS.sub(" ", title).strip("' ")[:31] or "Sheet"
        name, n = base, 2
        while name.lower() in taken:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shown(cell: Cell) -> str:
    """Roughly the text a spreadsheet shows for a cell (for the column width)."""
    value = cell.value
    if value is None:
        return ""
    if cell.kind == "text":
        return str(value)
    if cell.kind == "date":
        return "2025-01-01"
    if cell.kind in ("ratio", "change_pct", "change_pp"):
        return f"{value:+.1f} pp" if cell.kind == "change_pp" else f"{value:+.1%}"
    if cell.kind == "money":
        return f"¥{value:,.2f}  "
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def _clean(cell: Cell) -> Cell:
    """Texts masked and neutralised; NaN and infinity (no spreadsheet number) left empty."""
    value = cell.value
    if isinstance(value, str):
        return Cell(safe_cell(mask_text(value)), "text")
    if isinstance(value, float) and not math.isfinite(value):
        return Cell(None, cell.kind)
    return cell


def write_workbook(data: ReportData, path: Path) -> None:
    """The report's tables, one sheet each (see the module's description)."""
    write_sheets(sheets(data), path, data.currency)


def write_sheets(tables: list[Sheet], path: Path, currency: str = "CNY") -> None:
    """``tables`` as a workbook: formats by cell kind, header frozen, filters on, widths fit,
    texts masked and neutralised."""
    import xlsxwriter

    with xlsxwriter.Workbook(path) as book:
        header = book.add_format(
            {"bold": True, "bg_color": "#EAEEF2", "bottom": 1, "text_wrap": True}
        )
        formats = {kind: book.add_format({"num_format": f}) for kind, f in FORMATS.items()}
        formats["money"] = book.add_format({"num_format": money_format(currency)})
        for name, table in zip(sheet_names([t.name for t in tables]), tables, strict=True):
            sheet = book.add_worksheet(name)
            widths = [display_width(h) for h in table.headers]
            for col, title in enumerate(table.headers):
                sheet.write_string(0, col, safe_cell(mask_text(title)) or "", header)
            for r, row in enumerate(table.rows, start=1):
                for col, raw in enumerate(row):
                    cell = _clean(raw)
                    widths[col] = max(widths[col], display_width(_shown(cell)))
                    _write(sheet, r, col, cell, formats)
            for col, width in enumerate(widths):
                sheet.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
            sheet.freeze_panes(1, 1)
            sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.headers) - 1)


def _write(sheet: Any, row: int, col: int, cell: Cell, formats: dict[str, Any]) -> None:
    value = cell.value
    if value is None:
        return
    if cell.kind == "text":
        sheet.write_string(row, col, value)
    elif cell.kind == "date":
        moment = value if isinstance(value, datetime) else datetime.combine(value, time())
        sheet.write_datetime(row, col, moment, formats["date"])
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    else:
        sheet.write_number(row, col, value, formats[cell.kind])
