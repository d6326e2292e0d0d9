"""What an area's namespace needs of its workspace, as a protocol (so the namespaces do not
import the :class:`~memberlens.workspace.core.Workspace` that holds them)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from memberlens.config import Config
from memberlens.dates.periods import Period
from memberlens.engine.session import Session


class Host(Protocol):
    """The workspace as its namespaces see it."""

    root: Path
    config: Config

    @property
    def warehouse_path(self) -> Path: ...

    def session(self, language: str | None = None) -> AbstractContextManager[Session]: ...

    def language_config(self, language: str | None) -> Config: ...

    def resolve_period(self, session: Session, period: str | None) -> Period: ...
