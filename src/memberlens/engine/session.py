"""A typed session: the Ibis backend of one workspace with its config, folder and memo.

Every computation above the engine takes a :class:`Session` instead of a bare backend, so
what a query needs besides the tables (the configuration, files named in it relative to the
workspace, values already computed in the same call) travels explicitly, typed, and never
as attributes set on a library's object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memberlens.config import Config

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis.expr.types as ir
    import polars as pl
    import pyarrow as pa

#: Values computed within one call: (metric id, period) → value.
Memo = dict[tuple[str, str], Any]


@dataclass(frozen=True)
class Session:
    """One workspace's tables on one engine, for the duration of a call.

    ``backend`` is an Ibis backend (DuckDB or PySpark); ``root`` the workspace folder (files
    named in the config are relative to it); ``memo`` shares values inside
    ``Workspace.cached()`` blocks (None outside them).
    """

    backend: Any
    config: Config
    root: Path | None = None
    memo: Memo | None = field(default=None, compare=False)
    #: What the session learnt about the warehouse: table expressions by name (their schema
    #: is read once per session, not per query) and what callers keep under their own keys.
    known: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    #: False when expressions are only compiled, never run (``explain``): :meth:`kept` then
    #: returns the expression itself, so the SQL shown is whole and nothing is computed.
    keep: bool = field(default=True, compare=False)

    @property
    def engine(self) -> str:
        """The engine's name: ``duckdb`` or ``pyspark``."""
        return str(self.backend.name)

    @property
    def language(self) -> str:
        return self.config.workspace.language

    def table(self, name: str) -> ir.Table:
        """A canonical (or result) table of the warehouse, its schema read once per session
        (writers replace tables with the same columns, on connections of their own)."""
        key = ("table", name)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self.backend.table(name)
        return found

    def arrow(self, expression: ir.Expr) -> pa.Table:
        """Run ``expression``; its rows as an Arrow table."""
        return self._pyarrow(expression)

    def frame(self, expression: ir.Expr) -> pl.DataFrame:
        """Run ``expression``; its rows as a Polars frame."""
        import polars as pl

        frame = pl.from_arrow(self._pyarrow(expression))
        assert isinstance(frame, pl.DataFrame)
        return frame

    def rows(self, expression: ir.Expr) -> list[dict[str, Any]]:
        """Run ``expression``; its rows as dictionaries."""
        return self._pyarrow(expression).to_pylist()  # type: ignore[no-any-return]

    def scalar(self, expression: ir.Scalar) -> Any:
        """Run a scalar expression; its value as a Python object (through Arrow)."""
        return self._pyarrow(expression).as_py()

    def _pyarrow(self, expression: ir.Expr) -> Any:
        """The result of ``expression`` in Arrow: a table, a column or a scalar.

        On DuckDB the compiled SQL's Arrow result is mapped to the expression's types by
        Ibis's Arrow mapper, as ``to_pyarrow`` does, without the module of DuckDB converters
        that ``to_pyarrow`` imports: it also defines the pandas ones, so every command would
        import pandas (a third of a second at each start) for nothing. A result with a
        column of the null type goes through ``to_pyarrow`` itself (its converter makes that
        column)."""
        if self.engine != "duckdb":
            return self.backend.to_pyarrow(expression)
        table = expression.as_table()
        if any(t.is_null() for t in table.schema().types):
            return self.backend.to_pyarrow(expression)
        from ibis.formats.pyarrow import PyArrowData

        self.backend._run_pre_execute_hooks(expression)  # registers in-memory tables
        result = self.backend.con.sql(self._sql(table)).to_arrow_table()
        return expression.__pyarrow_result__(result, data_mapper=PyArrowData)

    def _sql(self, table: ir.Table) -> str:
        """The DuckDB SQL of ``table``: compiled by Ibis, or read from the workspace's cache
        of compiled SQL when an expression of the same structure was compiled before
        (:mod:`memberlens.engine.sqlcache`)."""
        from memberlens.engine import sqlcache

        key = None if self.root is None else sqlcache.fingerprint(table.op())
        if key is None or self.root is None:  # (root checked again for the type checker)
            return str(self.backend.compile(table))
        place = sqlcache.folder(self.root)
        sql = sqlcache.read(place, key)
        if sql is None:
            sql = str(self.backend.compile(table))
            sqlcache.write(place, key, sql)
        return sql

    def kept(self, key: Any, build: Callable[[], ir.Table]) -> ir.Table:
        """``build()``'s rows computed once in this session and kept for its later queries
        (a temporary table on DuckDB, gone with the connection): for an expensive table that
        several queries join, such as a split's member labels. On another engine the
        expression itself is returned and each query computes it."""
        if self.engine != "duckdb" or not self.keep:
            return build()
        found = self.known.get(("kept", key))
        if found is None:
            name = f"_kept_{sum(1 for k in self.known if k[0] == 'kept')}"
            found = self.known[("kept", key)] = self._temporary(name, build())
        return found

    def _temporary(self, name: str, table: ir.Table) -> ir.Table:
        """A temporary DuckDB table of ``table``'s rows, with its columns typed as Ibis would
        type them (``create_table(temp=True)``), its query's SQL through :meth:`_sql`."""
        schema = table.schema()
        if any(t.is_null() for t in schema.types):  # Ibis's own error names the columns
            return self.backend.create_table(name, table, temp=True)
        import sqlglot as sg

        dialect = self.backend.dialect
        quoted = sg.to_identifier(name, quoted=True).sql(dialect)
        columns = ", ".join(d.sql(dialect) for d in schema.to_sqlglot_column_defs(dialect))
        names = ", ".join(sg.to_identifier(c, quoted=True).sql(dialect) for c in schema.names)
        self.backend._run_pre_execute_hooks(table)
        con = self.backend.con
        con.execute(f"CREATE TEMPORARY TABLE {quoted} ({columns})")
        con.execute(f"INSERT INTO temp.main.{quoted} ({names}) {self._sql(table)}")
        return self.backend.table(name, database=("temp", "main"))

    def has_table(self, name: str) -> bool:
        """Whether the warehouse has table ``name`` (Ibis 12's list_tables fails on DuckDB 2)."""
        import duckdb

        con = getattr(self.backend, "con", None)
        if isinstance(con, duckdb.DuckDBPyConnection):
            sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
            return bool(con.execute(sql, [name]).fetchall()[0][0])
        return name in self.backend.list_tables()
