"""How the workspace runs: the workspace, ingest, engine, sources and alert delivery sections."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from memberlens.config.base import (
    MAX_AMOUNT,
    _Section,
    cores,
    engine_time_zones,
    parse_memory,
)


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
