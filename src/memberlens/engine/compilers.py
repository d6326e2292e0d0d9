"""Ibis's SQL compilers loaded one at a time.

Ibis 12's ``ibis.backends.sql.compilers`` package imports the compiler of every SQL dialect
it knows (Athena, BigQuery, Trino … twenty of them, with their sqlglot dialects) when any
one is asked for: about 0.2 s of every command's start, though memberlens compiles for
DuckDB and, with ``[engine] backend = "pyspark"``, for Spark only.

:func:`install` puts a stand-in for that package into ``sys.modules`` before Ibis loads
it: the same folder (so ``import ibis.backends.sql.compilers.duckdb`` finds the real
module), whose attributes load on first access — a submodule by its name
(``compilers.duckdb``), a compiler class by its module (``DuckDBCompiler`` from
``compilers.duckdb``). Any other name runs the package's own ``__init__`` in the stand-in,
so code that reads it otherwise sees exactly what Ibis defines. Nothing changes when Ibis
is missing, has already loaded the package, or lays its files out differently.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

PACKAGE = "ibis.backends.sql.compilers"

# compiler class → its module in the package (the two memberlens uses)
CLASSES = {"DuckDBCompiler": "duckdb", "PySparkCompiler": "pyspark"}


def install() -> bool:
    """Put the stand-in in place; True when it was installed now."""
    if PACKAGE in sys.modules:
        return False
    spec = importlib.util.find_spec("ibis")  # finds the folder; imports nothing
    if spec is None or not spec.submodule_search_locations:
        return False
    folder = Path(next(iter(spec.submodule_search_locations))) / "backends" / "sql" / "compilers"
    expected = ("__init__", "base", *CLASSES.values())
    if not all((folder / f"{name}.py").is_file() for name in expected):
        return False
    module = types.ModuleType(PACKAGE)
    module.__file__ = str(folder / "__init__.py")
    module.__path__ = [str(folder)]
    module.__package__ = PACKAGE
    module.__getattr__ = _loader(module, folder)  # type: ignore[method-assign]
    sys.modules[PACKAGE] = module
    return True


def _loader(module: types.ModuleType, folder: Path) -> Any:
    def load(name: str) -> Any:
        if name in CLASSES:
            return getattr(importlib.import_module(f"{PACKAGE}.{CLASSES[name]}"), name)
        if not name.startswith("__") and (folder / f"{name}.py").is_file():
            return importlib.import_module(f"{PACKAGE}.{name}")
        if not module.__dict__.get("_whole"):
            module.__dict__["_whole"] = True
            path = module.__file__ or ""
            code = compile(Path(path).read_text("utf-8"), path, "exec")
            exec(code, module.__dict__)  # the package's own __init__, as Ibis wrote it
            if name in module.__dict__:
                return module.__dict__[name]
        raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")

    return load
