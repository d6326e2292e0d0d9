"""Workspace configuration: ``memberlens.toml`` (DESIGN §3) as validated pydantic models.

An unknown key or a bad value is a :class:`~memberlens.errors.ConfigError` that lists every
problem with its key and the allowed values, not just the first one.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import zoneinfo
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    ValidationError,
    field_validator,
    model_validator,
)

from memberlens.errors import ConfigError
from memberlens.labels import Label
from memberlens.schema import TABLES

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


class WorkspaceSettings(_Section):
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    language: Literal["zh", "en"] = "zh"
    point_value: Annotated[float, Field(gt=0, le=MAX_AMOUNT)] = 0.01

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in engine_time_zones():
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Asia/Shanghai'"
            )
        return value


class IngestSettings(_Section):
    """``[ingest]``: how loads read values (docs/ingestion.md)."""

    decimal: Literal["auto", ".", ","] = "auto"  # the decimal separator of text numbers
    min_date: date = date(1900, 1, 1)  # dates and times outside [min_date, max_date]
    max_date: date = date(2100, 12, 31)  # are quarantined as date_out_of_range

    @model_validator(mode="after")
    def _window(self) -> IngestSettings:
        if self.min_date >= self.max_date:
            raise ValueError(f"min_date {self.min_date} must be before max_date {self.max_date}")
        if self.min_date.year < 1 or self.max_date.year > 9998:
            raise ValueError("min_date and max_date must lie in years 1 to 9998")
        return self


class FixedThresholds(_Section):
    recency_days: Annotated[float, Field(ge=0, le=MAX_DAYS)]
    frequency: Amount
    monetary: Amount


class RfmSettings(_Section):
    window_days: Days = 365
    threshold: Literal["mean", "median"] | FixedThresholds = "mean"
    monetary: Literal["total", "average"] = "total"


class ValueSettings(_Section):
    """``[value]``: value tiers by spend, and loyalty (bought in k of the last n months)."""

    window_days: Days | None = None  # None: [rfm] window_days
    cut_by: Literal["members", "revenue", "spend"] = "members"
    high: Amount = 0.2
    medium: Amount = 0.3
    loyalty_window_months: Annotated[int, Field(gt=0, le=24)] = 6  # n months of 30 days
    loyal_min_months: Annotated[int, Field(gt=0, le=24)] = 3  # k

    @model_validator(mode="after")
    def _cuts(self) -> ValueSettings:
        problems = []
        if self.cut_by == "spend":
            if self.high <= self.medium:
                problems.append(
                    f"with cut_by = 'spend', high ({self.high:g}) must be a larger amount than "
                    f"medium ({self.medium:g})"
                )
        else:
            if not 0 < self.high <= 1:
                problems.append(
                    f"with cut_by = '{self.cut_by}', high = {self.high:g} must be a share in "
                    "(0, 1], e.g. 0.2 for the top 20 %"
                )
            if round(self.high + self.medium, 12) > 1:
                problems.append(
                    f"with cut_by = '{self.cut_by}', high + medium = "
                    f"{self.high + self.medium:g} must be at most 1"
                )
        if self.loyal_min_months > self.loyalty_window_months:
            problems.append(
                f"loyal_min_months = {self.loyal_min_months} cannot exceed "
                f"loyalty_window_months = {self.loyalty_window_months}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


THRESHOLDS = {  # a level's threshold field → the qualification measure it bounds
    "min_spend": "spend",  # paid spend in the window
    "min_orders": "orders",  # paid orders in the window
    "min_points": "points_earned",  # points of earn entries in the window
    "min_active_days": "active_days",  # days with a paid order, an event or an earn/redeem entry
}


class TierLevel(_Section):
    id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    name_en: Annotated[str, Field(min_length=1)] | None = None  # English name (default: name)
    min_spend: Amount | None = None
    min_orders: Count | None = None
    min_points: Count | None = None
    min_active_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] | None = None
    earn_multiplier: Annotated[float, Field(gt=0, le=1000)] = 1.0
    benefit_rate: Annotated[float, Field(ge=0, le=1)] = 0.0  # benefits cost, share of spend
    invitation_only: bool = False  # granted by [tiers] invitations, never by thresholds

    @model_validator(mode="before")
    @classmethod
    def _known_thresholds(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = [k for k in data if k.startswith("min_") and k not in THRESHOLDS]
            if unknown:
                raise ValueError(
                    f"level '{data.get('id', '?')}': unknown threshold "
                    f"{', '.join(repr(k) for k in unknown)}; thresholds are "
                    f"{', '.join(THRESHOLDS)}"
                )
        return data

    @property
    def label(self) -> Label:
        """The level's name in both languages (English falls back to ``name``)."""
        return Label(self.name, self.name_en or self.name)

    @property
    def thresholds(self) -> dict[str, float]:
        """The thresholds this level sets: field name → value."""
        return {f: getattr(self, f) for f in THRESHOLDS if getattr(self, f) is not None}

    @property
    def has_thresholds(self) -> bool:
        return bool(self.thresholds)


class TierSettings(_Section):
    window_days: Days = 365
    # program rules for the tier a member holds over time (history, what-if)
    upgrade: Literal["immediate", "evaluation"] = "immediate"
    evaluation: Literal["month", "quarter", "year"] = "month"
    # 保级: a tier reached is kept this long
    protection_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] = 0
    invitations: str | None = None  # CSV: member_id, tier, valid_from[, valid_to]
    levels: list[TierLevel] = Field(
        default_factory=lambda: [
            TierLevel(id="normal", name="普通会员", name_en="Standard"),
            TierLevel(
                id="silver",
                name="银卡会员",
                name_en="Silver",
                min_spend=1000,
                min_orders=3,
                earn_multiplier=1.2,
            ),
            TierLevel(
                id="gold",
                name="金卡会员",
                name_en="Gold",
                min_spend=5000,
                min_orders=10,
                earn_multiplier=1.5,
            ),
            TierLevel(
                id="black",
                name="黑卡会员",
                name_en="Black",
                min_spend=20000,
                min_orders=30,
                earn_multiplier=2.0,
            ),
        ]
    )

    @property
    def ladder(self) -> list[TierLevel]:
        """The levels reached by thresholds, lowest first (invitation-only levels left out)."""
        return [level for level in self.levels if not level.invitation_only]

    def rank(self, tier_id: str) -> int:
        """Position of a level in the whole ladder (invitation-only levels included)."""
        return [level.id for level in self.levels].index(tier_id)

    @property
    def warnings(self) -> list[str]:
        """Unusual but valid ladders: a level easier than one listed before it on some measure.

        DESIGN §3: a member's tier is the highest level all of whose thresholds are met, so
        such a ladder is evaluated as written (a spend-only top tier needing fewer orders than
        the level below it is reached on spend alone); the warning only says so.
        """
        found = []
        ladder = self.ladder
        for i, level in enumerate(ladder):
            for lower in ladder[:i]:
                for field, value in level.thresholds.items():
                    below = lower.thresholds.get(field)
                    if below is not None and value < below:
                        found.append(
                            f"level '{level.id}' {field} = {value:g} is below level "
                            f"'{lower.id}' {field} = {below:g}, listed before it: a member may "
                            f"reach '{level.id}' without '{lower.id}'s {field}"
                        )
                missing = sorted(set(lower.thresholds) - set(level.thresholds))
                for field in missing:
                    found.append(
                        f"level '{level.id}' has no {field} while level '{lower.id}', listed "
                        f"before it, needs {field} = {lower.thresholds[field]:g}"
                    )
        return found

    @model_validator(mode="after")
    def _ladder(self) -> TierSettings:
        problems = []
        if not self.levels:
            problems.append("the ladder needs at least one level (the base level)")
        elif self.levels[0].has_thresholds or self.levels[0].invitation_only:
            problems.append(
                f"level '{self.levels[0].id}' is the base level (listed first): it must have "
                "no thresholds and not be invitation_only"
            )
        ids = [level.id for level in self.levels]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"level id '{dup}' is used twice")
        for level in self.levels[1:]:
            if level.invitation_only and level.has_thresholds:
                problems.append(
                    f"level '{level.id}' is invitation_only and cannot have thresholds "
                    f"({', '.join(level.thresholds)})"
                )
            elif not level.invitation_only and not level.has_thresholds:
                problems.append(
                    f"level '{level.id}' has no threshold ({', '.join(THRESHOLDS)}) and is not "
                    "invitation_only"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PointsSettings(_Section):
    """``[points]``: the earn rule and expiry policy that what-if replays compare."""

    earn_rate: Annotated[float, Field(ge=0, le=1e6)] = 1.0  # points per currency unit of paid spend
    expiry: Literal["never", "year_end_next", "months"] = "year_end_next"
    expiry_months: Annotated[int, Field(gt=0, le=1200)] = 12  # with expiry = "months"


class ChurnSettings(_Section):
    inactive_days: Days = 180


class CampaignSettings(_Section):
    attribution_days: Days = 7  # a touched member's order counts this long


class CalendarSettings(_Section):
    """``[calendar]``: the program's own 会员日 (member days), beside the official holidays
    and the retail events the calendar knows (docs/calendar.md)."""

    # days of the month (1–31; a month without that day has no member day that month)
    member_days: Annotated[tuple[Annotated[int, Field(ge=1, le=31)], ...], Field(strict=False)] = ()
    # days of the week, 1 = Monday … 7 = Sunday
    member_weekdays: Annotated[
        tuple[Annotated[int, Field(ge=1, le=7)], ...], Field(strict=False)
    ] = ()

    @field_validator("member_days", "member_weekdays")
    @classmethod
    def _once_each(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        repeated = sorted({d for d in value if value.count(d) > 1})
        if repeated:
            raise ValueError(f"{repeated} given more than once; name each day once")
        return tuple(sorted(value))


#: The most user-dictionary words ``[voc] words`` may list, and the longest word.
MAX_VOC_WORDS = 10_000
MAX_VOC_WORD_LENGTH = 30


class VocSettings(_Section):
    """``[voc]``: brand, product and program words jieba keeps whole (悦享生活, 黑卡 …)."""

    words: tuple[str, ...] = Field(default=(), strict=False)

    @field_validator("words", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError('write a list of words: words = ["悦享生活", "黑卡"]')
        problems = []
        if len(value) > MAX_VOC_WORDS:
            problems.append(f"{len(value)} words: at most {MAX_VOC_WORDS}")
        seen: set[str] = set()
        for word in value:
            if not isinstance(word, str):
                problems.append(f"{word!r} is not a string")
            elif not word.strip():
                problems.append("an empty word")
            elif word != word.strip() or any(c.isspace() for c in word):
                problems.append(f"{word!r} holds a space (a word is segmented whole)")
            elif len(word) > MAX_VOC_WORD_LENGTH:
                problems.append(f"{word!r} is longer than {MAX_VOC_WORD_LENGTH} characters")
            elif word in seen:
                problems.append(f"{word!r} is listed twice")
            else:
                seen.add(word)
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(value)


class TargetSettings(_Section):
    """One ``[targets.<metric>]`` entry: exactly one of value, range or history."""

    value: float | None = None
    # TOML writes [LOW, HIGH] as an array: a list is accepted, its items stay strict numbers
    range: Annotated[tuple[StrictFloat, StrictFloat], Field(strict=False)] | None = None
    history: Literal["same_period", "trailing"] | None = None
    periods: Annotated[int, Field(gt=0, le=10)] = 3
    tolerance: Annotated[float, Field(ge=0, le=1)] = 0.05

    @model_validator(mode="after")
    def _one_kind(self) -> TargetSettings:
        given = [k for k in ("value", "range", "history") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of value = N, range = [LOW, HIGH] or "
                f"history = 'same_period' | 'trailing' (got {', '.join(given) or 'none'})"
            )
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range {list(self.range)} must be [LOW, HIGH] with LOW <= HIGH")
        return self


class EngineSettings(_Section):
    backend: Literal["duckdb", "pyspark"] = "duckdb"
    memory_limit: str | None = None  # DuckDB memory_limit, e.g. "8GB"; default DuckDB's own
    threads: Annotated[int, Field(gt=0)] | None = None  # at most 4 × the machine's cores
    # how long a reader waits for a running load (seconds); None: until the load ends
    lock_wait_seconds: Annotated[float, Field(ge=0, le=7 * 86_400)] | None = None
    # Spark (backend = "pyspark"): the canonical tables come from a database of the Spark
    # catalog, or from a folder of <table>.parquet (relative paths are from the workspace)
    spark_master: str = "local[*]"
    spark_database: str | None = None
    spark_parquet: str | None = None
    spark_conf: dict[str, str] = Field(default_factory=dict)

    @field_validator("memory_limit")
    @classmethod
    def _memory(cls, value: str | None) -> str | None:
        return None if value is None else parse_memory(value)

    @field_validator("threads")
    @classmethod
    def _threads(cls, value: int | None) -> int | None:
        if value is not None and value > cores() * 4:
            raise ValueError(
                f"threads = {value} is more than 4 × the {cores()} cores of this machine; "
                "leave it out to use every core"
            )
        return value

    @model_validator(mode="after")
    def _spark_tables(self) -> EngineSettings:
        if self.backend == "pyspark" and (self.spark_database is None) == (
            self.spark_parquet is None
        ):
            raise ValueError(
                "with backend = 'pyspark' set exactly one of spark_database (a database of "
                "the Spark catalog holding the canonical tables) or spark_parquet (a folder "
                "of <table>.parquet files, e.g. written by 'memberlens export')"
            )
        return self

    def duckdb_settings(self) -> dict[str, str | int]:
        """The DuckDB connection settings these options ask for (none by default)."""
        settings: dict[str, str | int] = {}
        if self.memory_limit:
            settings["memory_limit"] = self.memory_limit
        if self.threads:
            settings["threads"] = self.threads
        if self.lock_wait_seconds is not None:
            # not a DuckDB setting: engine.warehouse.connect() takes it out (LOCK_WAIT)
            settings["memberlens_lock_wait_seconds"] = str(self.lock_wait_seconds)
        return settings


#: The text encodings a source may name (those the ingest reads, docs/ingestion.md).
SourceEncoding = Literal["auto", "utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "latin-1"]
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")


class SourceSettings(_Section):
    """One ``[sources.<table>]`` entry (DESIGN §15, docs/daily.md): files matched by ``path``
    (a file or a glob, relative to the workspace), or the rows of a SQLAlchemy ``url`` +
    ``query`` newer than the last ``watermark`` value loaded."""

    path: Annotated[str, Field(min_length=1)] | None = None
    url: Annotated[str, Field(min_length=1)] | None = None
    query: Annotated[str, Field(min_length=1)] | None = None
    watermark: Annotated[str, Field(min_length=1)] | None = None
    mapping: dict[str, str] = Field(default_factory=dict)  # canonical = source column
    encoding: SourceEncoding | None = None  # default: auto (detected)
    sheet: str | Annotated[int, Field(ge=0)] | None = None  # an Excel sheet: name or index
    decimal: Literal["auto", ".", ","] | None = None  # default: [ingest] decimal

    @model_validator(mode="after")
    def _one_kind(self) -> SourceSettings:
        problems = []
        if (self.path is None) == (self.url is None):
            problems.append(
                'give exactly one of path = "exports/orders_*.csv" (a file or glob) or '
                'url = "postgresql://…" with query and watermark'
            )
        elif self.path is not None:
            given = [k for k in ("query", "watermark") if getattr(self, k) is not None]
            if given:
                problems.append(f"{', '.join(given)}: only with url, not with path")
        else:
            missing = [k for k in ("query", "watermark") if getattr(self, k) is None]
            if missing:
                problems.append(
                    f"url needs {' and '.join(missing)} (query: the SQL to run; watermark: the "
                    "column whose largest value loaded so far marks where the next run starts)"
                )
            given = [k for k in ("encoding", "sheet") if getattr(self, k) is not None]
            if given:
                problems.append(f"{', '.join(given)}: only with path, not with url")
            if self.url is not None and "://" not in self.url:
                problems.append(f"url {self.url!r} is not a SQLAlchemy URL (dialect://…)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class AlertSettings(_Section):
    """``[alerts]``: where ``run-daily`` delivers the day's alerts (docs/daily.md)."""

    send: Literal["always", "alerts"] = "always"  # always: a digest even without alerts
    webhook_url: str | None = None  # JSON POST
    webhook_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10.0
    smtp_host: Annotated[str, Field(min_length=1)] | None = None
    smtp_port: Annotated[int, Field(gt=0, le=65535)] = 587
    smtp_user: Annotated[str, Field(min_length=1)] | None = None
    smtp_password: Annotated[str, Field(min_length=1)] | None = None  # prefer smtp_password_env
    smtp_password_env: str | None = None  # the environment variable holding the password
    smtp_from: str | None = None
    smtp_to: list[str] = Field(default_factory=list)
    smtp_starttls: bool = True
    smtp_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 30.0

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook_url {value!r} must be an http:// or https:// URL")
        return value

    @field_validator("smtp_password_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                f"smtp_password_env {value!r} must be the name of an environment variable, "
                'e.g. "MEMBERLENS_SMTP_PASSWORD" (not the password itself)'
            )
        return value

    @field_validator("smtp_from")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        if value is not None and not _ADDRESS.match(value):
            raise ValueError(f"smtp_from {value!r} is not an e-mail address")
        return value

    @field_validator("smtp_to")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not _ADDRESS.match(v)]
        if bad:
            raise ValueError(f"smtp_to: {', '.join(map(repr, bad))} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _smtp(self) -> AlertSettings:
        problems = []
        if self.smtp_host is None:
            given = [
                k
                for k in ("smtp_user", "smtp_password", "smtp_password_env", "smtp_from")
                if getattr(self, k) is not None
            ] + (["smtp_to"] if self.smtp_to else [])
            if given:
                problems.append(f"{', '.join(given)}: set smtp_host (the mail server) too")
        else:
            if self.smtp_from is None:
                problems.append("smtp_host is set but smtp_from (the sender's address) is not")
            if not self.smtp_to:
                problems.append('smtp_host is set but smtp_to is empty; write smtp_to = ["…"]')
        if self.smtp_password is not None and self.smtp_password_env is not None:
            problems.append("give smtp_password_env or smtp_password, not both")
        has_password = self.smtp_password is not None or self.smtp_password_env is not None
        if self.smtp_user is not None and not has_password:
            problems.append("smtp_user needs smtp_password_env (or smtp_password)")
        if has_password and self.smtp_user is None:
            problems.append("smtp_password_env / smtp_password need smtp_user")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def channels(self) -> list[str]:
        """The delivery channels configured: ``webhook`` and/or ``email``."""
        return [
            name
            for name, on in (("webhook", self.webhook_url), ("email", self.smtp_host))
            if on is not None
        ]


class Config(_Section):
    workspace: WorkspaceSettings = WorkspaceSettings()
    rfm: RfmSettings = RfmSettings()
    value: ValueSettings = ValueSettings()
    tiers: TierSettings = TierSettings()
    churn: ChurnSettings = ChurnSettings()
    campaigns: CampaignSettings = CampaignSettings()
    calendar: CalendarSettings = CalendarSettings()
    engine: EngineSettings = EngineSettings()
    points: PointsSettings = PointsSettings()
    ingest: IngestSettings = IngestSettings()
    voc: VocSettings = VocSettings()
    mapping: dict[str, dict[str, str]] = Field(default_factory=dict)
    targets: dict[str, TargetSettings] = Field(default_factory=dict)
    sources: dict[str, SourceSettings] = Field(default_factory=dict)
    alerts: AlertSettings = AlertSettings()

    @field_validator("mapping")
    @classmethod
    def _mapping_tables(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        problems = []
        for table, columns in value.items():
            if table not in TABLES:
                problems.append(f"unknown table '{table}' (tables: {', '.join(sorted(TABLES))})")
                continue
            names = TABLES[table].names
            for canonical in columns:
                if canonical not in names:
                    problems.append(
                        f"[mapping.{table}] '{canonical}' is not a column of {table} "
                        f"(columns: {', '.join(names)})"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("sources")
    @classmethod
    def _source_tables(cls, value: dict[str, SourceSettings]) -> dict[str, SourceSettings]:
        problems = []
        for table, source in value.items():
            if table not in TABLES:
                problems.append(
                    f"[sources.{table}]: unknown table '{table}' "
                    f"(tables: {', '.join(sorted(TABLES))})"
                )
                continue
            names = TABLES[table].names
            for canonical in source.mapping:
                if canonical not in names:
                    problems.append(
                        f"[sources.{table}] mapping '{canonical}' is not a column of {table} "
                        f"(columns: {', '.join(names)})"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return value


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: {error.error_count()} problem(s)"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"] if not str(part).startswith("function-"))
        # pydantic reports Literal choices as: Input should be 'zh' or 'en'
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            section = key.rsplit(".", 1)[0] if "." in key else ""
            allowed = _allowed_keys(section)
            message = f"unknown key; allowed keys here: {', '.join(allowed)}"
        value = item.get("input")
        shown = "" if isinstance(value, dict | list) or value is None else f" = {value!r}"
        lines.append(f"  {key or '(top level)'}{shown}: {message}")
    return "\n".join(lines)


def _allowed_keys(section: str) -> list[str]:
    import typing

    model: type[BaseModel] = Config
    parts = iter(section.split(".") if section else [])
    for part in parts:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
        if typing.get_origin(annotation) is dict:  # [sources.<table>], [targets.<metric>]
            annotation = typing.get_args(annotation)[1]
            next(parts, None)  # the entry's own name
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            break
    return sorted(model.model_fields)


def parse_config(data: dict[str, Any], path: Path = Path(CONFIG_FILE)) -> Config:
    """Validate a parsed TOML document; raise :class:`ConfigError` listing every problem."""
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_errors(path, error)) from None


def load_config(path: Path) -> Config:
    """Read and validate ``memberlens.toml``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path} not found: this directory is not a memberlens workspace. "
            f"Create one with 'memberlens init {path.parent}'."
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    config = parse_config(data, path)
    check_files(config, path)
    return config


def check_files(config: Config, path: Path) -> None:
    """Files the configuration names must exist (relative paths: beside ``path``)."""
    problems = []
    invitations = config.tiers.invitations
    if invitations is not None:
        file = path.parent / invitations
        if not file.is_file():
            problems.append(
                f"  tiers.invitations = {invitations!r}: no such file ({file.resolve()}); "
                "write the path of a CSV with member_id, tier, valid_from[, valid_to], "
                "relative to the workspace"
            )
    if problems:
        raise ConfigError("\n".join([f"{path}: {len(problems)} problem(s)", *problems]))


DEFAULT_CONFIG = """\
# memberlens workspace configuration — see docs/configuration.md
[workspace]
timezone = "Asia/Shanghai"   # business timezone; naive input timestamps are local times in it
currency = "CNY"
language = "{language}"              # zh | en: labels in CLI, reports and dashboard
point_value = 0.01           # currency value of one point

[rfm]
window_days = 365
threshold = "mean"           # mean | median | {{recency_days = .., frequency = .., monetary = ..}}
monetary = "total"           # total | average (average order value, as FineBI's RFM uses)

[value]
# window_days = 365          # spend window for value tiers (default: [rfm] window_days)
cut_by = "members"           # members | revenue (shares of buyers or of revenue) | spend (amounts)
high = 0.2                   # top 20 % of buyers by spend are high value,
medium = 0.3                 # the next 30 % medium, the rest low
loyalty_window_months = 6    # loyal: a paid order in at least loyal_min_months of the
loyal_min_months = 3         # last loyalty_window_months months (30-day blocks up to the date)

[tiers]
window_days = 365            # qualification: paid spend and orders in the trailing window
upgrade = "immediate"        # immediate (on the qualifying day) | evaluation (at evaluation dates)
evaluation = "month"         # month | quarter | year: downgrades are decided at each period end
protection_days = 0          # 保级: a tier reached (or re-qualified for) is kept this many days
# invitations = "invitations.csv"  # member_id, tier, valid_from[, valid_to]: invitation_only
[[tiers.levels]]             # lowest first; the first level has no thresholds
id = "normal"
name = "普通会员"
name_en = "Standard"
[[tiers.levels]]
id = "silver"
name = "银卡会员"
name_en = "Silver"
min_spend = 1000
min_orders = 3
earn_multiplier = 1.2
[[tiers.levels]]
id = "gold"
name = "金卡会员"
name_en = "Gold"
min_spend = 5000
min_orders = 10
earn_multiplier = 1.5
[[tiers.levels]]
id = "black"
name = "黑卡会员"
name_en = "Black"
min_spend = 20000
min_orders = 30
earn_multiplier = 2.0

[points]
earn_rate = 1.0              # points per currency unit of paid spend (× the tier's earn_multiplier)
expiry = "year_end_next"     # never | year_end_next (earned in Y lapse at the end of Y+1) | months
# expiry_months = 12         # with expiry = "months"

[churn]
inactive_days = 180

[campaigns]
attribution_days = 7         # an order within this many days of a campaign touch is attributed

[ingest]
decimal = "auto"             # auto | "." | ",": the decimal separator of numbers in text files
min_date = 1900-01-01        # dates and times outside [min_date, max_date] are quarantined
max_date = 2100-12-31

[engine]
backend = "duckdb"           # duckdb | pyspark
# memory_limit = "8GB"       # DuckDB's memory limit (it spills to disk past it; at least 64MB)
# lock_wait_seconds = 600    # how long a command waits for a running load (default: its end)
# spark_master = "local[*]"  # with backend = "pyspark", and one of:
# spark_database = "loyalty" #   a Spark catalog database holding the canonical tables
# spark_parquet = "parquet"  #   a folder of <table>.parquet ('memberlens export DIR'),
#                            #   or a URL Spark reads: "s3a://bucket/loyalty" (docs/scale.md)

# Targets: value = N, range = [LOW, HIGH], or history = "same_period" | "trailing"
[targets.repurchase_rate]
history = "same_period"      # mean ± 1 sd of the same period in the 3 earlier years
[targets.redemption_rate]
range = [0.40, 0.60]
[targets.nps]
value = 20
"""


def default_config_text(language: Literal["zh", "en"] = "zh") -> str:
    return DEFAULT_CONFIG.format(language=language)
