"""The ``memberlens`` command line (Typer + Rich). Heavy libraries are imported lazily."""

from __future__ import annotations

import sys

from memberlens.cli import analyses as _analyses  # noqa: F401
from memberlens.cli import data as _data  # noqa: F401
from memberlens.cli import demo as _demo  # noqa: F401
from memberlens.cli import experiments as _experiments  # noqa: F401
from memberlens.cli import metrics as _metrics  # noqa: F401  (registers commands)
from memberlens.cli import models as _models  # noqa: F401
from memberlens.cli import points as _points  # noqa: F401
from memberlens.cli import report as _report  # noqa: F401
from memberlens.cli import rfm as _rfm  # noqa: F401
from memberlens.cli import segments as _segments  # noqa: F401
from memberlens.cli import serve as _serve  # noqa: F401
from memberlens.cli import tiers as _tiers  # noqa: F401
from memberlens.cli import users as _users  # noqa: F401
from memberlens.cli import voc as _voc  # noqa: F401
from memberlens.cli.app import app
from memberlens.errors import MemberlensError


def main() -> None:
    """Entry point: run the app; a known error is one red line and exit code 2."""
    try:
        app()
    except MemberlensError as error:
        from memberlens.cli.render import errors
        from memberlens.cli.words import in_cli_words

        errors.print(f"[red]Error:[/] {in_cli_words(str(error))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["app", "main"]
