"""The ``memberlens`` entry point: a command runs in a fork of a warm process when one is up.

A command that queries imports Ibis, DuckDB, Polars, pyarrow, NumPy and the config models
before its first query — about 0.8 s on a two-core machine, longer than the query itself on
a workspace of a few hundred thousand members. An analyst runs dozens of commands an hour,
so the launcher keeps those imports warm, as a build daemon or a zygote does:

* ``memberlens ARGS`` (this module's :func:`main`, about 30 ms of imports) asks the warm
  process of this interpreter, search path and code (a Unix socket in a folder only this
  user can open) to run ``ARGS``. It sends the arguments, the working folder, the
  environment and its own standard streams (the file descriptors themselves), then waits
  for the exit code, passing Ctrl-C and SIGTERM on to the command.
* The warm process has the heavy libraries imported (nothing opened, no threads started).
  For each request it forks; the child takes over the caller's streams, folder and
  environment and runs the command line exactly as a new process would (its own workspace
  connection, its own consoles), then exits with the command's code. So every command is
  still a process of its own: nothing computed is shared between two commands.
* When no warm process answers, the command runs in the calling process as it always did,
  and a warm process is started in the background for the next one. It exits after
  :data:`IDLE_SECONDS` without a request, and as soon as a module it imported has changed
  on disk (that command then runs in the calling process, which starts a fresh one).

``MEMBERLENS_WARM=0`` turns this off (every command imports its own libraries); commands
that read a password from the terminal and the long-running service never use it
(:data:`COLD`), nor does ``python -m memberlens``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import stat
import struct
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

#: Set to ``0`` (or ``off``/``no``/``false``) to run every command in its own process only.
ENV_VAR = "MEMBERLENS_WARM"
#: The warm process exits after this long without a request.
IDLE_SECONDS = 30 * 60
#: Commands that always run in the calling process: ``users`` prompts for a password on the
#: terminal (a fork of the warm process has no terminal of its own), ``serve`` runs for hours.
COLD = frozenset({"serve", "users"})
#: What the warm process imports before it waits: libraries, the core and the command
#: line's root — never ``memberlens.cli.render`` or a command's module, which create their
#: consoles at import (each fork imports them, so they see the caller's terminal).
PRELOAD = (
    "duckdb",
    "pyarrow",
    "pyarrow.compute",
    "polars",
    "numpy",
    "ibis",
    "ibis.backends.duckdb",
    "ibis.formats.pyarrow",
    "pydantic",
    "typer",
    "rich.console",
    "rich.table",
    "rich.progress",
    # what the models, tests and the report use (each ~0.1-1 s to import)
    "scipy.special",
    "scipy.stats",
    "scipy.optimize",
    "statsmodels.api",
    "statsmodels.tsa.seasonal",
    "sklearn.ensemble",
    "sklearn.inspection",
    "sklearn.metrics",
    "sklearn.linear_model",
    "sklearn.feature_extraction.text",
    "sklearn.cluster",
    "lifelines",
    "jinja2",
    "xlsxwriter",
    "plotly.graph_objects",
    "holidays.countries.china",
    "memberlens.config",
    "memberlens.workspace",
    "memberlens.metrics.compute",
    "memberlens.metrics.evaluate",
    "memberlens.dates.calendar",
    "memberlens.voc.text",
    "memberlens.cli",
)

#: Environment variables read when the warm process starts, so part of its identity.
_READ_AT_START = ("PYTHON", "LANG", "LC_", "OMP_", "OPENBLAS_", "MKL_", "POLARS_", "NUMEXPR_")
_HEADER = struct.Struct("!I")  # the length of the JSON request that follows
_NOT_STARTED = -1  # the answer when the command was not started (stale code): run it here
_LOCK = -1  # the warm process's lock file (one warm process per socket)


def main() -> None:
    """Run the command line in a warm fork if one answers, else here (see the module)."""
    args = sys.argv[1:]
    path = _socket_path() if enabled(args) else None
    if path is not None:
        try:
            code = _remote(args, path)
        except KeyboardInterrupt:  # before the command started: nothing ran
            sys.stderr.write("Error: Interrupted (Ctrl-C): nothing was changed.\n")
            sys.exit(130)
        if code is not None:
            sys.exit(code)
        start(path)
    _run_command()


def enabled(args: list[str]) -> bool:
    """Whether this command line may run in a warm fork."""
    if os.environ.get(ENV_VAR, "1").strip().lower() in {"0", "off", "no", "false"}:
        return False
    if not hasattr(socket, "AF_UNIX") or not hasattr(os, "fork") or sys.platform == "win32":
        return False
    return not any(arg in COLD for arg in args)


# -- where the warm process listens -------------------------------------------------------


def _identity() -> str:
    """What the warm process must share with the caller: interpreter, path and version."""
    import hashlib

    from memberlens import __version__

    # what the interpreter and the preloaded libraries read at their start: Python's settings,
    # the locale (the default encoding of files), the thread counts of the numeric libraries;
    # everything else of the environment is the caller's in each fork
    python = {k: v for k, v in os.environ.items() if k.startswith(_READ_AT_START)}
    text = json.dumps([sys.executable, sys.path, __file__, __version__, python])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def folder(base: str | None = None) -> str | None:
    """This user's folder for the socket (mode 0700) under ``base`` (default: the runtime
    folder, else the temporary one), or None when it cannot be trusted."""
    import tempfile

    base = base or os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    path = Path(base) / f"memberlens-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077 or not stat.S_ISDIR(info.st_mode):
        return None  # someone else's folder, open to others, or a link: never trust it
    return str(path)


#: A socket's path holds at most 107 bytes; the warm process binds a name 8 longer first.
_LONGEST = 96


def _socket_path() -> str | None:
    """The socket of this code's warm process: in the runtime or temporary folder, or in
    /tmp when their path is too long for a socket."""
    name = f"warm-{_identity()}.sock"
    for base in (None, "/tmp"):
        where = folder(base)
        if where is not None and len(os.fsencode(where)) + len(name) < _LONGEST:
            return str(Path(where) / name)
    return None


# -- the caller ---------------------------------------------------------------------------


def _remote(args: list[str], path: str) -> int | None:
    """The exit code of ``args`` run by the warm process at ``path``; None when it should
    run here."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(2.0)
        connection.connect(path)
        mask = os.umask(0)
        os.umask(mask)
        request = json.dumps(
            {
                "argv": ["memberlens", *args],
                "cwd": str(Path.cwd()),
                "umask": mask,
                "env": dict(os.environ),
                "encoding": [getattr(s, "encoding", None) for s in (sys.stdout, sys.stderr)],
            }
        ).encode()
        streams = [sys.stdin.fileno(), sys.stdout.fileno(), sys.stderr.fileno()]
        sys.stdout.flush()
        sys.stderr.flush()
        socket.send_fds(connection, [_HEADER.pack(len(request)) + request], streams)
    except (OSError, ValueError, AttributeError):  # no socket, or a stream without a file
        connection.close()
        return None  # no warm process: run here
    # Sent: from here on the command may be running in a fork, so it never runs here as well
    # unless the warm process said it did not start it (stale code, a fork that could not
    # take the caller's folder or streams, or a request refused and closed unanswered): the
    # fork sends its pid only once it is set up, just before it runs the command.
    try:
        connection.settimeout(None)
        pid = _read_int(connection)
    except (OSError, ValueError):
        connection.close()
        return None
    if pid == _NOT_STARTED:
        connection.close()
        return None
    return _wait(connection, pid)


def _wait(connection: socket.socket, pid: int) -> int:
    """The command's exit code; Ctrl-C, SIGTERM and SIGHUP go on to the command."""

    def forward(signum: int, _frame: Any) -> None:
        with contextlib.suppress(OSError):  # the command has ended already
            os.kill(pid, signum)

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {signum: signal.signal(signum, forward) for signum in signals}
    connection.settimeout(None)
    try:
        return _read_int(connection)
    except (OSError, ValueError):
        return 1  # the fork died without an answer (killed): report a failure
    finally:
        connection.close()
        for signum, handler in before.items():
            signal.signal(signum, handler)


def _read_int(connection: socket.socket) -> int:
    return int.from_bytes(_receive(connection, 4), "big", signed=True)


def _send_int(connection: socket.socket, value: int) -> None:
    connection.sendall(int(value).to_bytes(4, "big", signed=True))


def start(path: str | None = None) -> subprocess.Popen[bytes] | None:
    """Start the warm process for the next command in the background, listening at
    ``path`` (default: this code's socket); None when one is listening already or no
    folder can be trusted."""
    path = path or _socket_path()
    if path is None or _listening(path):
        return None
    import subprocess

    code = f"import sys; sys.path[:] = {sys.path!r}; from memberlens.launch import serve; serve()"
    try:
        return subprocess.Popen(
            [sys.executable, "-P", "-c", code, path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            start_new_session=True,
            cwd="/",
        )
    except OSError:
        return None  # no warm process: every command runs in its own process, as before


def _listening(path: str) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(0.5)
        probe.connect(path)
        probe.sendall(_HEADER.pack(0))  # a ping: the warm process closes it unanswered
        return True
    except OSError:
        return False
    finally:
        probe.close()


# -- the warm process ---------------------------------------------------------------------


def serve(path: str | None = None) -> None:
    """Import :data:`PRELOAD`, then fork one child per request until idle or stale."""
    import fcntl
    import importlib

    path = path or sys.argv[-1]
    global _LOCK
    _LOCK = os.open(path + ".lock", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(_LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another warm process for the same code is starting or running
    os.ftruncate(_LOCK, 0)
    os.write(_LOCK, str(os.getpid()).encode())  # who holds it: `kill $(cat …lock)` stops it
    for name in PRELOAD:
        with contextlib.suppress(Exception):  # a library missing: each command imports it
            importlib.import_module(name)
    _warm_up()
    import gc

    gc.collect()
    gc.freeze()  # the preloaded objects: never traversed by a fork's collector (no copies)
    known = _module_times()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = f"{path}.{os.getpid()}"
    listener.bind(temporary)
    Path(temporary).chmod(0o600)
    Path(temporary).replace(path)
    listener.listen(16)
    listener.settimeout(IDLE_SECONDS)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                return
            with connection:
                if not _same_user(connection):
                    continue
                if _changed(known):
                    # out of the way first (socket and lock), so the caller can start the
                    # next warm process at once; then the caller runs this command itself
                    _retire(listener, path)
                    _send_int(connection, _NOT_STARTED)
                    return
                _fork_for(connection, listener)
    finally:
        _retire(listener, path)


def _retire(listener: socket.socket, path: str) -> None:
    """Stop listening: our socket removed (not a newer one that replaced it), the lock freed."""
    global _LOCK
    if listener.fileno() != -1:
        with contextlib.suppress(OSError):
            if Path(path).stat().st_ino == os.fstat(listener.fileno()).st_ino:
                Path(path).unlink()
        listener.close()
    if _LOCK != -1:
        os.close(_LOCK)
        _LOCK = -1


def _warm_up() -> None:
    """First-use set-up done once here: the SQL compiler's, and jieba's dictionary with the
    program's words (a second or two per command that reads texts)."""
    with contextlib.suppress(Exception):  # a warm-up only
        import ibis

        table = ibis.table({"member_id": "string", "amount": "decimal(18, 2)"}, name="t")
        ibis.to_sql(table.group_by("member_id").agg(total=table.amount.sum()), dialect="duckdb")
    with contextlib.suppress(Exception):
        from memberlens.voc.text import tokens

        tokens("积分没有到账")


def _module_times() -> dict[str, int]:
    """The modification time of every imported module's file (a change makes us stale)."""
    files = [getattr(m, "__file__", None) for m in list(sys.modules.values())]
    return {name: _mtime(name) for name in files if name}


def _changed(known: dict[str, int]) -> bool:
    """Whether a file of :func:`_module_times` changed since (~8 ms for 2,900 modules)."""
    return any(_mtime(name) != stamp for name, stamp in known.items())


def _mtime(name: str) -> int:
    try:
        return os.stat(name).st_mtime_ns  # noqa: PTH116 - a third of Path.stat's time, per request
    except OSError:
        return -1


def _same_user(connection: socket.socket) -> bool:
    try:
        credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    except (OSError, AttributeError):
        return False
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def _fork_for(connection: socket.socket, listener: socket.socket) -> None:
    """Read one request and run it in a child; a ping (length 0) is only closed."""
    connection.settimeout(5.0)
    fds: list[int] = []
    try:
        message, fds, _flags, _address = socket.recv_fds(connection, 1 << 16, 3)
        if len(message) < _HEADER.size:
            raise ValueError("a ping or a broken request")
        size = _HEADER.unpack(message[: _HEADER.size])[0]
        body = message[_HEADER.size :]
        while len(body) < size:
            body += _receive(connection, size - len(body))
        request = json.loads(body)
        if size == 0 or len(fds) != 3:
            raise ValueError("a ping or a request without its three streams")
    except (OSError, ValueError, struct.error):
        for fd in fds:
            os.close(fd)
        return
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        return
    listener.close()
    os.close(_LOCK)  # the lock stays with the warm process alone
    connection.settimeout(None)
    try:
        _become(request, fds)
    except BaseException:  # the caller runs the command itself
        with contextlib.suppress(BaseException):
            _send_int(connection, _NOT_STARTED)
        os._exit(1)
    code = 1  # the caller gets a failure code, never a hang
    try:
        _send_int(connection, os.getpid())
        _run_command()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # reported to the caller as code 1
        code = 1
    with contextlib.suppress(BaseException):  # the code goes back whatever happens here
        import atexit

        atexit._run_exitfuncs()  # what the end of a process runs, before the caller goes on
        sys.stdout.flush()
        sys.stderr.flush()
    try:
        _send_int(connection, code)
    finally:
        os._exit(code)


def _receive(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ValueError("the other side closed the connection")
        data += chunk
    return data


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """Take over the caller's streams, folder, environment and arguments."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    if hasattr(time, "tzset"):
        time.tzset()  # the caller's TZ
    os.umask(int(request.get("umask", 0o022)))
    os.chdir(request["cwd"])
    out, err = request.get("encoding") or [None, None]
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = _text(1, out)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = _text(2, err, errors="backslashreplace")  # type: ignore[misc]
    sys.argv = list(request["argv"])


def _run_command() -> None:
    """The command line in this process (the caller's, or a fork's once it has become it)."""
    from memberlens.cli import main as cli_main

    cli_main()  # exits with the command's code


def _text(fd: int, encoding: str | None, errors: str = "strict") -> io.TextIOWrapper:
    tty = os.isatty(fd)
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False),
        encoding=encoding or "utf-8",
        errors=errors,
        line_buffering=tty,
        write_through=tty,
    )


def warm_pid(base: str | None = None, since: float = 0.0) -> int | None:
    """The pid of a warm process of this user's that listens (under ``base``, as
    :func:`folder`) and started after ``since`` (a time), or None."""
    where = folder(base)
    for lock in Path(where).glob("warm-*.sock.lock") if where else ():
        with contextlib.suppress(OSError, ValueError):
            socket_path = str(lock.with_suffix(""))
            if lock.stat().st_mtime >= since and _listening(socket_path):
                return int(lock.read_text())
    return None


__all__ = ["ENV_VAR", "IDLE_SECONDS", "enabled", "folder", "main", "serve", "start", "warm_pid"]
