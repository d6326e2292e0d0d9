"""The ``memberlens`` command line (Typer + Rich). Heavy libraries are imported lazily.

One rule for every command: no traceback reaches the user. :func:`run` turns

* a :class:`~memberlens.errors.MemberlensError` into one red line (exit code 2), with the
  Python parameter names of the message written as this command line's options
  (:data:`memberlens.cli.words.OPTIONS`: ``as_of`` → ``--as-of``);
* Ctrl-C and SIGTERM into one line saying what was stopped (exit code 130 / 143);
* any other exception into one line naming the command and a file with the details
  (``DIR/logs/error-<time>.txt`` in the workspace, else the temporary folder), exit code 1.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from memberlens.cli.app import app
from memberlens.errors import MemberlensError

EXIT_ERROR = 2  # a known error: bad input, missing workspace …
EXIT_UNEXPECTED = 1
EXIT_SIGNAL = {signal.SIGINT: 130, signal.SIGTERM: 143}


def cli_message(error: MemberlensError) -> str:
    """The error's message with the Python parameters written as the CLI's options."""
    from memberlens.cli.words import in_cli_words

    return in_cli_words(str(error), getattr(error, "parameter", None))


#: Options that take a date or a period; their years must lie in the sane window.
DATE_OPTIONS = frozenset(
    {"--as-of", "--from", "--to", "--period", "--calibration-end", "--holdout-end"}
)
#: The years a date option may name (the ingest window's default, DESIGN §5 decisions in
#: docs/ingestion.md): 0001-01-01 or 9999-12-31 would overflow date arithmetic later.
YEARS = (1900, 2100)
_YEAR = re.compile(r"(?<![\d])(-?\d{4,})(?=(-\d|-?[QqHhWw]\d|\.\.|$))")


def check_dates(args: Sequence[str]) -> None:
    """Refuse a date option whose year is outside :data:`YEARS`, naming the option."""
    from memberlens.errors import InputError

    for i, arg in enumerate(args):
        option, _, value = arg.partition("=")
        if option not in DATE_OPTIONS:
            continue
        if not value:
            if i + 1 >= len(args):
                continue
            value = args[i + 1]
        for match in _YEAR.finditer(value):
            year = int(match.group(1))
            if not YEARS[0] <= year <= YEARS[1]:
                raise InputError(
                    f"{option} {value[:40]}: the year {year} is outside {YEARS[0]}–{YEARS[1]}; "
                    "write a date such as 2025-03-31."
                )


def check_characters(args: Sequence[str]) -> None:
    """Refuse a value with a NUL character (no file name or id holds one), naming its option."""
    from memberlens.errors import InputError

    for i, arg in enumerate(args):
        if "\x00" in arg:
            before = args[i - 1] if i and args[i - 1].startswith("-") else None
            option, _, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
            named = option or before
            where = f"the value of {named}" if named else f"the argument {value[:40]!r}"
            raise InputError(
                f"{where} contains a NUL character (\\x00): no file name or id holds one; "
                "type it again without it."
            )


class _State:
    signal: int | None = None  # the signal that stopped the command
    stopped: str | None = None  # what it stopped, e.g. "the load of orders"


state = _State()


def stopping(what: str | None) -> None:
    """Tell the handler what a Ctrl-C would stop now (a command's long step), or None."""
    state.stopped = what


def _on_signal(signum: int, frame: FrameType | None) -> None:
    state.signal = signum
    raise KeyboardInterrupt


def _command(args: Sequence[str]) -> str:
    """``memberlens <command> [<subcommand>]`` as typed (global options left out)."""
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-w", "--workspace"):
            skip = True
            continue
        if arg.startswith("-"):
            continue
        words.append(arg)
        if arg != "points" or len(words) > 1:
            break
    return " ".join(["memberlens", *words[:2]])


def _log_folder(args: Sequence[str]) -> Path:
    import os
    import tempfile

    from memberlens.config import CONFIG_FILE

    root: str | None = os.environ.get("MEMBERLENS_WORKSPACE")
    for i, arg in enumerate(args):
        if arg in ("-w", "--workspace") and i + 1 < len(args):
            root = args[i + 1]
        elif arg.startswith("--workspace="):
            root = arg.split("=", 1)[1]
    folder = Path(root or ".")
    try:
        if (folder / CONFIG_FILE).is_file():
            logs = folder / "logs"
            logs.mkdir(exist_ok=True)
            return logs
    except (OSError, ValueError):
        pass
    return Path(tempfile.gettempdir())


def _redacted(args: Sequence[str]) -> str:
    """The command line as typed, with passwords of database URLs hidden."""
    return " ".join(re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", a) for a in args)


def _write_details(error: BaseException, args: Sequence[str]) -> Path | None:
    import os
    import traceback
    from datetime import datetime

    from memberlens.pii import mask_text

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    text = f"memberlens {_redacted(args)}\n\n" + "".join(
        traceback.format_exception(type(error), error, error.__traceback__)
    )
    for folder in (_log_folder(args), None):
        try:
            if folder is None:
                import tempfile

                folder = Path(tempfile.gettempdir())
            path = folder / f"error-{stamp}-{os.getpid()}.txt"
            path.write_text(mask_text(text) or "", encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _print_error(text: str) -> None:
    from rich.markup import escape

    from memberlens.cli.render import errors

    errors.print(f"[red]Error:[/] {escape(text)}", highlight=False, soft_wrap=True)


def _summary(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    first = lines[0] if lines else ""
    if len(first) > 200:
        first = first[:200] + "…"
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def run(args: Sequence[str] | None = None) -> int:
    """Run the command line ``args`` (default: ``sys.argv[1:]``); return the exit code."""
    args = list(sys.argv[1:] if args is None else args)
    state.signal = None
    state.stopped = None
    handlers = {}
    import threading

    if threading.current_thread() is threading.main_thread():
        for signum in EXIT_SIGNAL:
            handlers[signum] = signal.signal(signum, _on_signal)
    waiting = _WaitLine()
    logger = logging.getLogger("memberlens.wait")  # engine.warehouse.WAIT_LOGGER
    logger.addHandler(waiting)
    logger.propagate = False
    try:
        try:
            check_characters(args)
            check_dates(args)
            app(args=args, prog_name="memberlens")
        finally:
            logger.removeHandler(waiting)
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if code == 130 or state.signal is not None:
            return _interrupted()
        return code
    except KeyboardInterrupt:
        return _interrupted()
    except Exception as error:
        if state.signal is not None:
            # the signal's KeyboardInterrupt, turned by the library it stopped into an error
            # of its own (DuckDB: "RuntimeError: Query interrupted")
            return _interrupted()
        return _failed(error, args)
    return 0


def _failed(error: Exception, args: Sequence[str]) -> int:
    """The exit code of an error that ended the command (its message printed)."""
    if isinstance(error, MemberlensError):
        _print_error(cli_message(error))
        return EXIT_ERROR
    if isinstance(error, OSError):
        if error.strerror is None or isinstance(error, BrokenPipeError):
            return _unexpected(error, args)
        # a path the system refuses (too long, missing folder, no permission, disk full)
        name = str(error.filename or "")
        shown = name if len(name) <= 80 else name[:40] + "…" + name[-20:]
        _print_error(f"{error.strerror}: {shown}" if shown else error.strerror)
        return EXIT_ERROR
    return _unexpected(error, args)


def _unexpected(error: BaseException, args: Sequence[str]) -> int:
    """One line naming the command and the file with the traceback; exit code 1."""
    details = _write_details(error, args)
    where = f"; details in {details}" if details else ""
    _print_error(
        f"'{_command(args)}' failed unexpectedly ({_summary(error)}){where}. "
        "Please report it with that file."
    )
    return EXIT_UNEXPECTED


class _WaitLine(logging.Handler):
    """Shows "waiting for the load of orders (started 14:02:11, process 123) …" on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        from rich.markup import escape

        from memberlens.cli.render import errors

        errors.print(f"[yellow]{escape(record.getMessage())}[/]", highlight=False)


def _interrupted() -> int:
    signum = state.signal or signal.SIGINT
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    if state.stopped:
        text = f"{state.stopped} was stopped and rolled back: the warehouse is as it was before"
    else:
        text = "nothing was changed"
    _print_error(f"Interrupted ({name}): {text}.")
    return EXIT_SIGNAL.get(signal.Signals(signum), 130)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    """A warning as one yellow line on stderr (no file and line of the code)."""
    from rich.markup import escape

    from memberlens.cli.render import errors

    errors.print(f"[yellow]Warning:[/] {escape(str(message))}", highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point: run the app and exit with its code (see :func:`run`)."""
    import warnings

    warnings.showwarning = _show_warning
    sys.exit(run())


__all__ = ["app", "cli_message", "main", "run", "stopping"]
