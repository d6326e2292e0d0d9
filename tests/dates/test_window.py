"""Dates outside 1900-01-01 .. 2100-12-31 are refused with an error naming the parameter,
and no period arithmetic ends in OverflowError."""

from __future__ import annotations

from datetime import date

import pytest

from memberlens.dates.periods import (
    EARLIEST,
    LATEST,
    Grain,
    Period,
    check_day,
    parse_period,
)
from memberlens.errors import InputError


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01",
        "9999-12-31",
        "0001",
        "9999",
        "9999-12",
        "0001-01",
        "9999-Q4",
        "0001-W01",
        "9999-W52",
        "1899-12-31",
        "2101-01-01",
        "0001-01-01..9999-12-31",
        "2025-01-01..9999-12-31",
    ],
)
def test_a_period_outside_the_window_names_the_parameter(text: str) -> None:
    with pytest.raises(InputError, match="1900-01-01 to 2100-12-31") as caught:
        parse_period(text, parameter="period")
    assert caught.value.parameter == "period"
    assert caught.value.value == text


def test_the_window_edges_are_accepted() -> None:
    assert parse_period("1900-01-01").first == EARLIEST
    assert parse_period("2100").last == LATEST
    assert parse_period("1900-01-01..2100-12-31").days == (LATEST - EARLIEST).days + 1


def test_an_unreadable_period_names_the_parameter_too() -> None:
    with pytest.raises(InputError, match="Cannot read period") as caught:
        parse_period("-0044-03-15", parameter="end")
    assert caught.value.parameter == "end"


@pytest.mark.parametrize(
    "period",
    [
        Period(Grain.DAY, date(1, 1, 1), date(1, 1, 1)),
        Period(Grain.RANGE, date(1, 1, 1), date(9999, 12, 31)),
        Period(Grain.MONTH, date(1, 1, 1), date(1, 1, 31)),
        Period(Grain.YEAR, date(1, 1, 1), date(1, 12, 31)),
        Period(Grain.WEEK, date(1, 1, 1), date(1, 1, 7)),
        Period(Grain.QUARTER, date(1, 1, 1), date(1, 3, 31)),
    ],
)
def test_no_period_before_year_1_is_an_input_error(period: Period) -> None:
    with pytest.raises(InputError, match="in the calendar") as caught:
        period.previous()
    assert caught.value.parameter == "period"
    with pytest.raises(InputError, match="in the calendar"):
        period.year_ago()


@pytest.mark.parametrize(
    "period",
    [
        Period(Grain.DAY, date(9999, 12, 31), date(9999, 12, 31)),
        Period(Grain.MONTH, date(9999, 12, 1), date(9999, 12, 31)),
        Period(Grain.YEAR, date(9999, 1, 1), date(9999, 12, 31)),
        Period(Grain.WEEK, date(9999, 12, 27), date(9999, 12, 31)),
    ],
)
def test_no_period_after_year_9999_is_an_input_error(period: Period) -> None:
    with pytest.raises(InputError, match="in the calendar"):
        period.next()


def test_neighbours_at_the_window_edges_still_work() -> None:
    # 1900-01 has a previous month and a year-ago month (they hold no data, but exist)
    assert str(parse_period("1900-01").previous()) == "1899-12"
    assert str(parse_period("1900-W01").year_ago()) == "1899-W01"
    assert str(parse_period("2100-12").next()) == "2101-01"


def test_check_day_names_the_parameter_and_the_value() -> None:
    assert check_day(date(2025, 3, 1), "as_of") == date(2025, 3, 1)
    with pytest.raises(InputError, match=r"as_of 0001-01-01: dates must lie") as caught:
        check_day(date(1, 1, 1), "as_of")
    assert (caught.value.parameter, caught.value.value) == ("as_of", "0001-01-01")
