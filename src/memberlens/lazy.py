"""Packages export their public names lazily: ``import memberlens.metrics`` stays cheap (the
command line starts fast), and a name's module loads on first use.

>>> names = {"Session": "memberlens.engine.session"}
>>> __getattr__, __dir__ = exports(__name__, names)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(
    package: str, names: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` that load each of ``names`` (name → module)
    from its module on first access."""

    def getattr_(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def dir_() -> list[str]:
        return sorted(names)

    return getattr_, dir_
