from pathlib import Path

import pytest

from memberlens.config import Config, default_config_text, load_config, parse_config
from memberlens.errors import ConfigError


def test_default_config_text_is_valid_and_matches_the_model_defaults(tmp_path: Path) -> None:
    path = tmp_path / "memberlens.toml"
    path.write_text(default_config_text(), encoding="utf-8")
    config = load_config(path)
    assert config.model_copy(update={"targets": {}}) == Config()
    assert set(config.targets) == {"repurchase_rate", "redemption_rate", "nps"}
    assert [level.id for level in config.tiers.levels] == ["normal", "silver", "gold", "black"]


def test_unknown_key_names_the_key_and_the_allowed_keys() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({"workspace": {"timezon": "Asia/Shanghai"}})
    message = str(error.value)
    assert "workspace.timezon" in message
    assert "allowed keys here: currency, language, point_value, timezone" in message


def test_bad_values_are_all_reported_with_allowed_values() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(
            {
                "workspace": {"language": "fr", "timezone": "Mars/Base"},
                "rfm": {"monetary": "median"},
            }
        )
    message = str(error.value)
    assert "3 problem(s)" in message
    assert "workspace.language = 'fr'" in message and "'zh' or 'en'" in message
    assert "unknown time zone 'Mars/Base'" in message
    assert "rfm.monetary = 'median'" in message and "'total' or 'average'" in message


def test_fixed_rfm_thresholds_are_accepted() -> None:
    config = parse_config(
        {"rfm": {"threshold": {"recency_days": 30, "frequency": 2, "monetary": 500}}}
    )
    assert not isinstance(config.rfm.threshold, str)
    assert config.rfm.threshold.frequency == 2


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([{"id": "vip", "name": "VIP", "min_spend": 10}], "level 'vip' is the base level"),
        ([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}], "level 'b' has no threshold"),
        (
            [{"id": "a", "name": "A"}, {"id": "a", "name": "A2", "min_orders": 2}],
            "'a' is used twice",
        ),
        ([], "at least one level"),
        (
            [
                {"id": "a", "name": "A"},
                {"id": "gold", "name": "G", "min_spend": 5000},
                {"id": "silver", "name": "S", "min_spend": 1000},
            ],
            "levels out of order: level 'silver' min_spend = 1000 is below level 'gold' "
            "min_spend = 5000",
        ),
        (
            [{"id": "a", "name": "A"}, {"id": "gold", "name": "G", "min_visits": 5}],
            "level 'gold': unknown threshold 'min_visits'; thresholds are min_spend, "
            "min_orders, min_points, min_active_days",
        ),
        (
            [
                {"id": "a", "name": "A"},
                {"id": "vip", "name": "V", "invitation_only": True, "min_orders": 3},
            ],
            "level 'vip' is invitation_only and cannot have thresholds",
        ),
    ],
)
def test_invalid_tier_ladders_name_the_level(
    levels: list[dict[str, object]], expected: str
) -> None:
    with pytest.raises(ConfigError, match=expected):
        parse_config({"tiers": {"levels": levels}})


def test_mapping_section_checks_tables_and_columns() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({"mapping": {"ordres": {"order_id": "单号"}, "orders": {"amout": "金额"}}})
    assert "unknown table 'ordres'" in str(error.value)
    assert "'amout' is not a column of orders" in str(error.value)


def test_missing_config_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="memberlens init"):
        load_config(tmp_path / "memberlens.toml")


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "memberlens.toml"
    path.write_text("[workspace\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
