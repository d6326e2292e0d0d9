"""Workspace configuration: ``memberlens.toml`` (DESIGN §3) as validated pydantic models.

An unknown key or a bad value is a :class:`~memberlens.errors.ConfigError` that lists every
problem with its key and the allowed values, not just the first one.
"""

from __future__ import annotations

import tomllib
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from memberlens.errors import ConfigError
from memberlens.schema import TABLES

CONFIG_FILE = "memberlens.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkspaceSettings(_Section):
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    language: Literal["zh", "en"] = "zh"
    point_value: Annotated[float, Field(gt=0)] = 0.01

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as 'Asia/Shanghai'"
            ) from None
        return value


class FixedThresholds(_Section):
    recency_days: Annotated[float, Field(ge=0)]
    frequency: Annotated[float, Field(ge=0)]
    monetary: Annotated[float, Field(ge=0)]


class RfmSettings(_Section):
    window_days: Annotated[int, Field(gt=0)] = 365
    threshold: Literal["mean", "median"] | FixedThresholds = "mean"
    monetary: Literal["total", "average"] = "total"


class TierLevel(_Section):
    id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    min_spend: Annotated[float, Field(ge=0)] | None = None
    min_orders: Annotated[int, Field(ge=0)] | None = None
    earn_multiplier: Annotated[float, Field(gt=0)] = 1.0

    @property
    def has_thresholds(self) -> bool:
        return self.min_spend is not None or self.min_orders is not None


class TierSettings(_Section):
    window_days: Annotated[int, Field(gt=0)] = 365
    levels: list[TierLevel] = Field(
        default_factory=lambda: [
            TierLevel(id="normal", name="普通会员"),
            TierLevel(
                id="silver", name="银卡会员", min_spend=1000, min_orders=3, earn_multiplier=1.2
            ),
            TierLevel(
                id="gold", name="金卡会员", min_spend=5000, min_orders=10, earn_multiplier=1.5
            ),
            TierLevel(
                id="black", name="黑卡会员", min_spend=20000, min_orders=30, earn_multiplier=2.0
            ),
        ]
    )

    @model_validator(mode="after")
    def _ladder(self) -> TierSettings:
        problems = []
        if not self.levels:
            problems.append("the ladder needs at least one level (the base level)")
        elif self.levels[0].has_thresholds:
            problems.append(
                f"level '{self.levels[0].id}' is the base level (listed first) and must have "
                "no thresholds"
            )
        ids = [level.id for level in self.levels]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"level id '{dup}' is used twice")
        for level in self.levels[1:]:
            if not level.has_thresholds:
                problems.append(f"level '{level.id}' has no threshold (min_spend or min_orders)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ChurnSettings(_Section):
    inactive_days: Annotated[int, Field(gt=0)] = 180


class CampaignSettings(_Section):
    attribution_days: Annotated[int, Field(gt=0)] = 7  # a touched member's order counts this long


class TargetSettings(_Section):
    """One ``[targets.<metric>]`` entry: exactly one of value, range or history."""

    value: float | None = None
    range: tuple[float, float] | None = None
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
    threads: Annotated[int, Field(gt=0)] | None = None

    def duckdb_settings(self) -> dict[str, str | int]:
        """The DuckDB connection settings these options ask for (none by default)."""
        settings: dict[str, str | int] = {}
        if self.memory_limit:
            settings["memory_limit"] = self.memory_limit
        if self.threads:
            settings["threads"] = self.threads
        return settings


class Config(_Section):
    workspace: WorkspaceSettings = WorkspaceSettings()
    rfm: RfmSettings = RfmSettings()
    tiers: TierSettings = TierSettings()
    churn: ChurnSettings = ChurnSettings()
    campaigns: CampaignSettings = CampaignSettings()
    engine: EngineSettings = EngineSettings()
    mapping: dict[str, dict[str, str]] = Field(default_factory=dict)
    targets: dict[str, TargetSettings] = Field(default_factory=dict)

    @field_validator("targets")
    @classmethod
    def _target_metrics(cls, value: dict[str, TargetSettings]) -> dict[str, TargetSettings]:
        from memberlens.errors import did_you_mean
        from memberlens.metrics.catalog import CATALOG

        unknown = [m for m in value if m not in CATALOG]
        if unknown:
            raise ValueError(
                "; ".join(
                    f"[targets.{m}]: unknown metric '{m}'.{did_you_mean(m, CATALOG)} "
                    "See 'memberlens metrics list'"
                    for m in unknown
                )
            )
        return value

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
    model: type[BaseModel] = Config
    for part in section.split(".") if section else []:
        field = model.model_fields.get(part)
        annotation = getattr(field, "annotation", None)
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
    return parse_config(data, path)


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

[tiers]
window_days = 365            # qualification: paid spend and orders in the trailing window
[[tiers.levels]]             # lowest first; the first level has no thresholds
id = "normal"
name = "普通会员"
[[tiers.levels]]
id = "silver"
name = "银卡会员"
min_spend = 1000
min_orders = 3
earn_multiplier = 1.2
[[tiers.levels]]
id = "gold"
name = "金卡会员"
min_spend = 5000
min_orders = 10
earn_multiplier = 1.5
[[tiers.levels]]
id = "black"
name = "黑卡会员"
min_spend = 20000
min_orders = 30
earn_multiplier = 2.0

[churn]
inactive_days = 180

[campaigns]
attribution_days = 7         # an order within this many days of a campaign touch is attributed

[engine]
backend = "duckdb"           # duckdb | pyspark

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
