"""The Typer application and the options every command shares."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from memberlens.workspace import Workspace

app = typer.Typer(
    name="memberlens",
    help="Membership and loyalty-program analytics (会员 / 积分 分析).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output: a readable table, json or csv.")
]


class _State:
    workspace: Path | None = None


state = _State()


@app.callback()
def _main(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="Workspace directory (default: $MEMBERLENS_WORKSPACE, else the current one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    state.workspace = workspace


def open_workspace() -> Workspace:
    from memberlens.workspace import ENV_VAR, open

    root = state.workspace or Path(os.environ.get(ENV_VAR) or ".")
    return open(root)
