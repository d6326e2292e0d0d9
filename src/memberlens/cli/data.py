"""Commands that create workspaces and move data: init, ingest, quarantine, status, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import console, emit


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Directory to create the workspace in.")],
    language: Annotated[str, typer.Option(help="Labels in reports: zh or en.")] = "zh",
) -> None:
    """Create a workspace: memberlens.toml and an empty warehouse."""
    from memberlens.errors import unknown_choice
    from memberlens.workspace import init as create

    if language not in ("zh", "en"):
        raise unknown_choice("language", language, ("zh", "en"))
    ws = create(directory, language=language)  # type: ignore[arg-type]
    console.print(f"Created workspace [bold]{ws.root}[/] (config: {ws.root / 'memberlens.toml'})")


@app.command()
def ingest(
    table: Annotated[str, typer.Argument(help="Canonical table: members, orders, points, …")],
    source: Annotated[str, typer.Argument(help="File (.csv .tsv .xlsx .parquet) or database URL.")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="canonical=source column (repeatable), e.g. order_id=单号."),
    ] = None,
    encoding: Annotated[
        str, typer.Option(help="Text encoding of a CSV: auto, utf-8, gbk, …")
    ] = "auto",
    sheet: Annotated[str, typer.Option(help="Excel sheet name or 0-based index.")] = "0",
    sql_table: Annotated[
        str | None, typer.Option("--table", help="With a database URL: the table to read.")
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            help="With a database URL: SQL to read, run exactly as written (your own "
            "statement, with the database user's rights; --table is quoted as a name)."
        ),
    ] = None,
    decimal: Annotated[
        str | None,
        typer.Option(
            help="Decimal separator of numbers in text: '.' or ',' (12,50). Default: "
            "[ingest] decimal (auto: ambiguous numbers such as 1,234 are quarantined)."
        ),
    ] = None,
) -> None:
    """Load a file or database table into a canonical table; bad rows go to quarantine."""
    from memberlens.cli import stopping
    from memberlens.cli.render import BarProgress
    from memberlens.errors import unknown_choice
    from memberlens.ingest.headers import parse_mapping_options
    from memberlens.schema import table_spec

    table_spec(table)
    if decimal is not None and decimal not in ("auto", ".", ","):
        raise unknown_choice("decimal separator", decimal, ("auto", ".", ","), parameter="decimal")
    ws = open_workspace()
    stopping(f"the load of {table}")  # what an interrupt stops (rolled back by the loader)
    result = ws.ingest(
        table,
        source,
        mapping=parse_mapping_options(map_ or []),
        encoding=encoding,
        sheet=int(sheet) if sheet.isdigit() else sheet,
        sql_table=sql_table,
        query=query,
        progress=BarProgress(),
        decimal=decimal,  # type: ignore[arg-type]
    )
    stopping(None)
    detail = f" ({result.detail})" if result.detail else ""
    console.print(
        f"[bold]{result.table}[/] ← {result.source}{detail}: read {result.rows_read:,} rows, "
        f"loaded [green]{result.loaded:,}[/] ({result.replaced:,} replaced earlier rows), "
        f"quarantined [{'red' if result.quarantined else 'green'}]{result.quarantined:,}[/] "
        f"in {result.seconds:.1f} s"
    )
    for reason, count in result.reasons.items():
        console.print(f"  quarantined {count:,} × {reason}")
    if result.ignored_columns:
        console.print(
            f"  ignored columns (no canonical match): {', '.join(result.ignored_columns)}"
        )
    for note in result.notes:
        console.print(f"  note: {note}")
    if result.quarantined:
        console.print(f"  see them with: memberlens -w {ws.root} quarantine --table {table}")
    if result.loaded == 0:
        reason = (
            "the file has no data rows" if result.rows_read == 0 else "every row was quarantined"
        )
        console.print(f"[red]Nothing was loaded: {reason}.[/]")
        raise typer.Exit(1)


@app.command()
def quarantine(
    table: Annotated[str | None, typer.Option(help="Only this table.")] = None,
    samples: Annotated[int, typer.Option(help="Sample rows per reason.")] = 3,
    export: Annotated[
        Path | None, typer.Option(help="Write every quarantined row to .csv, .xlsx or .parquet.")
    ] = None,
    full_phone: Annotated[
        bool,
        typer.Option(
            "--full-phone",
            help="Show and export whole phone numbers, e-mails and id numbers (personal data).",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Show why rows were quarantined (counts and sample rows), or export them.

    Phone numbers, e-mail addresses and id numbers are masked unless --full-phone.
    """
    from memberlens.ingest.quarantine import export_quarantine, quarantine_report

    if samples < 0 or samples > 10_000:
        from memberlens.errors import InputError

        raise InputError(f"--samples {samples}: give a number from 0 to 10000.")
    ws = open_workspace()
    if full_phone:
        from memberlens.cli.render import errors

        errors.print(
            "[yellow]Warning: --full-phone shows whole phone numbers, e-mail addresses and id "
            "numbers; treat the output as personal data.[/]"
        )
    if export is not None:
        with ws.read() as con:
            n = export_quarantine(con, export, table, full_phone=full_phone)
        console.print(f"Wrote {n:,} quarantined rows to {export}")
        return
    with ws.read() as con:
        report = quarantine_report(
            con, table, samples, ws.config.workspace.language, full_phone=full_phone
        )
    if fmt is not Format.table:
        emit(report.samples if samples else report.summary, fmt)
        return
    if report.total == 0:
        console.print("No quarantined rows.")
        return
    emit(report.summary, fmt, title=f"Quarantined rows: {report.total:,}")
    emit(report.samples.drop("source"), fmt, title="Samples (full rows: --export FILE)")


@app.command()
def status(fmt: FormatOption = Format.table) -> None:
    """Row counts of every table in the workspace."""
    import polars as pl

    ws = open_workspace()
    counts = ws.counts()
    emit(pl.DataFrame({"table": list(counts), "rows": list(counts.values())}), fmt, str(ws.root))


@app.command()
def migrate() -> None:
    """Upgrade an existing workspace's warehouse to this version's schema."""
    ws = open_workspace()
    ws.migrate()
    console.print(f"{ws.warehouse_path} is up to date.")


@app.command()
def export(
    folder: Annotated[
        Path, typer.Argument(help="Folder for <table>.parquet (relative: in the workspace).")
    ],
    full_phone: Annotated[
        bool,
        typer.Option("--full-phone", help="Write whole phone numbers (personal data)."),
    ] = False,
) -> None:
    """Write every canonical table to Parquet, e.g. for a Spark engine (backend = "pyspark").

    The members' phone numbers are masked unless --full-phone.
    """
    ws = open_workspace()
    if full_phone:
        from memberlens.cli.render import errors

        errors.print(
            "[yellow]Warning: --full-phone writes whole phone numbers; treat the files as "
            "personal data.[/]"
        )
    written = ws.export_parquet(folder, full_phone=full_phone)
    console.print(f"Wrote {len(written)} tables to {next(iter(written.values())).parent}")
