"""Running commands: in-process with Typer's CliRunner, or as a whole process where the exit
code and the one-line error of the entry point are what is tested."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from memberlens.cli import app

COMMAND = [sys.executable, "-m", "memberlens"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a whole process (the entry point's error handling included)."""
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


class Invoked:
    def __init__(self, exit_code: int, stdout: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout


def invoke(*args: str) -> Invoked:
    """The command in this process (fast: no start-up); an error fails the test."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Invoked(result.exit_code, result.stdout)


def fresh(script: str) -> Any:
    """Run ``script`` in a new interpreter (nothing imported yet) and return the JSON of the
    last line it prints: what a command imports is seen only in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
