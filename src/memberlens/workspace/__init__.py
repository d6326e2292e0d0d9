"""The Python API: a :class:`Workspace` (DESIGN §3, §9) with one namespace per area.

>>> import memberlens as ml
>>> ws = ml.open("shop")                                  # doctest: +SKIP
>>> ws.metrics(["repurchase_rate"], period="2025-03")     # doctest: +SKIP
>>> ws.points.breakage("2025-12-31")                      # doctest: +SKIP

* :mod:`.core` — opening, the engine session, ingest, metrics and summaries;
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
        load_dimensions,
        load_member_features,
        load_metrics,
        open,
    )

__all__ = [
    "ENV_VAR",
    "Workspace",
    "init",
    "load_dimensions",
    "load_member_features",
    "load_metrics",
    "open",
]

# importing a submodule (workspace.parse) must not load the engine and the config
__getattr__, __dir__ = exports(__name__, dict.fromkeys(__all__, "memberlens.workspace.core"))
