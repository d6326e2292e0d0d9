"""Readers that turn a source (CSV/TSV, Excel, Parquet, a database) into Arrow batches.

Every batch carries a ``_row`` column so a quarantined record can be found again:

* CSV/TSV and Excel: the row as a spreadsheet shows it — the header is row 1, the first
  record row 2. In CSV a record with quoted line breaks counts as one row and blank lines
  are not rows (the same numbering pyarrow uses when it reports a malformed row).
* Parquet and databases: the 1-based record number.

CSV and Excel values are read as text so that a bad value is quarantined with its reason
instead of failing the file; Parquet keeps its types. Readers never hold more than one batch.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from memberlens.errors import InputError, SourceError
from memberlens.ingest.encoding import resolve_encoding

ROW = "_row"
BATCH_ROWS = 1 << 20
MAX_BLOCK = 1 << 30  # the largest CSV record (and header block) read: 1 GB

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
PARQUET_SUFFIXES = (".parquet", ".pq")
FILE_TYPES = CSV_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES


@dataclass
class Malformed:
    """A record the reader could not split into the header's columns."""

    row: int | None
    reason: str
    text: str


@dataclass
class Source(ABC):
    """A readable source; ``batches`` yields (batch with ``_row``, progress units done)."""

    location: str
    columns: list[str] = field(default_factory=list)
    total: int | None = None
    unit: str = "rows"
    malformed: list[Malformed] = field(default_factory=list)

    @abstractmethod
    def batches(self) -> Iterator[tuple[pa.Table, int]]: ...

    @property
    def detail(self) -> str:
        return ""


def _with_rows(table: pa.Table, rows: np.ndarray) -> pa.Table:
    return table.append_column(ROW, pa.array(rows, type=pa.int64()))


class _CountingFile(io.RawIOBase):
    """A binary file that counts the bytes read, for byte-based progress."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("rb")
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._handle.readinto(buffer)
        self.done += n or 0
        return n or 0

    def close(self) -> None:
        self._handle.close()
        super().close()


def _sniff_delimiter(header: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    counts = {d: header.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class CsvSource(Source):
    path: Path = Path()
    encoding: str = "utf-8"
    delimiter: str = ","
    unit: str = "bytes"

    @classmethod
    def open(cls, path: Path, encoding: str) -> CsvSource:
        codec = resolve_encoding(path, encoding)
        if path.stat().st_size == 0:
            raise SourceError(f"{path} is empty: it has no header row.")
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
        try:
            first_line = head.decode(codec, errors="replace").lstrip("\ufeff").splitlines()[0]
        except IndexError:
            raise SourceError(f"{path} is empty: it has no header row.") from None
        if not first_line.strip():
            raise SourceError(
                f"{path} starts with a blank line: the first line must be the header."
            )
        source = cls(
            location=str(path.resolve()),
            path=path,
            encoding="utf8" if codec in ("utf-8", "utf-8-sig") else codec,
            delimiter=_sniff_delimiter(first_line, path.suffix.lower()),
            total=path.stat().st_size,
        )
        source.columns = source._header()
        return source

    @property
    def detail(self) -> str:
        names = {"utf8": "UTF-8", "gb18030": "GB18030 (GBK)", "utf-16": "UTF-16"}
        return f"encoding {names.get(self.encoding, self.encoding)}"

    def _options(self, names: list[str] | None) -> tuple[Any, Any, Any]:
        import pyarrow.csv as csv

        read = csv.ReadOptions(encoding=self.encoding, use_threads=False, block_size=16 << 20)
        parse = csv.ParseOptions(
            delimiter=self.delimiter,
            newlines_in_values=True,
            invalid_row_handler=self._invalid_row,
        )
        convert = csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()) if names else None,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        return read, parse, convert

    def _invalid_row(self, row: Any) -> str:
        self.malformed.append(
            Malformed(
                row.number,
                f"row has {row.actual_columns} fields, the header has {row.expected_columns}",
                row.text,
            )
        )
        return "skip"

    def _header(self) -> list[str]:
        import pyarrow.csv as csv

        read, parse, convert = self._options(None)
        read.block_size = 1 << 16
        while True:  # a block must hold whole records: grow it past a huge first field
            try:
                with csv.open_csv(
                    self.path, read_options=read, parse_options=parse, convert_options=convert
                ) as reader:
                    names: list[str] = reader.schema.names
                break
            except pa.ArrowInvalid as error:
                if "straddling" in str(error) and read.block_size < MAX_BLOCK:
                    read.block_size *= 8
                    continue
                raise SourceError(f"{self.path}: cannot read the header: {error}") from None
            except UnicodeDecodeError as error:
                raise SourceError(f"{self.path}: cannot read the header: {error}") from None
        self.malformed.clear()
        return names

    def batches(self) -> Iterator[tuple[pa.Table, int]]:
        import pyarrow.csv as csv

        read, parse, convert = self._options(self.columns)
        counting = _CountingFile(self.path)
        good = 0  # records yielded so far
        try:
            reader = csv.open_csv(
                io.BufferedReader(counting, 1 << 20),
                read_options=read,
                parse_options=parse,
                convert_options=convert,
            )
            for batch in reader:
                rows = self._row_numbers(good, batch.num_rows)
                good += batch.num_rows
                yield _with_rows(pa.Table.from_batches([batch]), rows), counting.done
        except UnicodeDecodeError as error:
            raise SourceError(
                f"{self.path} is not valid {self.encoding} near byte {counting.done}: {error}. "
                "Pass --encoding with the file's real encoding (utf-8, gbk, gb18030)."
            ) from None
        except pa.ArrowInvalid as error:
            if "straddling" in str(error):
                raise SourceError(
                    f"{self.path}: a record is larger than {read.block_size >> 20} MB "
                    "(a field with an unclosed quote, or a huge value); nothing was loaded."
                ) from None
            raise SourceError(f"{self.path}: cannot parse as CSV: {error}") from None
        finally:
            counting.close()

    def _row_numbers(self, first: int, count: int) -> np.ndarray:
        """Row numbers of good records ``first .. first+count-1`` (0-based ordinals).

        Rows are numbered from 2 (the header is 1) and malformed rows take their numbers, so
        the k-th good record is the k-th number not taken by a malformed row.
        """
        ordinals = np.arange(first, first + count, dtype=np.int64)
        taken = np.array(sorted(m.row for m in self.malformed if m.row is not None), np.int64)
        if taken.size == 0:
            return ordinals + 2
        good_before = taken - 2 - np.arange(taken.size)  # good records before each malformed
        return ordinals + 2 + np.searchsorted(good_before, ordinals, side="right")


@dataclass
class ExcelSource(Source):
    path: Path = Path()
    sheet: str | int = 0
    data: pa.Table = field(default_factory=lambda: pa.table({}), repr=False)

    @classmethod
    def open(cls, path: Path, sheet: str | int = 0) -> ExcelSource:
        source = cls(location=str(path.resolve()), path=path, sheet=sheet)
        source.data = source._load()
        source.columns = source.data.column_names
        source.total = source.data.num_rows
        return source

    def _load(self) -> pa.Table:
        import fastexcel

        try:
            reader = fastexcel.read_excel(self.path)
            sheets = reader.sheet_names
            if isinstance(self.sheet, str) and self.sheet not in sheets:
                raise SourceError(
                    f"{self.path} has no sheet '{self.sheet}'. Sheets: {', '.join(sheets)}."
                )
            sheet = reader.load_sheet(self.sheet, dtypes="string")
            table = pa.Table.from_batches([sheet.to_arrow()])
        except SourceError:
            raise
        except Exception as error:  # fastexcel raises its own error types
            raise SourceError(f"{self.path}: cannot read as an Excel workbook: {error}") from None
        if table.num_columns == 0:
            raise SourceError(f"{self.path}: the sheet is empty: it has no header row.")
        return table

    def batches(self) -> Iterator[tuple[pa.Table, int]]:
        import pyarrow.compute as pc

        table = self.data
        rows = np.arange(2, table.num_rows + 2, dtype=np.int64)
        # rows with no value in any cell are spreadsheet padding, not records
        blank = pa.array(np.ones(table.num_rows, dtype=bool))
        for column in table.columns:
            empty = pc.equal(pc.utf8_trim_whitespace(column), "")
            blank = pc.and_(blank, pc.fill_null(empty, True))
        table = _with_rows(table, rows).filter(pc.invert(blank))
        for offset in range(0, table.num_rows, BATCH_ROWS):
            yield table.slice(offset, BATCH_ROWS), min(offset + BATCH_ROWS, table.num_rows)


@dataclass
class ParquetSource(Source):
    path: Path = Path()

    @classmethod
    def open(cls, path: Path) -> ParquetSource:
        import pyarrow.parquet as pq

        try:
            file = pq.ParquetFile(path)
            meta, schema = file.metadata, file.schema_arrow
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as error:
            raise SourceError(f"{path}: cannot read as Parquet: {error}") from None
        source = cls(location=str(path.resolve()), path=path, total=meta.num_rows)
        # top-level columns (a nested column is one name here, not its leaves)
        source.columns = list(schema.names)
        return source

    def batches(self) -> Iterator[tuple[pa.Table, int]]:
        import pyarrow.parquet as pq

        done = 0
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=BATCH_ROWS):
            rows = np.arange(done + 1, done + 1 + batch.num_rows, dtype=np.int64)
            done += batch.num_rows
            yield _with_rows(pa.Table.from_batches([batch]), rows), done


@dataclass
class SqlSource(Source):
    """A database table or query through SQLAlchemy; values are read as text."""

    url: str = ""
    query: str = ""  # the SQL run: --query as written, or SELECT * FROM "quoted table"

    @classmethod
    def open(cls, url: str, table: str | None, query: str | None) -> SqlSource:
        if bool(table) == bool(query):
            raise SourceError(
                f"A database source needs exactly one of --table NAME or --query SQL (got {url})."
            )
        source = cls(location=_redact(url), url=url)
        _check_sqlite_file(url, source.location)
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        with source._connect() as con:
            # --table is an identifier, quoted by the database's own rules (never pasted);
            # --query is SQL run as written: it is the user's own statement
            source.query = query or f"SELECT * FROM {_table_sql(con, table or '', source)}"
            try:
                result = con.execute(text(f"SELECT * FROM ({source.query}) AS q WHERE 1 = 0"))
            except SQLAlchemyError as error:
                raise SourceError(
                    f"{source.location}: the query failed: {_first_line(error)}"
                ) from None
            source.columns = list(result.keys())
        return source

    def _connect(self) -> Any:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import SQLAlchemyError

        url = with_driver(self.url)
        try:
            return create_engine(url).connect()
        except ImportError as error:
            raise missing_driver(self.location, url, error) from None
        except (SQLAlchemyError, ValueError) as error:
            raise SourceError(f"Cannot connect to {self.location}: {_first_line(error)}") from None

    def batches(self) -> Iterator[tuple[pa.Table, int]]:
        from sqlalchemy import text
        from sqlalchemy.exc import SQLAlchemyError

        done = 0
        with self._connect() as con:
            try:
                result = con.execution_options(stream_results=True).execute(text(self.query))
                while rows := result.fetchmany(100_000):
                    columns = list(zip(*rows, strict=True))
                    arrays = [pa.array([_text(v) for v in col], pa.string()) for col in columns]
                    table = pa.Table.from_arrays(arrays, names=self.columns)
                    numbers = np.arange(done + 1, done + 1 + len(rows), dtype=np.int64)
                    done += len(rows)
                    yield _with_rows(table, numbers), done
            except SQLAlchemyError as error:
                raise SourceError(
                    f"{self.location}: the query failed: {_first_line(error)}"
                ) from None


def _first_line(error: BaseException) -> str:
    """A driver error without SQLAlchemy's echo of the statement and its background link."""
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


#: URL scheme without a driver → the driver memberlens installs for it (its optional
#: extra): ``postgresql://`` is read with psycopg 3, ``mysql://`` with PyMySQL.
DRIVERS = {
    "postgresql": ("postgresql+psycopg", "postgres"),
    "postgres": ("postgresql+psycopg", "postgres"),
    "mysql": ("mysql+pymysql", "mysql"),
}
#: The Python module of a driver → the extra that installs it.
DRIVER_EXTRAS = {
    "psycopg": "postgres",
    "psycopg2": "postgres",
    "pymysql": "mysql",
    "MySQLdb": "mysql",
}


def with_driver(url: str) -> str:
    """``postgresql://…`` → ``postgresql+psycopg://…`` and ``mysql://…`` →
    ``mysql+pymysql://…`` (the drivers of the extras); a URL naming its driver is kept."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in DRIVERS:
        return f"{DRIVERS[scheme.lower()][0]}://{rest}"
    return url


def missing_driver(location: str, url: str, error: ImportError) -> InputError:
    """The error for a database URL whose driver is not installed, with the install line."""
    module = (error.name or "").split(".")[0]
    scheme = url.partition("://")[0].split("+")[0].lower()
    extra = DRIVER_EXTRAS.get(module) or DRIVERS.get(scheme, ("", ""))[1]
    install = (
        f"pip install 'memberlens[{extra}]'"
        if extra
        else f"pip install {module or 'the database driver'}"
    )
    return InputError(
        f"{location}: the database driver {module or scheme!r} is not installed. "
        f"Install it with: {install} (or uv sync --extra {extra or '…'}).",
        parameter="source",
        value=location,
    )


def _check_sqlite_file(url: str, location: str) -> None:
    """A SQLite URL must name an existing file: connecting would create an empty one."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise SourceError(f"{location} is not a database URL: {error}") from None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    if database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise SourceError(
            f"{location}: no SQLite database file {Path(database).resolve()} (nothing was "
            "created). Check the path: sqlite:///relative.db or sqlite:////absolute.db."
        )


def _table_sql(con: Any, table: str, source: SqlSource) -> str:
    """``table`` (or ``schema.table``) quoted as an identifier; it must exist."""
    from sqlalchemy import inspect

    from memberlens.errors import did_you_mean

    schema, _, name = table.rpartition(".")
    inspector = inspect(con)
    try:
        names = inspector.get_table_names(schema=schema or None)
        names += inspector.get_view_names(schema=schema or None)
    except Exception as error:  # drivers raise their own types for an unknown schema
        raise SourceError(
            f"{source.location}: cannot list the tables of schema '{schema}': {_first_line(error)}"
        ) from None
    if name not in names:
        listed = ", ".join(sorted(names)[:30]) or "(none)"
        raise SourceError(
            f"{source.location} has no table '{table}'.{did_you_mean(name, names)} "
            f"Tables: {listed}. --table takes a table name; use --query for SQL."
        )
    quote = con.dialect.identifier_preparer.quote
    return f"{quote(schema)}.{quote(name)}" if schema else quote(name)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if "datetime" in type(value).__name__ else value.isoformat()  # type: ignore[no-any-return]
    return str(value)


def _redact(url: str) -> str:
    """Hide a password in a database URL before it is shown or stored."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def is_database_url(location: str) -> bool:
    return "://" in location


def open_source(
    location: str,
    *,
    encoding: str = "auto",
    sheet: str | int = 0,
    table: str | None = None,
    query: str | None = None,
) -> Source:
    """Open ``location`` (a file path or SQLAlchemy URL) as a :class:`Source`."""
    if is_database_url(location):
        return SqlSource.open(location, table, query)
    path = Path(location)
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        raise SourceError(
            f"Unsupported file type '{suffix or '(none)'}' for {path}. Use one of: "
            f"{', '.join(FILE_TYPES)}, or a database URL such as sqlite:///shop.db with --table."
        )
    if not path.is_file():
        raise SourceError(f"{path} does not exist or is not a file.")
    if suffix in CSV_SUFFIXES:
        return CsvSource.open(path, encoding)
    if suffix in EXCEL_SUFFIXES:
        return ExcelSource.open(path, sheet)
    return ParquetSource.open(path)
