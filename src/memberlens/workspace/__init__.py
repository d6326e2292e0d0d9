"""The Python API: a :class:`Workspace` (DESIGN §3, §9) with one namespace per area.

>>> import memberlens as ml
>>> ws = ml.open("shop")                                  # doctest: +SKIP
>>> ws.metrics(["repurchase_rate"], period="2025-03")     # doctest: +SKIP
>>> ws.points.breakage("2025-12-31")                      # doctest: +SKIP

* :mod:`.core` — opening, the engine session, ingest, metrics and summaries;
* :mod:`.registry` — what areas register into the layers below (metrics, dimensions);
* :mod:`.segments` (``ws.segments``), :mod:`.program` (``ws.program``), :mod:`.points`
  (``ws.points``), :mod:`.models` (``ws.models``), :mod:`.analyses` (``ws.analyses``).
"""

from typing import TYPE_CHECKING

from memberlens.lazy import exports

if TYPE_CHECKING:
    from memberlens.workspace.core import (
        ENV_VAR,
        Workspace,
        init,
        open,
    )
    from memberlens.workspace.registry import (
        load_catalog,
        load_dimensions,
        load_member_features,
        load_metrics,
    )

__all__ = [
    "ENV_VAR",
    "Workspace",
    "init",
    "load_catalog",
    "load_dimensions",
    "load_member_features",
    "load_metrics",
    "open",
]

# importing a submodule (workspace.parse) must not load the engine and the config
_REGISTRY = ("load_catalog", "load_dimensions", "load_member_features", "load_metrics")
__getattr__, __dir__ = exports(
    __name__,
    {
        name: "memberlens.workspace.registry" if name in _REGISTRY else "memberlens.workspace.core"
        for name in __all__
    },
)
