"""The hand-made ledger of tests/points/ledger.py, loaded into a fresh workspace."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import memberlens as ml
from points import ledger


@pytest.fixture
def book(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(
        ("members", ledger.MEMBERS),
        ("orders", ledger.ORDERS),
        ("points", ledger.POINTS),
        ("events", ledger.EVENTS),
    )
