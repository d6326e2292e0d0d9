"""Write the rows of an Ibis expression to a file, by the engine where it can.

Per-member results run to millions of rows; DuckDB writes Parquet and CSV itself, straight
from the query, without handing the rows to Python first. Excel goes through Polars
(xlsxwriter), and is refused past a worksheet's row limit.

CSV files are written for people, so they start with a UTF-8 byte order mark by default:
without it Excel on Windows reads UTF-8 as the local code page and garbles 中文. ``bom=False``
leaves it out (for programs that do not expect one); CSV printed to stdout
(``--format csv``) never has one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from memberlens.engine.session import Session
from memberlens.errors import InputError
from memberlens.pii import safe_cell_expr, safe_cell_polars

if TYPE_CHECKING:
    import polars as pl

FORMATS = (".csv", ".xlsx", ".parquet")
EXCEL_MAX_ROWS = 1_048_575  # a worksheet holds 1 048 576 rows, one of them the header


BOM = b"\xef\xbb\xbf"  # the UTF-8 byte order mark


def write(session: Session, expression: Any, path: Path, *, bom: bool = True) -> int:
    """Write the rows of ``expression`` to ``path`` (.csv, .parquet or .xlsx); the row count.

    A .csv starts with a UTF-8 BOM unless ``bom`` is False."""
    suffix = check_suffix(path)
    if session.engine == "duckdb" and suffix != ".xlsx":
        import ibis

        if suffix == ".csv":  # a spreadsheet must not run a cell as a formula
            text = [c for c, dtype in expression.schema().items() if dtype.is_string()]
            if text:
                expression = expression.mutate(**{c: safe_cell_expr(expression[c]) for c in text})
        sql = ibis.to_sql(expression, dialect="duckdb")
        options = "FORMAT parquet" if suffix == ".parquet" else "FORMAT csv, HEADER"
        copy = path.with_name(f".{path.name}.part") if suffix == ".csv" and bom else path
        target = str(copy).replace("'", "''")
        row = session.backend.con.execute(f"COPY ({sql}) TO '{target}' ({options})").fetchone()
        if copy != path:
            _prepend_bom(copy, path)
        return int(row[0]) if row else 0  # COPY answers with the number of rows written
    import polars as pl

    frame = pl.from_arrow(session.arrow(expression))
    assert isinstance(frame, pl.DataFrame)
    return write_frame(frame, path)


def _prepend_bom(source: Path, path: Path) -> None:
    """Write the BOM and then ``source``'s bytes to ``path`` (streamed), removing ``source``."""
    import shutil

    try:
        with source.open("rb") as data, path.open("wb") as out:
            out.write(BOM)
            shutil.copyfileobj(data, out, 1 << 20)
    finally:
        source.unlink(missing_ok=True)


def check_suffix(path: Path) -> str:
    """The lower-case suffix of ``path`` when memberlens can write it there, else an error
    (an unknown suffix, or a folder that does not exist: every writer calls this first)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"Cannot write '{suffix or path.name}' files. Use {', '.join(FORMATS)}, "
            "e.g. output.xlsx.",
            parameter="output",
            value=str(path),
        )
    check_folder(path)
    return suffix


def check_folder(path: Path) -> None:
    """Refuse ``path`` when its folder does not exist (or is a file), naming the folder and
    the fix; memberlens does not create folders on its own."""
    folder = path.parent
    if folder.is_dir():
        return
    if folder.exists():
        problem = f"'{folder}' is a file, not a folder"
        fix = "choose a path inside a folder"
    else:
        problem = f"the folder '{folder}' does not exist"
        fix = f"create it first (mkdir -p '{folder}') or choose an existing folder"
    raise InputError(
        f"Cannot write '{path}': {problem}; {fix}.",
        parameter="output",
        value=str(path),
    )


def write_frame(
    frame: pl.DataFrame, path: Path, *, bom: bool = True, sheet: str | None = None
) -> int:
    """Write ``frame`` to .csv (with a UTF-8 BOM unless ``bom`` is False, so Excel reads
    中文), .parquet or .xlsx, by the suffix; text that a spreadsheet would run as a formula is
    neutralised in .csv and .xlsx (:func:`memberlens.pii.safe_cell`, vectorised). Returns the
    row count."""
    import polars as pl

    suffix = check_suffix(path)
    if suffix == ".xlsx" and frame.height > EXCEL_MAX_ROWS:
        raise InputError(
            f"{frame.height:,} rows do not fit in an Excel sheet ({EXCEL_MAX_ROWS:,} at most); "
            f"write {path.with_suffix('.csv').name} or .parquet instead.",
            parameter="output",
            value=str(path),
        )
    if suffix == ".parquet":
        frame.write_parquet(path)
        return frame.height
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    safe = frame.with_columns(safe_cell_polars(c) for c in text)
    if suffix == ".csv":
        safe.write_csv(path, include_bom=bom)
    else:
        safe.write_excel(path, worksheet=sheet, autofit=True)
    return frame.height
