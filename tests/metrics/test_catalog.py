from pathlib import Path

from memberlens.catalog_docs import render
from memberlens.metrics.catalog import CATALOG, METRICS
from memberlens.metrics.compute import DEFINITIONS

DOCS = Path(__file__).parents[2] / "docs" / "metrics.md"


def test_docs_are_generated_from_the_catalog() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), "run 'make docs'"


def test_every_catalog_metric_has_exactly_one_definition() -> None:
    assert set(DEFINITIONS) == set(CATALOG)
    assert len(METRICS) == len(CATALOG)


def test_every_metric_is_described_in_both_languages() -> None:
    for m in METRICS:
        assert m.zh and m.en and m.definition, m.id
