"""Targets, statuses and goal templates."""

import pytest

import memberlens as ml
from memberlens.config import parse_config
from memberlens.errors import ConfigError
from memberlens.metrics.catalog import Direction
from memberlens.metrics.targets import Band, Status, check_targets

UP, DOWN, NEUTRAL = Direction.UP, Direction.DOWN, Direction.NEUTRAL


@pytest.mark.parametrize(
    ("band", "value", "direction", "expected"),
    [
        ((0.30, 0.30), 0.31, UP, Status.ON),  # beats a value target
        ((0.30, 0.30), 0.29, UP, Status.WATCH),  # 0.01 short, margin 5 % × 0.30 = 0.015
        ((0.30, 0.30), 0.28, UP, Status.OFF),  # 0.02 short
        ((10.0, 10.0), 10.4, DOWN, Status.WATCH),  # lower is better: 0.4 over, margin 0.5
        ((10.0, 10.0), 9.0, DOWN, Status.ON),
        ((0.4, 0.6), 0.5, NEUTRAL, Status.ON),
        ((0.4, 0.6), 0.61, NEUTRAL, Status.WATCH),  # margin 5 % × 0.6 = 0.03
        ((0.4, 0.6), 0.35, NEUTRAL, Status.OFF),  # margin 5 % × 0.4 = 0.02
        ((0.4, 0.6), 0.9, UP, Status.ON),  # above the range on the better side
        ((0.4, 0.6), None, UP, Status.NO_DATA),
    ],
)
def test_band_status(
    band: tuple[float, float], value: float | None, direction: Direction, expected: Status
) -> None:
    assert Band(*band, "test").status(value, direction, 0.05) is expected


def test_targets_in_the_config_are_validated() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config({"targets": {"aov": {"value": 100, "range": [90, 110]}}})
    assert "give exactly one of value" in str(error.value) and "(got value, range)" in str(
        error.value
    )
    with pytest.raises(ConfigError, match=r"range \[2.0, 1.0\] must be \[LOW, HIGH\]"):
        parse_config({"targets": {"aov": {"range": [2, 1]}}})
    # an unknown metric fails the commands that read targets, naming the key (not every start)
    misspelled = parse_config({"targets": {"repurchse_rate": {"value": 0.3}}})
    with pytest.raises(
        ConfigError, match=r"\[targets.repurchse_rate\].*Did you mean 'repurchase_rate'"
    ):
        check_targets(misspelled)


TARGETS = """
[targets.orders]
history = "trailing"
periods = 2
[targets.repurchase_rate]
value = 0.5
tolerance = 0.5
[targets.nps]
range = [30, 40]
[targets.churned_members]
value = 0
"""


@pytest.fixture
def targeted(shop: ml.Workspace) -> ml.Workspace:
    """The hand-made program with the targets above instead of the default ones."""
    config = shop.root / "memberlens.toml"
    default = config.read_text(encoding="utf-8").split("# Targets:")[0]
    config.write_text(default + TARGETS, encoding="utf-8")
    return ml.open(shop.root)


def test_every_reported_value_carries_a_status(targeted: ml.Workspace) -> None:
    frame = targeted.summary(
        ["orders", "repurchase_rate", "nps", "churned_members", "aov"], "2024-03"
    )
    rows = {r["metric"]: r for r in frame.iter_rows(named=True)}
    # trailing history: February 2 and January 1 orders → 1.5 ± 0.707; March's 4 beats it
    assert rows["orders"]["target_low"] == pytest.approx(1.5 - 0.5**0.5)
    assert rows["orders"]["target_high"] == pytest.approx(1.5 + 0.5**0.5)
    assert rows["orders"]["status"] == "on_target"
    # 1/3 against 0.5: 0.167 short, inside the 50 % tolerance (0.25)
    assert rows["repurchase_rate"]["status"] == "watch"
    # NPS 25 against [30, 40]: 5 short, beyond 5 % of 30
    assert rows["nps"]["status"] == "off_target"
    # churned members: lower is better; 1 against 0 is off target
    assert rows["churned_members"]["status"] == "off_target"
    assert rows["aov"]["status"] == "no_target"


def test_goal_templates_select_core_and_related_metrics(shop: ml.Workspace) -> None:
    [repurchase] = shop.analyses.goals(["raise_repurchase"], "2024-03")
    roles = dict(zip(repurchase.indicators["metric"], repurchase.indicators["role"], strict=True))
    assert [m for m, r in roles.items() if r == "core"] == [
        "repurchase_rate",
        "repurchase_cycle_days",
        "aov",
    ]
    assert repurchase.comparison is not None
    by_group = {
        (r["metric"], r["points_user"]): r["value"]
        for r in repurchase.comparison.iter_rows(named=True)
    }
    # M1 redeemed and bought twice in March; M3 and M4 did not redeem and bought once
    assert by_group[("repurchase_rate", "yes")] == 1.0
    assert by_group[("repurchase_rate", "no")] == 0.0
    assert by_group[("aov", "yes")] == 50.0  # (40 + 60) / 2
    assert by_group[("aov", "no")] == 15.0  # (30 + 0) / 2


def test_unknown_goal(shop: ml.Workspace) -> None:
    with pytest.raises(ml.InputError, match="Did you mean 'raise_awareness'"):
        shop.analyses.goals(["raise_awarness"], "2024-03")
