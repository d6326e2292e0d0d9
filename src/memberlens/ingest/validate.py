"""Compile a table spec into the SQL that parses and checks one batch of raw rows.

Parsing happens in DuckDB, vectorised: each canonical column gets a *typed* expression (the
parsed value, NULL when it cannot be parsed) and a list of *checks* (condition → reason).
A row with any failing check is quarantined with every problem it has; the others load.

Reason codes (each one tested):

=================  ==========================================================
missing_value      a required column is empty
bad_timestamp      a date-time that none of the accepted formats parse
bad_date           a date that none of the accepted formats parse
bad_number         text where a number belongs (also NaN and infinity)
ambiguous_number   ``1,234``, ``12,50`` or ``1.234,56`` while the decimal separator is unknown
                   (pass ``--decimal ,`` or ``--decimal .``)
number_too_large   a number beyond the sane bound of its kind (see ``INTEGER_LIMIT``)
date_out_of_range  a date or time outside ``[ingest] min_date .. max_date`` (1900–2100)
unknown_timezone   a time with a zone name that is not UTC/GMT or an IANA name the engine knows
not_integer        a fractional value where a whole number belongs (points, nps …)
negative_amount    money below zero
out_of_range       a number outside its allowed range (nps 0–10, csat 1–5 …)
unknown_value      a value outside an enumeration (status, kind, gender, group)
wrong_sign         points whose sign contradicts the kind (earn > 0, redeem/expire < 0)
bad_json           properties that are not valid JSON
malformed_row      a CSV record with more or fewer fields than the header
duplicate_key      a second row with the same key in one file (the first one loads)
unknown_member     a member_id that is not in members (load members first)
unknown_order      an order line whose order is not in orders
unknown_campaign   a touch of a campaign that is not in campaigns
=================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import pyarrow as pa

from memberlens.aliases import VALUE_ALIASES
from memberlens.engine.warehouse import quote
from memberlens.schema import Column, Kind, TableSpec

#: Formats tried, in order, for text timestamps that DuckDB's own ISO parser rejects.
TIMESTAMP_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d%H%M%S",
    "%Y%m%d",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d",
    "%d/%m/%Y %H:%M:%S",
)
# a time followed by a UTC offset (Z, +08, +0800, +08:00)
_OFFSET = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([zZ]|[+-]\d{2}(:?\d{2})?)$"
_TIME = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
# a time followed by a zone name: UTC, GMT or an IANA Area/Location name
_ZONE_NAME = _TIME + r"\s+(UTC|GMT|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$"
# a time followed by any word (CST, EST, Foo/Bar …) other than AM/PM
_ZONE_WORD = _TIME + r"\s+[A-Za-z][A-Za-z0-9_/+-]*$"
_AM_PM = r"\s[AaPp]\.?[Mm]\.?$"

#: Sane bounds: a whole number (points, quantities, counts) or any number beyond
#: INTEGER_LIMIT in magnitude, or an amount beyond MONEY_LIMIT, is a data error (it would
#: overflow sums downstream) and is quarantined as number_too_large.
INTEGER_LIMIT = 10**15
MONEY_LIMIT = 10**12

# the grammar of numbers written as text (after currency signs and spaces are removed)
_PLAIN = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
_GROUP_POINT = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"  # 1,234,567.89
_GROUP_COMMA = r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?"  # 1.234.567,89
_COMMA_DECIMAL = r"[+-]?\d+(,\d*)?"  # 12,50
_AMBIGUOUS = r"[+-]?(\d{1,3}(,\d{3})+|\d*,\d+|\d{1,3}(\.\d{3})+,\d*)"

Decimal = Literal["auto", ".", ","]


@dataclass(frozen=True)
class ValueRules:
    """How a load reads values: the time zone, the decimal separator and the date window."""

    timezone: str = "Asia/Shanghai"
    decimal: Decimal = "auto"
    min_date: date = date(1900, 1, 1)
    max_date: date = date(2100, 12, 31)


def number_text(value: str, decimal: Decimal) -> str:
    """SQL: the text number ``value`` in DuckDB's own syntax, or NULL when it is not one.

    ``auto`` accepts plain numbers and comma-grouped ones with a decimal point
    (``1,234.50``); ``.``: commas group thousands; ``,``: the comma is the decimal separator
    and points group thousands. Anything else is NULL (ambiguous or bad).
    """
    full = "regexp_full_match"
    if decimal == ",":
        return (
            f"CASE WHEN {full}({value}, '{_COMMA_DECIMAL}') THEN replace({value}, ',', '.') "
            f"WHEN {full}({value}, '{_GROUP_COMMA}') "
            f"THEN replace(replace({value}, '.', ''), ',', '.') END"
        )
    grouped = f"WHEN {full}({value}, '{_GROUP_POINT}') THEN replace({value}, ',', '') "
    if decimal == "auto":
        grouped = (
            f"WHEN {full}({value}, '{_GROUP_POINT}') AND contains({value}, '.') "
            f"THEN replace({value}, ',', '') "
        )
    return f"CASE WHEN {full}({value}, '{_PLAIN}') THEN {value} {grouped}END"


def ambiguous(value: str, decimal: Decimal) -> str:
    """SQL: true when ``value`` reads differently with either decimal separator."""
    if decimal != "auto":
        return "false"
    return f"regexp_full_match({value}, '{_AMBIGUOUS}')"


def _finite(number: str) -> str:
    return f"CASE WHEN isfinite({number}) THEN {number} END"


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


#: 12-hour clock formats, for times ending in AM or PM.
CLOCK_12 = (
    "%Y-%m-%d %I:%M %p",
    "%Y-%m-%d %I:%M:%S %p",
    "%Y/%m/%d %I:%M %p",
    "%Y/%m/%d %I:%M:%S %p",
)


def _formats(formats: tuple[str, ...] = TIMESTAMP_FORMATS) -> str:
    return "[" + ", ".join(_sql_str(f) for f in formats) + "]"


@dataclass(frozen=True)
class Check:
    condition: str  # SQL boolean; true means the row has this problem
    reason: str
    column: str


@dataclass(frozen=True)
class ColumnSql:
    typed: str  # SQL expression of the parsed value
    raw: str  # SQL expression of the raw value as text (for messages)
    checks: tuple[Check, ...]


def _category(dtype: pa.DataType | None) -> str:
    if dtype is None:
        return "absent"
    if pa.types.is_dictionary(dtype):
        return _category(dtype.value_type)
    if (
        pa.types.is_string(dtype)
        or pa.types.is_large_string(dtype)
        or pa.types.is_string_view(dtype)
    ):
        return "text"
    if pa.types.is_integer(dtype):
        return "integer"
    if pa.types.is_floating(dtype) or pa.types.is_decimal(dtype):
        return "float"
    if pa.types.is_timestamp(dtype):
        return "timestamptz" if dtype.tz else "timestamp"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_boolean(dtype):
        return "boolean"
    return "other"


def _case_map(value: str, mapping: dict[str, str], otherwise: str) -> str:
    if not mapping:
        return otherwise
    arms = " ".join(f"WHEN {_sql_str(k)} THEN {_sql_str(v)}" for k, v in mapping.items())
    return f"CASE lower(replace({value}, ' ', '')) {arms} ELSE {otherwise} END"


def column_sql(
    column: Column, dtype: pa.DataType | None, timezone: str, rules: ValueRules | None = None
) -> ColumnSql:
    """Typed expression, raw text and checks for one canonical column."""
    rules = rules or ValueRules(timezone=timezone)
    decimal = rules.decimal
    name = column.name
    ref = quote(name)
    category = _category(dtype)
    raw = "NULL::VARCHAR" if category == "absent" else f"CAST({ref} AS VARCHAR)"
    if category == "text":
        value = f"NULLIF(TRIM({ref}), '')"
    elif category == "absent":
        value = "NULL::VARCHAR"
    else:
        value = ref
    present = f"({value}) IS NOT NULL"
    checks: list[Check] = []
    kind = column.kind

    def failed(typed: str, reason: str) -> None:
        checks.append(Check(f"{present} AND ({typed}) IS NULL", reason, name))

    if kind in (Kind.KEY, Kind.LABEL, Kind.ENUM):
        if category == "float":
            # a float key such as 1001.0 (Parquet from a spreadsheet) means "1001"
            typed = (
                f"CASE WHEN {ref} = trunc({ref}) THEN CAST(CAST({ref} AS BIGINT) AS VARCHAR) "
                f"ELSE CAST({ref} AS VARCHAR) END"
            )
        else:
            typed = f"CAST({value} AS VARCHAR)"
        if kind is Kind.LABEL:
            typed = _case_map(typed, VALUE_ALIASES.get(name, {}), typed)
        elif kind is Kind.ENUM:
            mapping = {v: v for v in column.values} | VALUE_ALIASES.get(name, {})
            mapping = {k: v for k, v in mapping.items() if v in column.values}
            typed = _case_map(typed, mapping, "NULL")
            failed(typed, "unknown_value")
    elif kind is Kind.TEXT or kind is Kind.JSON:
        if category == "text":
            typed = f"CASE WHEN TRIM({ref}) = '' THEN NULL ELSE {ref} END"
        else:
            typed = f"CAST({value} AS VARCHAR)"
        if kind is Kind.JSON:
            checks.append(Check(f"{present} AND NOT json_valid({typed})", "bad_json", name))
    elif kind is Kind.TIMESTAMP or kind is Kind.DATE:
        tz = _sql_str(timezone)
        zone_word = "false"
        if category == "text":
            zone_word = (
                f"(regexp_matches({value}, {_sql_str(_ZONE_WORD)}) "
                f"AND NOT regexp_matches({value}, {_sql_str(_AM_PM)}))"
            )
            parsed = (
                f"CASE WHEN regexp_matches({value}, {_sql_str(_OFFSET)}) "
                f"OR regexp_matches({value}, {_sql_str(_ZONE_NAME)}) "
                f"THEN timezone({tz}, TRY_CAST({value} AS TIMESTAMPTZ)) "
                f"WHEN {zone_word} THEN NULL::TIMESTAMP "
                # DuckDB's own cast ignores AM/PM ("10:00 PM" would be 10:00): 12-hour
                # clock formats only
                f"WHEN regexp_matches({value}, {_sql_str(_AM_PM)}) "
                f"THEN try_strptime(upper(replace({value}, '.', '')), {_formats(CLOCK_12)}) "
                f"ELSE COALESCE(TRY_CAST({value} AS TIMESTAMP), "
                f"try_strptime({value}, {_formats()})) END"
            )
        elif category == "timestamptz":
            parsed = f"timezone({tz}, {ref})"
        elif category in ("timestamp", "date", "absent"):
            parsed = f"CAST({value} AS TIMESTAMP)"
        else:
            parsed = "NULL::TIMESTAMP"
        typed = f"CAST({parsed} AS DATE)" if kind is Kind.DATE else parsed
        if zone_word != "false":
            checks.append(
                Check(f"{present} AND {zone_word} AND ({typed}) IS NULL", "unknown_timezone", name)
            )
        checks.append(
            Check(
                f"{present} AND ({typed}) IS NULL AND NOT coalesce({zone_word}, false)",
                "bad_date" if kind is Kind.DATE else "bad_timestamp",
                name,
            )
        )
        low = _sql_str(rules.min_date.isoformat())
        high = _sql_str((rules.max_date + timedelta(days=1)).isoformat())
        checks.append(
            Check(
                f"({typed}) < TIMESTAMP {low} OR ({typed}) >= TIMESTAMP {high}",
                "date_out_of_range",
                name,
            )
        )
    elif kind is Kind.MONEY:
        if category == "text":
            cleaned = f"regexp_replace({value}, '[¥￥\\s]|CNY|RMB', '', 'g')"
            text = number_text(cleaned, decimal)
            number = _finite(f"TRY_CAST({text} AS DOUBLE)")
            typed = f"TRY_CAST({text} AS DECIMAL(18,4))"
            unclear = ambiguous(cleaned, decimal)
        elif category in ("integer", "float", "absent"):
            number = _finite(f"TRY_CAST({value} AS DOUBLE)")
            typed = f"TRY_CAST({value} AS DECIMAL(18,4))"
            unclear = "false"
        else:
            number = "NULL::DOUBLE"
            typed = "NULL::DECIMAL(18,4)"
            unclear = "false"
        _number_checks(name, present, number, unclear, MONEY_LIMIT, checks)
        if column.low is not None:
            checks.append(Check(f"({typed}) < {column.low}", "negative_amount", name))
    elif kind is Kind.INTEGER:
        unclear = "false"
        if category == "text":
            text = number_text(value, decimal)
            number = _finite(f"TRY_CAST({text} AS DOUBLE)")
            unclear = ambiguous(value, decimal)
            typed = (
                f"COALESCE(TRY_CAST({text} AS BIGINT), "
                f"CASE WHEN {number} = trunc({number}) THEN TRY_CAST({number} AS BIGINT) END)"
            )
        elif category == "integer" or category == "absent":
            number = f"CAST({value} AS DOUBLE)"
            typed = f"TRY_CAST({value} AS BIGINT)"
        elif category == "float":
            number = _finite(f"CAST({value} AS DOUBLE)")
            typed = f"CASE WHEN {number} = trunc({number}) THEN TRY_CAST({number} AS BIGINT) END"
        else:
            number = "NULL::DOUBLE"
            typed = "NULL::BIGINT"
        _number_checks(name, present, number, unclear, INTEGER_LIMIT, checks)
        checks.append(
            Check(f"({number}) IS NOT NULL AND ({number}) <> trunc({number})", "not_integer", name)
        )
        _range_checks(column, typed, checks)
    elif kind is Kind.NUMBER:
        unclear = "false"
        if category == "text":
            unclear = ambiguous(value, decimal)
            typed = _finite(f"TRY_CAST({number_text(value, decimal)} AS DOUBLE)")
        elif category in ("integer", "float", "absent"):
            typed = _finite(f"TRY_CAST({value} AS DOUBLE)")
        else:
            typed = "NULL::DOUBLE"
        _number_checks(name, present, typed, unclear, INTEGER_LIMIT, checks)
        _range_checks(column, typed, checks)
    else:  # pragma: no cover - every Kind is handled above
        raise AssertionError(kind)
    if column.default is not None:
        typed = f"CASE WHEN {value} IS NULL THEN {_sql_str(column.default)} ELSE {typed} END"
    elif column.required:
        checks.insert(0, Check(f"({value}) IS NULL", "missing_value", name))
    return ColumnSql(typed=typed, raw=raw, checks=tuple(checks))


def _number_checks(
    name: str, present: str, number: str, unclear: str, limit: int, checks: list[Check]
) -> None:
    """ambiguous_number, bad_number and number_too_large, given the value as a DOUBLE."""
    if unclear != "false":
        checks.append(Check(f"{present} AND {unclear}", "ambiguous_number", name))
    checks.append(
        Check(f"{present} AND ({number}) IS NULL AND NOT ({unclear})", "bad_number", name)
    )
    checks.append(Check(f"abs({number}) > {limit}", "number_too_large", name))


def _range_checks(column: Column, typed: str, checks: list[Check]) -> None:
    bounds = []
    if column.low is not None:
        bounds.append(f"({typed}) < {column.low}")
    if column.high is not None:
        bounds.append(f"({typed}) > {column.high}")
    if bounds:
        checks.append(Check(" OR ".join(bounds), "out_of_range", column.name))


def points_sign_check() -> Check:
    """DESIGN §4: earn > 0, redeem and expire < 0, adjust either sign."""
    return Check(
        "(kind = 'earn' AND points <= 0) OR (kind IN ('redeem', 'expire') AND points >= 0)",
        "wrong_sign",
        "points",
    )


def _problem_items(checks: list[Check], value_of: dict[str, str]) -> str:
    items = [
        f"CASE WHEN {c.condition} THEN {{'column': {_sql_str(c.column)}, "
        f"'reason': {_sql_str(c.reason)}, 'value': {value_of[c.column]}}} END"
        for c in checks
    ]
    return f"list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)"


def _any(checks: list[Check]) -> str:
    return "COALESCE(" + (" OR ".join(f"({c.condition})" for c in checks) or "false") + ", false)"


def batch_select(
    spec: TableSpec,
    types: dict[str, pa.DataType],
    timezone: str,
    source: str,
    rules: ValueRules | None = None,
) -> str:
    """SQL that turns the raw batch relation ``{source}`` into typed columns plus ``_problems``.

    Column checks run on the raw values; row checks (the points sign) on the typed ones.
    ``_problems`` is NULL for a good row, else a list of structs (column, reason, value), and
    ``_record`` the raw row as JSON.
    """
    rules = rules or ValueRules(timezone=timezone)
    parts = {c.name: column_sql(c, types.get(c.name), timezone, rules) for c in spec.columns}
    raw_name = {name: quote("raw:" + name) for name in parts}
    column_checks = [c for p in parts.values() for c in p.checks]
    row_checks = [points_sign_check()] if spec.name == "points" else []
    typed = ", ".join(f"{p.typed} AS {quote(name)}" for name, p in parts.items())
    raws = ", ".join(f"{p.raw} AS {raw_name[name]}" for name, p in parts.items())
    raw_values = {c.column: f"CAST({p.raw} AS VARCHAR)" for p in parts.values() for c in p.checks}
    typed_values = {c.column: f"CAST({quote(c.column)} AS VARCHAR)" for c in row_checks}
    raw_record = ", ".join(f"{_sql_str(n)}: {raw_name[n]}" for n in parts)
    bad = f"_bad OR {_any(row_checks)}"
    return f"""
        WITH parsed AS (
            SELECT _row, {typed}, {raws}, {_any(column_checks)} AS _bad,
                   CASE WHEN {_any(column_checks)}
                        THEN {_problem_items(column_checks, raw_values)} END AS _column_problems
            FROM {source})
        SELECT _row, {", ".join(quote(n) for n in parts)},
               CASE WHEN {bad} THEN list_concat(coalesce(_column_problems, []),
                                                {_problem_items(row_checks, typed_values)})
               END AS _problems,
               CASE WHEN {bad} THEN to_json({{{raw_record}}}) END AS _record
        FROM parsed
    """
