"""One exception tree for memberlens.

Every error message names the bad value, the valid choices and the fix. Each class also
inherits the matching builtin so callers can catch ``ValueError`` or ``FileNotFoundError``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MemberlensError(Exception):
    """Base class of every error memberlens raises on purpose."""


class ConfigError(MemberlensError, ValueError):
    """``memberlens.toml`` is invalid; the message lists every problem with its key."""


class WorkspaceError(MemberlensError, FileNotFoundError):
    """A workspace is missing, incomplete or from a newer memberlens."""


class InputError(MemberlensError, ValueError):
    """A user-supplied value (table, metric, period, option) is not one of the valid choices.

    ``parameter`` names the Python API parameter the value came through (``as_of``,
    ``start``, ``end`` …); the message uses that name, and the command line and the HTTP
    layer rewrite it into their own words (``--as-of``, ``as_of=``).
    """

    def __init__(
        self, message: str, *, parameter: str | None = None, value: str | None = None
    ) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.value = value


class SourceError(MemberlensError, ValueError):
    """A source file or database cannot be read as a whole (refused, nothing loaded)."""


class DeliveryError(MemberlensError, ConnectionError):
    """A webhook or mail server refused or could not be reached (``run-daily``'s delivery)."""


class WarehouseBusyError(MemberlensError, RuntimeError):
    """Another process holds the warehouse for writing."""


class BrowserError(MemberlensError, RuntimeError):
    """The headless browser that prints the report (PDF, PNG) is missing or failed."""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or ``""``."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def unknown_choice(
    kind: str,
    value: str,
    choices: Iterable[str],
    hint: str = "",
    parameter: str | None = None,
    also: Iterable[str] = (),
) -> InputError:
    """Build the standard error for a value that is not among ``choices``.

    ``also`` are other accepted spellings (the 中文 and English names of the ids): searched
    for the "Did you mean" but not listed.
    """
    options = sorted(choices)
    message = (
        f"Unknown {kind} '{value}'.{did_you_mean(value, [*options, *also])} "
        f"Valid {kind}s: {', '.join(options)}."
    )
    if hint:
        message += f" {hint}"
    return InputError(message, parameter=parameter, value=value)
