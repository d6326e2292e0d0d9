"""What every section of the configuration shares: strict models, bounds, memory sizes."""

from __future__ import annotations

import functools
import os
import re
import zoneinfo
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

CONFIG_FILE = "memberlens.toml"

#: The longest window any setting may name: 100 years of days.
MAX_DAYS = 36_500
#: The largest amount, count or rate a setting may name (a sane bound, not a business rule).
MAX_AMOUNT = 1e12
#: The smallest memory limit handed to DuckDB (below it a load cannot run at all).
MIN_MEMORY_BYTES = 64 * 1000**2

Days = Annotated[int, Field(gt=0, le=MAX_DAYS)]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT)]
Count = Annotated[int, Field(ge=0, le=int(MAX_AMOUNT))]


class _Section(BaseModel):
    # strict: no bool for a number, no "365" for 365; finite floats only
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


@functools.cache
def engine_time_zones() -> frozenset[str]:
    """IANA zone names the engine accepts: the tz database without its aliases of the host
    (``localtime``) and rule files (``posixrules``), which DuckDB's ICU does not know."""
    return frozenset(zoneinfo.available_timezones() - {"localtime", "posixrules"})


def cores() -> int:
    return os.cpu_count() or 1


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|kib|mib|gib|tib|%)?\s*$", re.IGNORECASE)
_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}


def parse_memory(text: str) -> str:
    """Check a memory limit (``"8GB"``, ``"512 MiB"``, ``"80%"``) and return it for DuckDB.

    Raises ValueError unless it is a size of at least 64 MB or a share of RAM in (0, 100] %.
    """
    match = _MEMORY.match(text)
    if not match:
        raise ValueError(f'memory_limit {text!r} is not a size; write e.g. "8GB", "512MB" or "80%"')
    number, unit = float(match.group(1)), (match.group(2) or "b").lower()
    if unit == "%":
        if not 0 < number <= 100:
            raise ValueError(f"memory_limit {text!r}: a share of RAM must be in (0, 100] %")
        return f"{number:g}%"
    size = number * _UNITS[unit]
    if size < MIN_MEMORY_BYTES:
        raise ValueError(f'memory_limit {text!r} is below the minimum of 64MB; write e.g. "8GB"')
    return f"{int(size // 1000**2)}MB"
