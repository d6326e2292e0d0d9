"""The command line's words for the Python API's parameters.

Core errors name the parameter a value came through (``as_of 2025-02-30: write the date as
2025-03-31``); on the command line that value was an option, so the message names the
option instead (``--as-of 2025-02-30: …``). A parameter is rewritten where it stands before
its value (a word with a digit in it) or is the error's own parameter, so ordinary words
such as "end" elsewhere in a sentence stay as they are.
"""

from __future__ import annotations

import re

#: API parameter → command-line option.
OPTIONS: dict[str, str] = {
    "as_of": "--as-of",
    "start": "--from",
    "end": "--to",
    "period": "--period",
    "calibration_end": "--calibration-end",
    "holdout_end": "--holdout-end",
    "horizon_months": "--horizon",
    "discount_rate": "--discount-rate",
    "time_unit": "--time-unit",
    "window_days": "--window-days",
    "k": "--k",
    "progress": "--near",
    "maturity_months": "--maturity-months",
    "grain": "--grain",
    "by": "--by",
    "sql_table": "--table",
    "query": "--query",
    "encoding": "--encoding",
    "decimal": "--decimal",
    "mapping": "--map",
    "sheet": "--sheet",
    "samples": "--samples",
    "months": "--months",
    "member_id": "MEMBER_ID",
    "metric_id": "METRIC",
    "candidate": "CANDIDATE",
    "members": "--members",
}

_BEFORE_VALUE = re.compile(
    r"(?<![\w.-])(" + "|".join(sorted(OPTIONS, key=len, reverse=True)) + r")"
    r"(?= (?:\S*\d|N\b|or load|A B))|(?<=without )(by)\b"
)


def in_cli_words(message: str, parameter: str | None = None) -> str:
    """``message`` with each parameter that stands before its value named as its option,
    and the error's own ``parameter`` wherever it stands as a word."""
    message = _BEFORE_VALUE.sub(lambda m: OPTIONS[m.group(1) or m.group(2)], message)
    if parameter in OPTIONS and parameter not in ("start", "end", "by", "period", "k"):
        pattern = rf"(?<![\w-]){re.escape(parameter)}(?![\w-])"
        message = re.sub(pattern, OPTIONS[parameter], message)
    return message
