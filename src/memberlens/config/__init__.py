"""Workspace configuration: ``memberlens.toml`` (DESIGN §3) as validated pydantic models.

An unknown key or a bad value is a :class:`~memberlens.errors.ConfigError` that lists every
problem with its key and the allowed values, not just the first one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    field_validator,
)

from memberlens.config.base import (
    CONFIG_FILE,
    MAX_AMOUNT,
    MAX_DAYS,
    MIN_MEMORY_BYTES,
    Amount,
    Count,
    Days,
    _Section,
    cores,
    engine_time_zones,
    parse_memory,
)
from memberlens.config.operations import (
    AlertSettings,
    EngineSettings,
    IngestSettings,
    SourceEncoding,
    SourceSettings,
    WorkspaceSettings,
)
from memberlens.config.program import (
    MAX_VOC_WORD_LENGTH,
    MAX_VOC_WORDS,
    THRESHOLDS,
    CalendarSettings,
    CampaignSettings,
    ChurnSettings,
    FixedThresholds,
    PointsSettings,
    RfmSettings,
    TargetSettings,
    TierLevel,
    TierSettings,
    ValueSettings,
    VocSettings,
)
from memberlens.errors import ConfigError
from memberlens.schema import TABLES


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
        _check_columns(value, "", "[mapping.{table}]")
        return value

    @field_validator("sources")
    @classmethod
    def _source_tables(cls, value: dict[str, SourceSettings]) -> dict[str, SourceSettings]:
        _check_columns(
            {table: source.mapping for table, source in value.items()},
            "[sources.{table}]: ",
            "[sources.{table}] mapping",
        )
        return value


def _check_columns(columns: Mapping[str, Iterable[str]], table_key: str, column_key: str) -> None:
    """Every table of ``columns`` a canonical table and every column one of its columns;
    else a ValueError naming each problem under its key (``{table}`` filled in)."""
    problems = []
    for table, wanted in columns.items():
        if table not in TABLES:
            problems.append(
                f"{table_key.format(table=table)}unknown table '{table}' "
                f"(tables: {', '.join(sorted(TABLES))})"
            )
            continue
        names = TABLES[table].names
        problems.extend(
            f"{column_key.format(table=table)} '{canonical}' is not a column of {table} "
            f"(columns: {', '.join(names)})"
            for canonical in wanted
            if canonical not in names
        )
    if problems:
        raise ValueError("; ".join(problems))


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


__all__ = [
    "CONFIG_FILE",
    "DEFAULT_CONFIG",
    "MAX_AMOUNT",
    "MAX_DAYS",
    "MAX_VOC_WORDS",
    "MAX_VOC_WORD_LENGTH",
    "MIN_MEMORY_BYTES",
    "THRESHOLDS",
    "AlertSettings",
    "Amount",
    "CalendarSettings",
    "CampaignSettings",
    "ChurnSettings",
    "Config",
    "Count",
    "Days",
    "EngineSettings",
    "FixedThresholds",
    "IngestSettings",
    "PointsSettings",
    "RfmSettings",
    "SourceEncoding",
    "SourceSettings",
    "TargetSettings",
    "TierLevel",
    "TierSettings",
    "ValueSettings",
    "VocSettings",
    "WorkspaceSettings",
    "check_files",
    "cores",
    "default_config_text",
    "engine_time_zones",
    "load_config",
    "parse_config",
    "parse_memory",
]
