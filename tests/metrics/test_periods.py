from datetime import date

import pytest

from memberlens.dates.periods import Grain, latest_full_month, parse_period
from memberlens.errors import InputError


@pytest.mark.parametrize(
    ("text", "grain", "first", "last"),
    [
        ("2025-03-11", Grain.DAY, date(2025, 3, 11), date(2025, 3, 11)),
        ("2025-W10", Grain.WEEK, date(2025, 3, 3), date(2025, 3, 9)),
        ("2025-03", Grain.MONTH, date(2025, 3, 1), date(2025, 3, 31)),
        ("2024-02", Grain.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-Q1", Grain.QUARTER, date(2025, 1, 1), date(2025, 3, 31)),
        ("2025", Grain.YEAR, date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-03-01..2025-03-10", Grain.RANGE, date(2025, 3, 1), date(2025, 3, 10)),
    ],
)
def test_parse(text: str, grain: Grain, first: date, last: date) -> None:
    period = parse_period(text)
    assert (period.grain, period.first, period.last) == (grain, first, last)
    assert str(period) == text


@pytest.mark.parametrize(
    ("text", "previous", "year_ago"),
    [
        ("2025-03-01", "2025-02-28", "2024-03-01"),
        ("2025-W01", "2024-W52", "2024-W01"),
        ("2025-01", "2024-12", "2024-01"),
        ("2025-Q1", "2024-Q4", "2024-Q1"),
        ("2025", "2024", "2024"),
        ("2025-03-01..2025-03-10", "2025-02-19..2025-02-28", "2024-03-01..2024-03-10"),
        ("2024-02-29", "2024-02-28", "2023-02-28"),
        ("2020-W53", "2020-W52", "2019-W52"),
    ],
)
def test_previous_and_year_ago(text: str, previous: str, year_ago: str) -> None:
    period = parse_period(text)
    assert str(period.previous()) == previous
    assert str(period.year_ago()) == year_ago


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-W54", "2025-Q5", "March", "2025-03-10..2025-03-01", ""]
)
def test_bad_periods_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(InputError) as error:
        parse_period(text)
    assert text in str(error.value) or "ends before" in str(error.value)


def test_latest_full_month() -> None:
    assert str(latest_full_month(date(2025, 12, 31))) == "2025-12"
    assert str(latest_full_month(date(2025, 12, 30))) == "2025-11"
