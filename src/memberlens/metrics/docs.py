"""Generate docs/metrics.md from the catalog: ``python -m memberlens.metrics.docs``."""

from __future__ import annotations

import sys
from pathlib import Path

from memberlens.metrics.catalog import METRICS

HEADER = """# Metric catalog

Generated from `memberlens.metrics.catalog` by `make docs`; a test keeps the two in sync.
`memberlens metrics list` prints the same catalog. Periods: a day (`2025-03-11`), ISO week
(`2025-W10`), month (`2025-03`), quarter (`2025-Q1`), year (`2025`) or range
(`2025-03-01..2025-03-31`), in business time. Only paid orders are purchases; a zero
denominator gives no value rather than zero.

| id | 中文 | English | unit | direction | class | definition |
|---|---|---|---|---|---|---|
"""


def render() -> str:
    rows = [
        f"| `{m.id}` | {m.zh} | {m.en} | {m.unit} | {m.direction} | {m.klass} | {m.definition} |"
        for m in METRICS
    ]
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/metrics.md")
    target.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
