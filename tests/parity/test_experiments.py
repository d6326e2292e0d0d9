"""An experiment's read-out on Spark (Ibis's PySpark backend) equals DuckDB's: the window
bounds are day-time intervals added to each member's assignment time on both engines."""

from typing import Any

import pytest

from memberlens.experiments.analyze import analyze
from parity.conftest import Engines


def _read_out(session: Any) -> dict[str, Any]:
    result = analyze(session, "EXP2025PUSH", window_days=14, cuped=True).to_dict()
    return {(r["metric"], r["variant"]): r for r in result["results"]} | {"arms": result["arms"]}


def test_the_read_out_is_the_same_on_spark(engines: Engines) -> None:
    duck, spark, _ = engines
    expected, found = _read_out(duck), _read_out(spark)
    assert found["arms"] == expected["arms"] and sum(a["n"] for a in found["arms"]) > 10
    assert found.keys() == expected.keys()
    moved = 0
    for key in expected.keys() - {"arms"}:
        for field in ("n", "control_n", "mean", "control_mean", "lift_abs"):
            assert found[key][field] == pytest.approx(expected[key][field], rel=1e-9, abs=1e-12)
        moved += expected[key]["control_mean"] != 0
    assert moved >= 3  # the control's windows hold orders on this program (20 members)
