"""Every command, every hostile value: a clear message and a non-zero exit, no traceback."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

import memberlens as ml
from memberlens.cli import app, cli_message, run
from memberlens.errors import InputError

HOSTILE = {
    "ancient": "0001-01-01",
    "far": "9999-12-31",
    "feb30": "2025-02-30",
    "sql": "'; DROP TABLE orders; --",
    "traversal": "../../../../etc/passwd",
    "unknown": "NO_SUCH_ID_42",
    "nul": "a\x00b",
    "long": "x" * 5000,
}
#: commands whose argument is a folder to create or fill: any path is legitimate there,
#: so only values that cannot be a path are hostile
PATH_COMMANDS = {"init", "generate", "demo", "export"}
PATH_VALUES = {"nul", "long"}
#: options that take a date (or a period)
DATES = {"--as-of", "--from", "--to", "--period", "--calibration-end", "--holdout-end"}


def _commands() -> Iterator[tuple[list[str], typer.core.TyperCommand]]:
    def walk(command: object, prefix: list[str]) -> Iterator[tuple[list[str], object]]:
        if isinstance(command, typer.core.TyperGroup):  # the lazy root builds on request
            context = typer.Context(command)
            for name in command.list_commands(context):
                yield from walk(command.get_command(context, name), [*prefix, name])
        else:
            yield prefix, command

    yield from walk(typer.main.get_command(app), [])  # type: ignore[misc]


def _args(path: list[str], command: object, value: str) -> list[str] | None:
    """The command with ``value`` in every argument and date option (and required ones)."""
    args = [*path]
    placed = False
    for param in command.params:  # type: ignore[attr-defined]
        if param.name == "fmt" or getattr(param, "is_flag", False):
            continue
        if param.param_type_name == "argument":
            args.append(value)
            placed = True
        elif param.opts[0] in DATES or param.required:
            args += [param.opts[0], value]
            placed = True
    return args if placed else None


CASES = [
    (path, name)
    for path, command in _commands()
    for name in HOSTILE
    if path[0] not in PATH_COMMANDS or name in PATH_VALUES
]


@pytest.fixture(scope="module")
def shop_ws(tmp_path_factory: pytest.TempPathFactory) -> ml.Workspace:
    import handmade as h

    root = tmp_path_factory.mktemp("hostile")
    ws = ml.init(root / "ws", language="en")
    for table, text in (("members", h.MEMBERS), ("orders", h.ORDERS), ("points", h.POINTS)):
        (root / f"{table}.csv").write_text(text, encoding="utf-8")
        ws.ingest(table, root / f"{table}.csv")
    return ws


@pytest.mark.slow
@pytest.mark.parametrize(("path", "name"), CASES, ids=[f"{' '.join(p)}-{n}" for p, n in CASES])
def test_every_command_refuses_every_hostile_value_clearly(
    shop_ws: ml.Workspace,
    path: list[str],
    name: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deep = tmp_path / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)  # a traversal lands inside tmp_path
    command = {tuple(p): c for p, c in _commands()}[tuple(path)]
    value = HOSTILE[name]
    args = _args(path, command, value)
    if args is None:  # no argument takes the value: the workspace itself is hostile
        args, workspace = [*path], value
    else:
        workspace = str(shop_ws.root)
    code = run(["-w", workspace, *args])
    out, err = capsys.readouterr()
    assert code != 0, (args, out[-500:])
    assert "Traceback" not in out + err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines, "no message"
    assert "Error" in err or "Usage" in err or "Invalid value" in err, err[-500:]
    assert "failed unexpectedly" not in err, err[-500:]  # every hostile value has its message


def test_unexpected_errors_are_one_line_with_a_details_file(
    shop_ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import memberlens.cli.data as data

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom 13800138000")

    monkeypatch.setattr(data, "open_workspace", broken)
    before = set((shop_ws.root / "logs").glob("error-*.txt"))
    code = run(["-w", str(shop_ws.root), "status"])
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "'memberlens status' failed unexpectedly (ZeroDivisionError" in err
    logs = sorted(set((shop_ws.root / "logs").glob("error-*.txt")) - before)
    assert len(logs) == 1
    details = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in details and "ZeroDivisionError" in details
    assert "13800138000" not in details  # personal data masked in the file too


def test_ctrl_c_during_a_query_is_an_interruption_not_a_failure(
    shop_ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DuckDB turns the KeyboardInterrupt of a signal that arrives during a query into
    ``RuntimeError: Query interrupted``: still Ctrl-C's one line and exit code 130."""
    import signal

    import memberlens.cli as cli
    import memberlens.cli.data as data

    def interrupted(*args: object, **kwargs: object) -> None:
        cli.state.signal = signal.SIGINT  # as the handler records it before raising
        raise RuntimeError("Query interrupted")

    monkeypatch.setattr(data, "open_workspace", interrupted)
    code = run(["-w", str(shop_ws.root), "status"])
    err = capsys.readouterr().err
    assert code == 130
    assert err.strip() == "Error: Interrupted (Ctrl-C): nothing was changed."

    def failed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Query interrupted")  # no signal: an unexpected failure

    monkeypatch.setattr(data, "open_workspace", failed)
    assert run(["-w", str(shop_ws.root), "status"]) == 1
    assert "failed unexpectedly (RuntimeError: Query interrupted)" in capsys.readouterr().err


def test_a_known_error_is_one_line_and_exit_code_2(
    shop_ws: ml.Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["-w", str(shop_ws.root), "rfm", "--as-of", "2025-02-30"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("Error: --as-of 2025-02-30")


@pytest.mark.parametrize(
    ("parameter", "message", "expected"),
    [
        ("as_of", "as_of 2025-02-30: write it so.", "--as-of 2025-02-30: write it so."),
        ("start", "start 2025-03-01 is after end", "--from 2025-03-01 is after end"),
        ("calibration_end", "calibration_end is too early", "--calibration-end is too early"),
        ("holdout_end", "holdout_end must follow", "--holdout-end must follow"),
        ("as_of", "the as_of_date column as_of", "the as_of_date column --as-of"),
        (None, "as_of stays", "as_of stays"),
    ],
)
def test_parameter_names_become_option_names(
    parameter: str | None, message: str, expected: str
) -> None:
    assert cli_message(InputError(message, parameter=parameter)) == expected


def test_hostile_specific_cases(
    shop_ws: ml.Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = ["-w", str(shop_ws.root)]
    csv = tmp_path / "m.csv"
    csv.write_text("member_id,registered_at\nM1,2024-01-01\n", encoding="utf-8")
    cases = [
        [*ws, "ingest", "members", str(csv), "--encoding", "rot13"],
        [*ws, "ingest", "members", f"sqlite:///{tmp_path / 'none.db'}", "--table", "x"],
        [*ws, "ingest", "members", str(csv), "--decimal", ";"],
        [*ws, "rfm", "--as-of", "2025-03-31", "--output", str(tmp_path / "no" / "x.csv")],
        [*ws, "targets", "--as-of", "0001-01-01"],
        [*ws, "metrics", "repurchase_rate", "--period", "2025-01-01..9999-12-31"],
        [*ws, "quarantine", "--export", str(tmp_path / "no" / "q.csv")],
    ]
    for args in cases:
        code = run(args)
        err = capsys.readouterr().err
        assert code != 0, args
        assert "Traceback" not in err and err.startswith("Error:"), (args, err)
    assert not (tmp_path / "none.db").exists()


def test_a_path_the_system_refuses_is_one_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["init", str(tmp_path / ("x" * 5000))])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Error: File name too long: ")
    assert len(err) < 200 and err.count("\n") == 1
