"""The launcher: a command served by a fork of the warm process is the same command.

The console script ``memberlens`` (``memberlens.launch:main``) is run as a whole process
with a private socket folder (``XDG_RUNTIME_DIR``); the first run starts the warm process,
later runs are forks of it. ``python -X importtime`` shows which process did the work: a
client served warm imports neither Ibis nor DuckDB itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import memberlens as ml
from memberlens import launch

SCRIPT = Path(sys.executable).with_name("memberlens")

pytestmark = pytest.mark.skipif(
    not SCRIPT.exists() or not launch.enabled([]), reason="no console script or no fork here"
)


@pytest.fixture
def runtime() -> Iterator[dict[str, str]]:
    """An environment whose socket folder is private to the test (short: a socket's path
    has at most 107 bytes); the warm process it starts is stopped at the end."""
    folder = Path(tempfile.mkdtemp(prefix="ml-", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if k != launch.ENV_VAR}
    env["XDG_RUNTIME_DIR"] = str(folder)
    yield env
    for lock in folder.glob("memberlens-*/*.lock"):
        with contextlib.suppress(ValueError, OSError):
            os.kill(int(lock.read_text()), signal.SIGTERM)
    shutil.rmtree(folder, ignore_errors=True)


def command(
    env: dict[str, str],
    *args: str,
    importtime: bool = False,
    cwd: Path | None = None,
    umask: int | None = None,
) -> subprocess.CompletedProcess[str]:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        umask=-1 if umask is None else umask,
    )


def wait_until_warm(env: dict[str, str], since: float = 0.0) -> int:
    """The warm process's pid, once it listens (the first command started it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pid = launch.warm_pid(env["XDG_RUNTIME_DIR"], since)
        if pid is not None:
            return pid
        time.sleep(0.2)
    raise AssertionError("the warm process did not start")


def imported(stderr: str, module: str) -> bool:
    return any(line.split("|")[-1].strip() == module for line in stderr.splitlines())


def test_a_command_served_warm_prints_what_it_prints_in_its_own_process(
    shop: ml.Workspace, runtime: dict[str, str], tmp_path: Path
) -> None:
    args = ("-w", str(shop.root), "metrics", "orders", "revenue", "--period", "2024-02")
    cold_env = {**runtime, launch.ENV_VAR: "0"}
    cold = command(cold_env, *args, "--format", "json", importtime=True)
    assert cold.returncode == 0, cold.stderr
    assert imported(cold.stderr, "ibis"), "switched off, the command imports its libraries"
    assert not list(Path(runtime["XDG_RUNTIME_DIR"]).glob("*/*.sock")), "and starts nothing"

    first = command(runtime, *args, "--format", "json")  # runs here, starts the warm process
    assert first.stdout == cold.stdout
    server = wait_until_warm(runtime)

    warm = command(runtime, *args, "--format", "json", importtime=True)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout
    assert not imported(warm.stderr, "ibis") and not imported(warm.stderr, "duckdb")
    assert '"orders"' in warm.stdout

    # an error: the same one line and exit code as in a process of its own
    bad = ("-w", str(shop.root), "metrics", "nosuch", "--period", "2024-02")
    assert command(runtime, *bad).stderr == command(cold_env, *bad).stderr
    assert command(runtime, *bad).returncode == 2

    # the caller's folder and environment: a workspace named relatively and by variable
    relative = command(
        runtime, "-w", shop.root.name, *args[2:], "--format", "json", cwd=shop.root.parent
    )
    assert relative.stdout == cold.stdout
    by_variable = command(
        {**runtime, "MEMBERLENS_WORKSPACE": str(shop.root)}, *args[2:], "--format", "json"
    )
    assert by_variable.stdout == cold.stdout

    # a file the command writes lands in the caller's folder with the caller's umask
    out = tmp_path / "out"
    out.mkdir()
    for umask, mode in ((0o077, 0o600), (0o022, 0o644)):
        written = out / f"r-{umask:o}.parquet"
        done = command(
            runtime,
            *("-w", str(shop.root), "rfm", "--as-of", "2024-03-31", "--output", written.name),
            cwd=out,
            umask=umask,
        )
        assert done.returncode == 0, done.stderr
        assert written.stat().st_mode & 0o777 == mode
    assert launch.warm_pid(runtime["XDG_RUNTIME_DIR"]) == server  # all served by the one


def test_ctrl_c_reaches_the_command_and_its_fork_ends(
    runtime: dict[str, str], tmp_path: Path
) -> None:
    assert command(runtime, "metrics", "list").returncode == 0
    server = wait_until_warm(runtime)
    client = subprocess.Popen(
        [str(SCRIPT), "demo", str(tmp_path / "demo"), "--members", "3000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=runtime,
    )
    children = Path(f"/proc/{server}/task/{server}/children")
    deadline = time.monotonic() + 30
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    forked = children.read_text().split()
    assert forked, "the demo runs in a fork of the warm process"
    time.sleep(1.0)
    client.send_signal(signal.SIGINT)
    _, stderr = client.communicate(timeout=60)
    assert client.returncode == 130, stderr
    assert "Interrupted (Ctrl-C)" in stderr
    deadline = time.monotonic() + 10
    while children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not children.read_text().split(), "the fork ended with its command"


def test_password_prompts_and_the_service_never_run_warm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(launch.ENV_VAR, raising=False)
    assert launch.enabled(["-w", "ws", "metrics", "list"])
    assert not launch.enabled(["-w", "ws", "users", "add", "ana"])
    assert not launch.enabled(["-w", "ws", "serve"])
    for off in ("0", "off", "no", "false", " OFF "):
        monkeypatch.setenv(launch.ENV_VAR, off)
        assert not launch.enabled(["metrics", "list"])


def test_a_changed_module_makes_the_warm_process_step_aside(
    runtime: dict[str, str], tmp_path: Path
) -> None:
    """A module the warm process imported changes on disk (here the interpreter's
    sitecustomize, which both sides import at start): that command runs in its own
    process, the old warm process exits, and the next command starts a fresh one."""
    site = tmp_path / "site"
    site.mkdir()
    module = site / "sitecustomize.py"
    module.write_text("VALUE = 1\n")
    env = {**runtime, "PYTHONPATH": str(site)}
    assert command(env, "metrics", "list").returncode == 0
    old = wait_until_warm(env)
    assert not imported(command(env, "metrics", "list", importtime=True).stderr, "typer")
    stamp = module.stat().st_mtime_ns + 5_000_000_000
    os.utime(module, ns=(stamp, stamp))
    changed = time.time()
    here = command(env, "metrics", "list", importtime=True)
    assert here.returncode == 0 and imported(here.stderr, "typer"), "ran in its own process"
    new = wait_until_warm(env, since=changed)
    assert new != old
    deadline = time.monotonic() + 10
    while Path(f"/proc/{old}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{old}").exists(), "the old warm process exited"
    assert not imported(command(env, "metrics", "list", importtime=True).stderr, "typer")


def test_module_times_see_a_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "warm_probe_module.py"
    module.write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import warm_probe_module  # noqa: F401

    before = launch._module_times()
    assert before[str(module)] == module.stat().st_mtime_ns
    assert not launch._changed(before)
    stamp = module.stat().st_mtime_ns + 1_000_000_000
    os.utime(module, ns=(stamp, stamp))
    assert launch._changed(before)
    module.unlink()
    assert launch._changed({str(module): stamp}), "a removed file is a change too"
    monkeypatch.delitem(sys.modules, "warm_probe_module")


def test_a_socket_path_too_long_for_a_socket_falls_back_to_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / ("x" * 120)))
    path = launch._socket_path()
    assert path is not None and path.startswith(f"/tmp/memberlens-{os.getuid()}/warm-")
    assert len(path) < 100


def test_a_socket_folder_others_can_open_is_never_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    folder = launch.folder()
    assert folder is not None and (Path(folder).stat().st_mode & 0o777) == 0o700
    Path(folder).chmod(0o755)
    assert launch.folder() is None
    Path(folder).chmod(0o700)
    Path(folder).rmdir()
    Path(folder).symlink_to(tmp_path)  # a link planted in its place
    assert launch.folder() is None
