"""Progress reporting without printing: core code reports, interfaces render.

Long operations take a :class:`Progress`; the CLI passes one that draws a rich progress bar,
the Python API a silent one.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: int | None, unit: str = "rows") -> None:
        """Begin a task of ``total`` units (None when unknown)."""

    def update(self, done: int) -> None:
        """Report that ``done`` units of the current task are complete."""

    def finish(self) -> None:
        """End the current task."""


class Silent:
    """A :class:`Progress` that reports nowhere."""

    def start(self, description: str, total: int | None, unit: str = "rows") -> None:
        return None

    def update(self, done: int) -> None:
        return None

    def finish(self) -> None:
        return None
