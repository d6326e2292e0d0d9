"""Model results kept in the warehouse: per-member CLV and churn scores.

They are not canonical tables (DESIGN §4): each is replaced whole by the command that
computes it (``memberlens clv --save``, ``memberlens churn``), inside one transaction on a
brief write connection, and read by the member profile and the ``churn_risk`` dimension.
Tables created here need no schema migration: an older warehouse simply has none yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

CLV_TABLE = "clv_scores"
CHURN_TABLE = "churn_scores"


def replace_table(warehouse: Path, name: str, frame: pl.DataFrame) -> None:
    """CREATE OR REPLACE ``name`` with the rows of ``frame`` (one transaction)."""
    from memberlens.engine.warehouse import connect, quote

    staged = f"_{name}_new"
    with connect(warehouse, read_only=False) as con:
        con.register(staged, frame.to_arrow())
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM {quote(staged)}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister(staged)
