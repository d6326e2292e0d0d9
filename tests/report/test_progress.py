"""The report tells a progress bar of every part it computes and every file it writes."""

from __future__ import annotations

from pathlib import Path

import memberlens as ml
from memberlens.report.build import write_report
from memberlens.report.data import STEPS


class Recorder:
    def __init__(self) -> None:
        self.started: list[tuple[str, int | None]] = []
        self.done: list[int] = []
        self.finished = 0

    def start(self, description: str, total: int | None, unit: str = "rows") -> None:
        self.started.append((description, total))

    def update(self, done: int) -> None:
        self.done.append(done)

    def finish(self) -> None:
        self.finished += 1


def test_every_part_and_file_is_reported(small_program_ws: ml.Workspace, tmp_path: Path) -> None:
    heard = Recorder()
    html, xlsx = write_report(small_program_ws, "2025-06", tmp_path, progress=heard)
    assert html.is_file() and xlsx.is_file()
    assert heard.started == [("Building the report", STEPS + 2)]
    assert heard.done == list(range(1, STEPS + 3))  # in order, up to the total
    assert heard.finished == 1
