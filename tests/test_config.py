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


# -- strictness (hostile values) ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"rfm": {"window_days": True}}, "rfm.window_days = True"),
        ({"rfm": {"window_days": "365"}}, "rfm.window_days = '365'"),
        ({"rfm": {"window_days": 99999999999}}, "rfm.window_days = 99999999999"),
        ({"rfm": {"window_days": 36501}}, "rfm.window_days = 36501"),
        ({"workspace": {"point_value": float("inf")}}, "workspace.point_value = inf"),
        ({"workspace": {"point_value": float("nan")}}, "workspace.point_value = nan"),
        ({"workspace": {"point_value": "0.01"}}, "workspace.point_value = '0.01'"),
        ({"churn": {"inactive_days": 1.5}}, "churn.inactive_days = 1.5"),
        ({"tiers": {"window_days": False}}, "tiers.window_days = False"),
        ({"engine": {"threads": 100000}}, "engine.threads = 100000"),
        ({"engine": {"threads": "4"}}, "engine.threads = '4'"),
        ({"engine": {"memory_limit": "1KB"}}, "engine.memory_limit = '1KB'"),
        ({"engine": {"memory_limit": "'8GB'"}}, "engine.memory_limit = \"'8GB'\""),
        ({"engine": {"memory_limit": "lots"}}, "engine.memory_limit = 'lots'"),
        ({"engine": {"memory_limit": "150%"}}, "engine.memory_limit = '150%'"),
        ({"workspace": {"timezone": "posixrules"}}, "workspace.timezone = 'posixrules'"),
        ({"workspace": {"timezone": "localtime"}}, "workspace.timezone = 'localtime'"),
        ({"ingest": {"decimal": ";"}}, "ingest.decimal = ';'"),
        ({"targets": {"nps": {"range": ["10", 20]}}}, "targets.nps.range.0 = '10'"),
    ],
)
def test_hostile_values_are_refused_with_their_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(data)
    assert key in str(error.value)


def test_the_date_window_must_be_ordered() -> None:
    from datetime import date

    with pytest.raises(ConfigError, match="min_date 2000-01-01 must be before max_date"):
        parse_config({"ingest": {"min_date": date(2000, 1, 1), "max_date": date(1999, 1, 1)}})
    config = parse_config({"ingest": {"min_date": date(1950, 1, 1)}})
    assert config.ingest.min_date == date(1950, 1, 1)
    assert config.ingest.max_date == date(2100, 12, 31)


def test_memory_limits_are_parsed_before_they_reach_the_engine() -> None:
    from memberlens.config import parse_memory

    assert parse_memory("8GB") == "8000MB"
    assert parse_memory(" 512 MiB ") == "536MB"
    assert parse_memory("64MB") == "64MB"
    assert parse_memory("80%") == "80%"
    config = parse_config({"engine": {"memory_limit": "2gb", "threads": 1}})
    assert config.engine.duckdb_settings() == {"memory_limit": "2000MB", "threads": 1}


def test_valid_numbers_still_pass_strict_validation() -> None:
    config = parse_config(
        {
            "workspace": {"point_value": 1},  # an integer where a float belongs is a number
            "targets": {"nps": {"range": [10, 20.5]}},
            "engine": {"threads": 2, "lock_wait_seconds": 30},
        }
    )
    assert config.workspace.point_value == 1.0
    assert config.targets["nps"].range == (10.0, 20.5)
    assert config.engine.duckdb_settings()["memberlens_lock_wait_seconds"] == "30.0"


def test_a_missing_invitations_file_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "memberlens.toml"
    path.write_text('[tiers]\ninvitations = "gone.csv"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tiers\.invitations = 'gone\.csv': no such file"):
        load_config(path)
    (tmp_path / "gone.csv").write_text("member_id,tier,valid_from\n", encoding="utf-8")
    assert load_config(path).tiers.invitations == "gone.csv"
