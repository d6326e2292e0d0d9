"""Database URLs: the drivers of the optional extras, and the install line when missing."""

from __future__ import annotations

import sys

import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.ingest.sources import with_driver


def test_plain_urls_use_the_drivers_of_the_extras() -> None:
    assert with_driver("postgresql://u@db/crm") == "postgresql+psycopg://u@db/crm"
    assert with_driver("postgres://u@db/crm") == "postgresql+psycopg://u@db/crm"
    assert with_driver("mysql://u@db/crm") == "mysql+pymysql://u@db/crm"
    # a URL that names its driver, and other databases, are kept
    assert with_driver("postgresql+psycopg2://u@db/crm") == "postgresql+psycopg2://u@db/crm"
    assert with_driver("sqlite:///a.db") == "sqlite:///a.db"


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [
        ("postgresql://user@localhost/crm", "psycopg", "postgres"),
        ("mysql://user@localhost/crm", "pymysql", "mysql"),
    ],
)
def test_a_missing_driver_names_the_extra(
    ws: ml.Workspace, monkeypatch: pytest.MonkeyPatch, url: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(InputError, match=rf"pip install 'memberlens\[{extra}\]'"):
        ws.ingest("points", url, sql_table="points_ledger")
