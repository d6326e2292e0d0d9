"""The two-group statistics against scipy's reference implementation and hand computation."""

import math

import pytest
from scipy import stats

from memberlens.stats.groups import (
    Proportion,
    Sample,
    difference_of_means,
    difference_of_proportions,
)


def sample(values: list[float]) -> Sample:
    return Sample(len(values), sum(values), sum(v * v for v in values))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([40.0, 60.0], [30.0, 0.0]),
        ([1.0, 2.0, 3.0, 4.0, 10.0], [2.0, 2.5, 3.0]),
        ([100.0 + i % 7 for i in range(500)], [103.0 + i % 11 for i in range(800)]),
    ],
)
def test_welch_matches_scipy(a: list[float], b: list[float]) -> None:
    result = difference_of_means(sample(a), sample(b))
    reference = stats.ttest_ind(a, b, equal_var=False)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    interval = reference.confidence_interval(0.95)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high), rel=1e-9)


def test_two_proportions_by_hand() -> None:
    # 1 of 1 against 0 of 2: pooled p = 1/3, se0 = sqrt(1/3 × 2/3 × 1.5) = sqrt(1/3)
    result = difference_of_proportions(Proportion(1, 1), Proportion(2, 0))
    assert result.estimate == 1.0
    assert result.p_value == pytest.approx(2 * stats.norm.sf(math.sqrt(3)))
    # 45/100 against 30/100: Wald se = sqrt(.45 × .55 / 100 + .3 × .7 / 100)
    result = difference_of_proportions(Proportion(100, 45), Proportion(100, 30))
    se = math.sqrt(0.45 * 0.55 / 100 + 0.3 * 0.7 / 100)
    assert (result.low, result.high) == pytest.approx((0.15 - 1.959964 * se, 0.15 + 1.959964 * se))
    pooled = 0.375
    z = 0.15 / math.sqrt(pooled * (1 - pooled) * 0.02)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))


def test_too_little_data_gives_no_interval() -> None:
    assert difference_of_means(sample([5.0]), sample([1.0, 2.0])).p_value is None
    assert difference_of_proportions(Proportion(0, 0), Proportion(3, 1)).estimate is None
