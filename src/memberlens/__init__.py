"""memberlens: membership and loyalty-program analytics.

>>> import memberlens as ml
>>> ws = ml.init("shop")                 # doctest: +SKIP
>>> ws.ingest("orders", "orders.csv")      # doctest: +SKIP
>>> ws.metrics(["repurchase_rate"], period="2025-03")  # doctest: +SKIP

Heavy modules (DuckDB, pydantic, Ibis) load on first use, so the command line starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from memberlens.engine import compilers
from memberlens.errors import (
    ConfigError,
    InputError,
    MemberlensError,
    SourceError,
    WarehouseBusyError,
    WorkspaceError,
)

compilers.install()  # Ibis's compilers one at a time: only DuckDB's (and Spark's) load

if TYPE_CHECKING:
    from memberlens.workspace import Workspace, init, open

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "InputError",
    "MemberlensError",
    "SourceError",
    "WarehouseBusyError",
    "Workspace",
    "WorkspaceError",
    "__version__",
    "init",
    "open",
]

_LAZY = {"Workspace", "init", "open"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from memberlens import workspace

        return getattr(workspace, name)
    raise AttributeError(f"module 'memberlens' has no attribute {name!r}")
