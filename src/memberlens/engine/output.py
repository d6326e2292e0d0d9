"""Write the rows of an Ibis expression to a file, by the engine where it can.

Per-member results run to millions of rows; DuckDB writes Parquet and CSV itself, straight
from the query, without handing the rows to Python first. Excel goes through Polars
(xlsxwriter), and is refused past a worksheet's row limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from memberlens.errors import InputError

FORMATS = (".csv", ".parquet", ".xlsx")
EXCEL_MAX_ROWS = 1_048_575  # a worksheet holds 1 048 576 rows, one of them the header


def write(backend: Any, expression: Any, path: Path) -> int:
    """Write the rows of ``expression`` to ``path`` (.csv, .parquet or .xlsx); the row count."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"Cannot write '{suffix or path.name}'. Use .csv, .parquet or .xlsx.")
    if backend.name == "duckdb" and suffix != ".xlsx":
        import ibis

        sql = ibis.to_sql(expression, dialect="duckdb")
        options = "FORMAT parquet" if suffix == ".parquet" else "FORMAT csv, HEADER"
        target = str(path).replace("'", "''")
        row = backend.con.execute(f"COPY ({sql}) TO '{target}' ({options})").fetchone()
        return int(row[0]) if row else 0  # COPY answers with the number of rows written
    import polars as pl

    frame = pl.from_arrow(backend.to_pyarrow(expression))
    assert isinstance(frame, pl.DataFrame)
    if suffix == ".xlsx" and frame.height > EXCEL_MAX_ROWS:
        raise InputError(
            f"{frame.height:,} rows do not fit an Excel worksheet ({EXCEL_MAX_ROWS:,} at most); "
            "write .csv or .parquet instead."
        )
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_excel(path, autofit=True)
    return frame.height
