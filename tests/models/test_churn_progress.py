"""The churn model tells a Progress of its steps, and ends the task even when it fails."""

from __future__ import annotations

import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.models.churn.model import STEPS


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def start(self, description: str, total: int | None, unit: str = "rows") -> None:
        self.calls.append(("start", total))

    def update(self, done: int) -> None:
        self.calls.append(("update", done))

    def finish(self) -> None:
        self.calls.append(("finish", None))


def test_progress_starts_and_finishes_around_the_model(shop: ml.Workspace) -> None:
    recorder = Recorder()
    with pytest.raises(InputError, match="Too little history"):
        shop.models.churn(save=False, progress=recorder)
    # both labelled cut-offs were built before the refusal
    assert recorder.calls[0] == ("start", STEPS)
    assert ("update", 2) in recorder.calls
    assert recorder.calls[-1] == ("finish", None)
