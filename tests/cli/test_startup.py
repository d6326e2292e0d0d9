"""Start-up of the command line: the lazy root builds only the command that runs, lists every
command with the help its module gives, and `metrics list` loads no engine."""

from __future__ import annotations

import importlib

import pytest

from cli.running import fresh, run
from memberlens.cli.app import COMMANDS, _built, _listed, app


def test_the_table_names_every_command_of_every_module() -> None:
    for module in {m for m, _ in COMMANDS.values()}:
        importlib.import_module(f"memberlens.cli.{module}")
    registered = {
        info.name or info.callback.__name__.replace("_", "-")  # type: ignore[union-attr]
        for info in app.registered_commands
    } | {group.name for group in app.registered_groups}
    assert registered == set(COMMANDS)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_listed_command_has_the_help_of_the_built_one(name: str) -> None:
    module, panel = COMMANDS[name]
    importlib.import_module(f"memberlens.cli.{module}")
    built, listed = _built(name), _listed(name, panel)
    assert built.name == listed.name == name
    assert listed.help and listed.help == built.help
    assert listed.params == []  # the listing reads no parameters


def test_help_lists_every_command_under_its_panel() -> None:
    done = run("--help")
    assert done.returncode == 0, done.stderr
    for name, (_, panel) in COMMANDS.items():
        assert f" {name} " in done.stdout, name
        assert panel in done.stdout
    # the listing follows the table: data commands before the KPIs, the service last
    assert (
        done.stdout.index(" init ") < done.stdout.index(" metrics ") < done.stdout.index(" serve ")
    )


def test_a_command_runs_after_another_in_one_process() -> None:
    """The root is rebuilt per call with what is registered by then: still every command."""
    from cli.running import invoke

    assert invoke("metrics", "list", "--format", "json").exit_code == 0
    assert invoke("tiers", "--help").exit_code == 0
    assert invoke("metrics", "--help").exit_code == 0


HEAVY = ("ibis", "duckdb", "polars", "pyarrow", "memberlens.config", "memberlens.cli.analyses")


@pytest.mark.parametrize("args", [["--help"], ["metrics", "list", "--format", "json"]])
def test_listing_loads_no_engine_and_no_other_command(args: list[str]) -> None:
    script = (
        "import json, sys, contextlib, io\n"
        "from memberlens.cli import run\n"
        "out = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out): code = run({args!r})\n"
        f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    code, loaded = fresh(script)
    assert code == 0
    expected = ["memberlens.cli.analyses"] if args == ["--help"] else []
    assert loaded == expected  # --help imports every command module, no engine


def test_metrics_list_has_the_service_metrics_without_their_definitions() -> None:
    script = (
        "import json, sys, contextlib, io\n"
        "from memberlens.cli import run\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out): run(['metrics', 'list', '--format', 'json'])\n"
        "rows = json.loads(out.getvalue())['rows']\n"
        "print(json.dumps([[r['id'] for r in rows], 'memberlens.voc.service' in sys.modules]))\n"
    )
    ids, definitions_loaded = fresh(script)
    assert {"suggestion_rate", "resolution_hours_p90", "post_resolution_satisfaction"} <= set(ids)
    assert not definitions_loaded


def test_every_catalog_entry_has_a_definition_once_loaded() -> None:
    from memberlens.metrics.compute import DEFINITIONS
    from memberlens.workspace import load_metrics

    assert set(load_metrics()) == set(DEFINITIONS)


def test_a_definition_needs_its_catalog_entry_first() -> None:
    from memberlens.metrics.compute import define

    with pytest.raises(ValueError, match="'no_such_metric' is not in the catalog"):
        define("no_such_metric", lambda s: s)
