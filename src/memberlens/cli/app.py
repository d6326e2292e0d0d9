"""The Typer application and the options every command shares.

The root group is lazy: a command's module (``memberlens.cli.<module>`` of
:data:`COMMANDS`) is imported, and its parameters are read, only when that command runs, so
``memberlens metrics list`` does not pay for the forty other commands. ``memberlens --help``
imports every module and lists the commands without building their parameters.
"""

from __future__ import annotations

import importlib
import inspect
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import typer.core
import typer.main
from typer._click import Command, Context, HelpFormatter  # typer's own click

if TYPE_CHECKING:
    from memberlens.workspace import Workspace

_DATA = "Data (数据)"
_KPIS = "KPIs and reports (指标与报告)"
_MEMBERS = "Members, tiers and points (会员、等级与积分)"
_STUDIES = "Experiments and the voice of the customer (实验与客户之声)"
_SERVICE = "The HTTP service (服务)"

#: Every command of the root in the order ``--help`` lists them: the module of
#: ``memberlens.cli`` that defines it and the panel it is listed under.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("data", _DATA),
    "ingest": ("data", _DATA),
    "quarantine": ("data", _DATA),
    "status": ("data", _DATA),
    "migrate": ("data", _DATA),
    "export": ("data", _DATA),
    "generate": ("demo", _DATA),
    "demo": ("demo", _DATA),
    "run-daily": ("daily", _DATA),
    "aggregates": ("aggregates", _DATA),
    "metrics": ("metrics", _KPIS),
    "goals": ("metrics", _KPIS),
    "compare": ("analyses", _KPIS),
    "cohorts": ("analyses", _KPIS),
    "alerts": ("analyses", _KPIS),
    "trend": ("analyses", _KPIS),
    "drivers": ("analyses", _KPIS),
    "report": ("report", _KPIS),
    "rfm": ("rfm", _MEMBERS),
    "value": ("segments", _MEMBERS),
    "targets": ("segments", _MEMBERS),
    "tiers": ("tiers", _MEMBERS),
    "tier-history": ("tiers", _MEMBERS),
    "whatif": ("tiers", _MEMBERS),
    "points": ("points", _MEMBERS),
    "clv": ("models", _MEMBERS),
    "churn": ("models", _MEMBERS),
    "member": ("models", _MEMBERS),
    "experiment": ("experiments", _STUDIES),
    "campaign": ("experiments", _STUDIES),
    "causal": ("experiments", _STUDIES),
    "voc": ("voc", _STUDIES),
    "serve": ("serve", _SERVICE),
    "users": ("users", _SERVICE),
}


class LazyRoot(typer.core.TyperGroup):
    """The root group: builds a command from its module on first use (see the module)."""

    listing = False  # True while the root's own help is written

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        module, panel = COMMANDS[cmd_name]
        importlib.import_module(f"memberlens.cli.{module}")
        if self.listing:
            return _listed(cmd_name, panel)
        command = _built(cmd_name)
        command.rich_help_panel = panel  # type: ignore[attr-defined]
        self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


def _built(name: str) -> Command:
    """The click command (or group) ``name`` of the root, with its parameters."""
    for info in app.registered_commands:
        assert info.callback is not None
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            return typer.main.get_command_from_info(
                info,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
            )
    for group in app.registered_groups:
        if group.name == name:
            return typer.main.get_group_from_info(
                group,
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
    raise LookupError(f"memberlens.cli.{COMMANDS[name][0]} defines no command '{name}'")


def _listed(name: str, panel: str) -> Command:
    """The command ``name`` as the root's help lists it: its help, no parameters."""
    for info in app.registered_commands:
        assert info.callback is not None
        if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
            text = info.help or inspect.getdoc(info.callback)
            return typer.core.TyperCommand(name, help=text, rich_help_panel=panel)
    for group in app.registered_groups:
        if group.name == name:
            text = typer.main.solve_typer_info_help(group)
            return typer.core.TyperGroup(name=name, help=text, rich_help_panel=panel)
    raise LookupError(f"memberlens.cli.{COMMANDS[name][0]} defines no command '{name}'")


app = typer.Typer(
    name="memberlens",
    help="Membership and loyalty-program analytics (会员 / 积分 分析).",
    cls=LazyRoot,
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
