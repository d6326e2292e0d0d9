"""The registry of member features defined above the models: windows, fill rules, 0/1."""

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
import pytest

from memberlens.models.churn import extra


def _compute(session: Any, windows: Sequence[tuple[date, date]]) -> Any:
    frames = [
        pl.DataFrame({"member_id": ["A"], "said": [float(i + 1)], "t_1": [1], "mood": [0.5]})
        for i, _ in enumerate(windows)
    ]
    return frames, {"t_1": "积分 / 到账"}


def test_registered_features_join_each_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extra, "SOURCES", {})
    source = extra.FeatureSource(
        "fake", "a test source", _compute, no_fill=frozenset({"mood"}), binary_prefix="t_"
    )
    extra.register(source)
    windows = [(date(2025, 1, 1), date(2025, 2, 1)), (date(2025, 2, 1), date(2025, 3, 1))]
    found = extra.extra_features(None, windows)  # type: ignore[arg-type]
    assert found.columns == ("said", "t_1", "mood")
    assert found.binary == {"t_1"} and found.labels == {"t_1": "积分 / 到账"}
    base = pl.DataFrame({"member_id": ["A", "B"], "x": [1, 2]})
    second = found.join(base, 1).sort("member_id").to_dicts()
    assert second[0] == {"member_id": "A", "x": 1, "said": 2.0, "t_1": 1, "mood": 0.5}
    # an absent member: counts and flags 0, the no_fill column stays missing
    assert second[1] == {"member_id": "B", "x": 2, "said": 0.0, "t_1": 0, "mood": None}
    assert extra.extra_features(None, windows, sources=[]).columns == ()  # type: ignore[arg-type]
