"""The retail calendar: official days off with 调休, lunar festivals in any year, retail
events and 会员日 from the config — checked against the published arrangements."""

from datetime import date, timedelta

import pytest

import memberlens as ml
from memberlens.config import Config
from memberlens.dates import calendar
from memberlens.dates.calendar import (
    LABELS,
    Kind,
    days_off,
    holiday_days,
    is_workday,
    lunar,
    makeup_workdays,
    occasions,
    same_day_last_year,
    source,
    spring_festival,
)


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_national_day_2024_is_a_golden_week_with_its_make_up_working_days() -> None:
    # 国务院办公厅 2023-10-25: 10月1日至7日放假调休，共7天；
    # 9月29日（星期日）、10月12日（星期六）上班
    assert source(2024) == "chinese-calendar"
    assert all(not is_workday(d) for d in _span(date(2024, 10, 1), date(2024, 10, 7)))
    assert is_workday(date(2024, 9, 29)) and date(2024, 9, 29).weekday() == 6
    assert is_workday(date(2024, 10, 12)) and date(2024, 10, 12).weekday() == 5
    assert is_workday(date(2024, 10, 8)) and not is_workday(date(2024, 10, 13))
    [national] = [
        o for o in occasions(date(2024, 9, 1), date(2024, 10, 31)) if o.id == "national_day"
    ]
    assert (national.kind, national.first, national.last) == (
        Kind.PUBLIC_HOLIDAY,
        date(2024, 10, 1),
        date(2024, 10, 7),
    )
    assert {date(2024, 9, 29), date(2024, 10, 12)} <= set(makeup_workdays(2024))
    # the golden week and its working weekends are unusual days for alerts and baselines
    unusual = holiday_days(date(2024, 9, 20), date(2024, 10, 20))
    assert (
        set(_span(date(2024, 10, 1), date(2024, 10, 7)))
        | {
            date(2024, 9, 29),
            date(2024, 10, 12),
        }
        <= unusual
    )
    assert date(2024, 10, 9) not in unusual


def test_the_spring_festival_exists_outside_2020_2030() -> None:
    # 正月初一: 2015-02-19 (乙未羊年), 2035-02-08 (乙卯兔年), 2000-02-05, 2050-01-23
    assert spring_festival(2015) == date(2015, 2, 19)
    assert spring_festival(2035) == date(2035, 2, 8)
    assert spring_festival(2000) == date(2000, 2, 5)
    assert spring_festival(2050) == date(2050, 1, 23)
    # 2015's days off as published (2月18日至24日放假调休，2月15日、28日上班)
    assert source(2015) == "chinese-calendar"
    [festival] = [
        o for o in occasions(date(2015, 1, 1), date(2015, 12, 31)) if o.id == "spring_festival"
    ]
    assert festival.day == date(2015, 2, 19) and festival.lunar
    assert all(d in days_off(2015) for d in _span(date(2015, 2, 18), date(2015, 2, 24)))
    assert is_workday(date(2015, 2, 15)) and is_workday(date(2015, 2, 28))
    # 2035 is beyond the published arrangements: the statutory days from the holidays package
    assert source(2035) == "holidays"
    assert all(d in days_off(2035) for d in _span(date(2035, 2, 8), date(2035, 2, 10)))
    assert date(2035, 2, 8) in holiday_days(date(2035, 1, 1), date(2035, 12, 31))


def test_qixi_and_the_other_lunar_festivals() -> None:
    assert lunar(2025, 7, 7) == date(2025, 8, 29)  # 七夕 2025
    found = {o.id: o for o in occasions(date(2025, 1, 1), date(2025, 12, 31))}
    assert found["qixi"].day == date(2025, 8, 29) and found["qixi"].kind == Kind.FESTIVAL
    assert found["dragon_boat"].day == date(2025, 5, 31)
    assert found["mid_autumn"].day == date(2025, 10, 6)
    assert found["qingming"].day == date(2025, 4, 4)
    # 2025: 中秋 falls inside the National Day days off (10月1日至8日)
    assert (found["national_day"].first, found["national_day"].last) == (
        date(2025, 10, 1),
        date(2025, 10, 8),
    )
    assert found["mid_autumn"].last == date(2025, 10, 8)


def test_the_retail_events_and_their_labels() -> None:
    found = {o.id: o for o in occasions(date(2025, 1, 1), date(2025, 12, 31))}
    assert {k: found[k].day for k in ("womens_day", "520", "618", "double11", "double12")} == {
        "womens_day": date(2025, 3, 8),
        "520": date(2025, 5, 20),
        "618": date(2025, 6, 18),
        "double11": date(2025, 11, 11),
        "double12": date(2025, 12, 12),
    }
    assert found["618"].first == date(2025, 6, 1)  # pre-sales
    assert found["double11"].first == date(2025, 11, 1)
    # every holiday and event a person reads has both languages
    assert set(found) <= set(LABELS)
    assert (
        found["qixi"].label("zh") == "七夕" and found["national_day"].label("en") == "National Day"
    )
    assert found["womens_day"].label("zh") == "38女神节" and found["double11"].label("zh") == "双11"
    assert all(
        label.zh and label.en and label.zh != label.en
        for k, label in LABELS.items()
        if k not in ("520", "618")
    )


def test_member_days_come_from_the_config() -> None:
    settings = Config.model_validate({"calendar": {"member_days": [18, 31]}}).calendar
    days = [
        o.day
        for o in occasions(date(2025, 1, 1), date(2025, 6, 30), settings)
        if o.kind == Kind.MEMBER_DAY
    ]
    # the 18th of every month, the 31st only where the month has one
    assert days == sorted(
        [date(2025, m, 18) for m in range(1, 7)] + [date(2025, m, 31) for m in (1, 3, 5)]
    )
    weekly = Config.model_validate({"calendar": {"member_weekdays": [3]}}).calendar  # Wednesdays
    days = [
        o.day
        for o in occasions(date(2025, 9, 1), date(2025, 9, 30), weekly)
        if o.kind == Kind.MEMBER_DAY
    ]
    assert days == [date(2025, 9, d) for d in (3, 10, 17, 24)]
    assert date(2025, 9, 17) in holiday_days(date(2025, 9, 1), date(2025, 9, 30), weekly)
    assert date(2025, 9, 17) not in holiday_days(date(2025, 9, 1), date(2025, 9, 30))
    assert not [
        o for o in occasions(date(2025, 1, 1), date(2025, 12, 31)) if o.kind == Kind.MEMBER_DAY
    ]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"member_days": [0]}, "calendar.member_days.0"),
        ({"member_days": [32]}, "calendar.member_days.0"),
        ({"member_weekdays": [8]}, "calendar.member_weekdays.0"),
        ({"member_days": [18, 18]}, "more than once"),
        ({"member_day": [18]}, "member_day"),
    ],
)
def test_bad_member_days_are_refused_naming_the_key(
    section: dict[str, list[int]], message: str
) -> None:
    from memberlens.config import parse_config

    with pytest.raises(ml.ConfigError, match=message):
        parse_config({"calendar": section})


def test_same_day_last_year_follows_the_lunar_festivals() -> None:
    assert same_day_last_year(date(2025, 1, 29)) == date(2024, 2, 10)  # 初一 → 初一
    assert same_day_last_year(date(2025, 1, 26)) == date(2024, 2, 7)  # 年货: three days before
    assert same_day_last_year(date(2025, 8, 29)) == date(2024, 8, 10)  # 七夕 → 七夕
    assert same_day_last_year(date(2025, 10, 3)) == date(2024, 10, 3)  # 国庆 keeps its date
    assert same_day_last_year(date(2025, 11, 11)) == date(2024, 11, 11)
    assert same_day_last_year(date(2025, 7, 15)) == date(2024, 7, 15)
    assert same_day_last_year(date(2024, 2, 29)) == date(2023, 2, 10)  # 19 days after 初一


def test_the_two_sources_agree_where_both_know_the_arrangement() -> None:
    # chinese-calendar and the holidays package both carry the 2024 and 2025 notices
    from holidays.countries.china import China

    for year in (2024, 2025):
        official = China(years=year)
        working = set(official.weekend_workdays)
        by_rule = {
            d
            for d in _span(date(year, 1, 1), date(year, 12, 31))
            if d in official or (d.weekday() >= 5 and d not in working)
        }
        assert by_rule == set(days_off(year)), year


def test_years_outside_the_sources_are_refused() -> None:
    with pytest.raises(ml.InputError, match="covers 1950–2099"):
        spring_festival(2150)
    assert calendar.FIRST_YEAR == 1950
