"""How values are written for people: the read-outs' shares, lifts and significant digits."""

from __future__ import annotations

import math

import pytest

from memberlens import formatting


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (0.125, False, "12.5 %"),
        (0.048, True, "+4.8 %"),
        (-0.12, True, "-12.0 %"),
        (0.0, True, "+0.0 %"),
        (None, False, "–"),
        (math.nan, True, "–"),
        (math.inf, False, "–"),
    ],
)
def test_percent(value: float | None, signed: bool, expected: str) -> None:
    assert formatting.percent(value, signed=signed) == expected


def test_significant_and_the_empty_marker() -> None:
    assert formatting.significant(136.6049) == "136.6"
    assert formatting.significant(0.0421337) == "0.04213"
    assert formatting.significant(None, empty="—") == "—"
    assert formatting.significant(math.nan) == "–"
    assert formatting.percent(None, empty="—") == "—"
