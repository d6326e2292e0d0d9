"""The SQL each metric compiles to, per engine, kept as snapshot files beside the tests.

    uv run python -m memberlens.metrics.snapshots      # rewrite tests/metrics/snapshots/

Compilation needs no database: the canonical tables are unbound Ibis tables built from the
schema (DESIGN §4), so a change to a definition shows up as a reviewable diff of SQL for
DuckDB and for Spark.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ibis
import ibis.expr.types as ir

from memberlens.config import Config
from memberlens.dates.periods import parse_period
from memberlens.engine.session import Session
from memberlens.metrics.compute import DEFINITIONS
from memberlens.metrics.scope import Scope
from memberlens.schema import TABLES, Kind

DIALECTS = ("duckdb", "pyspark")
PERIOD = "2025-03"
IBIS_TYPES = {
    Kind.KEY: "string",
    Kind.TEXT: "string",
    Kind.LABEL: "string",
    Kind.ENUM: "string",
    Kind.JSON: "string",
    Kind.TIMESTAMP: "timestamp",
    Kind.DATE: "date",
    Kind.MONEY: "decimal(18, 4)",
    Kind.INTEGER: "int64",
    Kind.NUMBER: "float64",
}


class Unbound:
    """Stands in for a backend: ``table(name)`` gives the canonical table, unbound."""

    def table(self, name: str) -> ir.Table:
        spec = TABLES[name]
        return ibis.table({c.name: IBIS_TYPES[c.kind] for c in spec.columns}, name=name)


def compile_sql(metric: str, dialect: str) -> str:
    if dialect == "pyspark":
        getattr(ibis, "pyspark")  # noqa: B009  (loading the backend registers its options)
    scope = Scope(Session(Unbound(), Config()), parse_period(PERIOD))
    return str(ibis.to_sql(DEFINITIONS[metric](scope), dialect=dialect)).strip() + "\n"


def snapshot_path(root: Path, dialect: str, metric: str) -> Path:
    return root / dialect / f"{metric}.sql"


def write(root: Path) -> int:
    count = 0
    for dialect in DIALECTS:
        (root / dialect).mkdir(parents=True, exist_ok=True)
        for metric in DEFINITIONS:
            snapshot_path(root, dialect, metric).write_text(compile_sql(metric, dialect), "utf-8")
            count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    root = Path(args[0]) if args else Path("tests/metrics/snapshots")
    print(f"wrote {write(root)} SQL snapshots to {root}")


if __name__ == "__main__":
    main()
