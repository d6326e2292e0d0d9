"""Readable tables: figures and ids stay whole, 中文 folds, nothing is cropped."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from memberlens.cli import render
from memberlens.cli.app import Format

ROWS = [
    {
        "会员编号": "M00009819",
        "RFM 分群": "重要价值客户",
        "消费额": "2,926,052",
        "消费额占比": "54.3%",
        "环比": "▲ 3.4%",
        **{f"指标{k}": 1234567.0 + k for k in range(6)},
    }
]


def test_a_wide_table_into_a_pipe_keeps_every_cell_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(render, "console", Console(file=io.StringIO(), width=80))
    render.emit(ROWS, Format.table, title="宽表")
    out = capsys.readouterr().out
    for text in ("M00009819", "重要价值客户", "2,926,052", "54.3%", "▲ 3.4%", "1,234,572"):
        assert text in out, text  # on one line: not folded, not cut to "…"
    body = [line for line in out.splitlines() if line.startswith("│")]
    assert body and all(line.endswith("│") for line in body)  # no line cropped at 80
    assert max(map(cell_len, out.splitlines())) > 80


def test_on_a_narrow_terminal_the_table_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    console = Console(file=screen, width=60, force_terminal=True, color_system=None)
    monkeypatch.setattr(render, "console", console)
    render.emit(ROWS, Format.table)
    lines = screen.getvalue().splitlines()
    assert lines and max(map(cell_len, lines)) <= 60


def test_on_a_terminal_text_folds_but_figures_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    console = Console(file=screen, width=30, force_terminal=True, color_system=None)
    monkeypatch.setattr(render, "console", console)
    render.emit([{"分群": "重要价值客户重要价值客户", "消费额": "2,926,052"}], Format.table)
    out = screen.getvalue()
    assert "2,926,052" in out
    assert "重要价值客户重要价值客户" not in out  # folded over lines within 30 cells
    assert max(map(cell_len, out.splitlines())) <= 30
