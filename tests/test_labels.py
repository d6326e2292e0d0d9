"""labels.resolve: one resolver from a typed name (id, 中文 or English) to an id."""

from __future__ import annotations

import pytest

from memberlens.errors import InputError
from memberlens.labels import CHANNELS, HEADERS, NOT_SCORED, UNKNOWN, Label, find, header, resolve


def test_an_id_its_chinese_and_its_english_name_resolve_to_the_id() -> None:
    assert resolve("channel", "mini_program", CHANNELS) == "mini_program"
    assert resolve("channel", "小程序", CHANNELS) == "mini_program"
    # case, spaces, underscores and full-width letters do not matter
    assert resolve("channel", "Mini Program", CHANNELS) == "mini_program"
    assert resolve("channel", "ＡＰＰ", CHANNELS) == "app"
    assert find("no such", CHANNELS) is None


def test_an_unknown_name_suggests_the_closest_name_in_its_language() -> None:
    with pytest.raises(InputError, match=r"Did you mean '小程序'\?") as raised:
        resolve("channel", "小城序", CHANNELS, parameter="channel")
    assert raised.value.parameter == "channel"
    assert "Valid channels: app, ecommerce, mini_program, store." in str(raised.value)
    with pytest.raises(InputError, match=r"Did you mean 'Mini program'\?"):
        resolve("channel", "Mini progrm", {"mini_program": Label("小程序", "Mini program")})


def test_headers_and_the_unknown_group() -> None:
    assert header("members", "zh") == "会员数" and header("members", "en") == "Members"
    assert header("not_a_column", "zh") == "not_a_column"
    assert "tier" in HEADERS
    assert (UNKNOWN("zh"), UNKNOWN("en")) == ("(未知)", "(unknown)")
    assert (NOT_SCORED("zh"), NOT_SCORED("en")) == ("(未评分)", "(not scored)")
