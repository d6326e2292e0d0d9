"""Read and export quarantined rows: counts by reason with sample rows.

Quarantined values are raw input, so they can hold personal data: samples and exports mask
phone numbers, e-mail addresses and id numbers (:mod:`memberlens.pii`) unless the caller
asks for ``full_phone=True`` (the CLI's ``--full-phone``, which warns).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from memberlens.engine.warehouse import QUARANTINE_TABLE
from memberlens.errors import InputError, unknown_choice
from memberlens.schema import TABLES

EXPORT_SUFFIXES = (".csv", ".xlsx", ".parquet")

REASON_TEXT: dict[str, tuple[str, str]] = {
    "missing_value": ("缺少必填值", "a required value is empty"),
    "bad_timestamp": ("无法解析的时间", "a date-time that cannot be parsed"),
    "bad_date": ("无法解析的日期", "a date that cannot be parsed"),
    "bad_number": ("数值列中有文本", "text where a number belongs"),
    "not_integer": ("应为整数", "a fraction where a whole number belongs"),
    "negative_amount": ("金额为负", "a negative amount"),
    "out_of_range": ("超出允许范围", "a number outside its allowed range"),
    "unknown_value": ("未知的取值", "a value outside the allowed list"),
    "wrong_sign": ("积分正负号与类型不符", "points whose sign contradicts the kind"),
    "bad_json": ("JSON 格式错误", "invalid JSON"),
    "malformed_row": ("列数与表头不符", "a row with more or fewer fields than the header"),
    "duplicate_key": ("文件内主键重复", "the same key twice in one file"),
    "unknown_member": ("会员不存在", "a member that is not in members"),
    "unknown_order": ("订单不存在", "an order that is not in orders"),
    "unknown_campaign": ("活动不存在", "a campaign that is not in campaigns"),
    "ambiguous_number": (
        "数字的小数点不明确（用 --decimal , 或 --decimal . 指定）",
        "a number that reads differently with a decimal comma (pass --decimal , or --decimal .)",
    ),
    "number_too_large": ("数值超出合理范围", "a number too large to be real"),
    "date_out_of_range": (
        "日期超出允许范围（[ingest] min_date–max_date）",
        "a date outside [ingest] min_date .. max_date",
    ),
    "unknown_timezone": ("无法识别的时区名", "a time zone name that is not known"),
}


def _mask_record(record: str | None) -> str | None:
    """The raw record (JSON) with its phone masked and other free text masked."""
    import json

    from memberlens.pii import mask_phone, mask_text

    if record is None:
        return None
    try:
        row = json.loads(record)
    except ValueError:
        return mask_text(record)
    if not isinstance(row, dict):
        return mask_text(record)
    masked = {
        k: mask_phone(v) if k == "phone" else mask_text(v) if isinstance(v, str) else v
        for k, v in row.items()
    }
    return json.dumps(masked, ensure_ascii=False)


def mask_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Mask personal data in quarantine rows: phone values, free text and raw records."""
    from memberlens.pii import mask_phone, mask_text

    if frame.height == 0:
        return frame
    columns = []
    if "value" in frame.columns:
        columns.append(
            pl.struct("column", "value")
            .map_elements(
                lambda r: (
                    mask_phone(r["value"]) if r["column"] == "phone" else mask_text(r["value"])
                ),
                return_dtype=pl.String,
            )
            .alias("value")
        )
    if "details" in frame.columns:
        columns.append(pl.col("details").map_elements(mask_text, return_dtype=pl.String))
    if "record" in frame.columns:
        columns.append(pl.col("record").map_elements(_mask_record, return_dtype=pl.String))
    return frame.with_columns(columns)


@dataclass
class QuarantineReport:
    """``summary``: one row per (table, reason) with counts; ``samples``: example rows."""

    summary: pl.DataFrame
    samples: pl.DataFrame

    @property
    def total(self) -> int:
        return int(self.summary["rows"].sum()) if self.summary.height else 0


def _where(table: str | None) -> tuple[str, list[str]]:
    if table is None:
        return "", []
    if table not in TABLES:
        raise unknown_choice("table", table, TABLES)
    return "WHERE table_name = ?", [table]


def quarantine_report(
    con: duckdb.DuckDBPyConnection,
    table: str | None = None,
    samples: int = 3,
    language: str = "zh",
    full_phone: bool = False,
) -> QuarantineReport:
    """Counts by (table, reason, column) with what each reason means, and sample rows
    (personal data masked unless ``full_phone``)."""
    where, params = _where(table)
    summary = con.sql(
        f"""SELECT table_name AS "table", reason, "column", count(*) AS rows,
                   count(DISTINCT source) AS files
            FROM {QUARANTINE_TABLE} {where}
            GROUP BY ALL ORDER BY "table", rows DESC, reason""",
        params=params,
    ).pl()
    meanings = {code: text[0 if language == "zh" else 1] for code, text in REASON_TEXT.items()}
    summary = summary.with_columns(
        meaning=pl.col("reason").replace_strict(meanings, default=None, return_dtype=pl.String)
    )
    sample = con.sql(
        f"""SELECT table_name AS "table", reason, regexp_extract(source, '[^/\\\\]+$') AS file,
                   source, "row", "column", value, details
            FROM {QUARANTINE_TABLE} {where}
            QUALIFY row_number() OVER (PARTITION BY table_name, reason ORDER BY source, "row")
                    <= {int(samples)}
            ORDER BY "table", reason, source, "row" """,
        params=params,
    ).pl()
    return QuarantineReport(summary, sample if full_phone else mask_rows(sample))


def export_quarantine(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str | None = None,
    *,
    full_phone: bool = False,
) -> int:
    """Write every quarantined row (with its raw record) to csv, xlsx or parquet; personal
    data is masked and spreadsheet formulas neutralised unless ``full_phone``."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise InputError(
            f"Cannot export quarantine to '{suffix or path.name}'. Use one of: "
            f"{', '.join(EXPORT_SUFFIXES)}."
        )
    where, params = _where(table)
    frame = con.sql(
        f"""SELECT table_name AS "table", source, "row", "column", reason, value, details, record
            FROM {QUARANTINE_TABLE} {where} ORDER BY "table", source, "row" """,
        params=params,
    ).pl()
    if not full_phone:
        frame = mask_rows(frame)
    if suffix in (".csv", ".xlsx"):
        from memberlens.pii import safe_cell_polars

        text = [c for c, t in frame.schema.items() if t == pl.String]
        frame = frame.with_columns(safe_cell_polars(c) for c in text)
    if not path.parent.is_dir():
        raise InputError(
            f"Cannot write {path}: the folder {path.parent} does not exist.", parameter="path"
        )
    if suffix == ".csv":
        frame.write_csv(path)
    elif suffix == ".parquet":
        frame.write_parquet(path)
    else:
        frame.write_excel(path, worksheet="quarantine", autofit=True)
    return int(frame.height)
