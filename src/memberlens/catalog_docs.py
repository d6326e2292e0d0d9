"""Generate docs/metrics.md from the catalog: ``python -m memberlens.catalog_docs``."""

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
    from memberlens.metrics.goals import GOALS
    from memberlens.workspace import load_dimensions, load_metrics

    load_metrics()  # the metrics areas above the catalog register (METRICS grows in place)
    rows = [
        f"| `{m.id}` | {m.zh} | {m.en} | {m.unit} | {m.direction} | {m.klass} | {m.definition} |"
        for m in METRICS
    ]
    dimensions = [
        f"| `{d.id}` | {d.zh} | {d.en} | {d.definition} |" for d in load_dimensions().values()
    ]
    goals = [
        f"| `{g.id}` | {g.zh} | {g.en} | {', '.join(g.core)} | {', '.join(g.related)} | "
        f"{g.compare_by or ''} |"
        for g in GOALS.values()
    ]
    blocks = [
        (HEADER, rows),
        (DIMENSIONS_HEADER, dimensions),
        (GOALS_HEADER, goals),
        (TARGETS_TEXT, []),
    ]
    text = "\n\n".join("\n".join([head.strip("\n"), *lines]) for head, lines in blocks)
    return text + "\n"


DIMENSIONS_HEADER = """
## Dimensions (`--by`)

Every member is in exactly one group as of the period end; `(unknown)` holds members without
a value and facts without a member. `member_revenue_share`, `campaign_cost` and `campaign_roi`
cannot be split by a member dimension.

| id | 中文 | English | definition |
|---|---|---|---|
"""

GOALS_HEADER = """
## Goals (`memberlens goals`)

Each goal is read through its core and related metrics; the trend indicators are their 环比
and 同比 changes (relative for counts and amounts, in points for rates and scores).

| id | 中文 | English | core | related | compared by |
|---|---|---|---|---|---|
"""

TARGETS_TEXT = """
## Targets and status

`[targets.<metric>]` in `memberlens.toml` sets `value = N`, `range = [LOW, HIGH]`, or
`history = "same_period"` (the same period in `periods` earlier years) / `"trailing"` (the
`periods` periods before): mean ± one standard deviation. Inside the band, or beyond it on the
better side, is *on target* (达标); on the worse side by at most `tolerance` (default 5 % of
the bound) is *watch* (关注); further is *off target* (未达标). No target: *no target*; no value:
*no data*.

## Dates and periods outside the data

Every date and period lies in 1900-01-01 .. 2100-12-31 (the ingest window's default): an
earlier or later one (`0001-01-01`, `9999-12`, `2025-01-01..9999-12-31`) is an `InputError`
naming the parameter (`period`, `start`, `end`, `as_of`) and the window, in the Python API
and the HTTP API as on the command line, before any query runs.

Inside the window, a period outside the *order range* (the first to the last day with a paid
member order) has no data: its metrics are null, as in a series that runs past the data.
When **no** period of a request overlaps the order range — `ws.metrics(["aov"], "2099-01")`,
or a series wholly after the data — the answer is still the null rows (a caller can tell
"no data" from an error, and a dashboard keeps its shape), and a `NoDataWarning`
(`memberlens.facts.coverage`) says so, naming the data's range: "No data for 2099-01: the
data runs from 2023-06-01 to 2024-03-21; every value is null." A request that overlaps the
data in at least one period does not warn.

## `metrics --period` in the terminal

The readable table of `metrics --period P` shows every KPI with its name, value, 环比 (vs the
previous period), 同比 (vs a year before), target and status, without `--compare`
(`--no-compare` prints the plain value rows). `--format json` and `--format csv` keep DESIGN's
plain rows `{"metric", "period", "value"}` unless `--compare` asks for the summary's columns.
"""


def main() -> None:
    """``python -m memberlens.catalog_docs [docs/metrics.md]`` writes the catalog page;
    ``python -m memberlens.catalog_docs --snapshots DIR`` the SQL snapshots of every metric,
    the registered ones included (:mod:`memberlens.metrics.snapshots`)."""
    if len(sys.argv) > 1 and sys.argv[1] == "--snapshots":
        from memberlens.metrics.snapshots import main as snapshots
        from memberlens.workspace import load_metrics

        load_metrics()
        snapshots(sys.argv[2:])
        return
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/metrics.md")
    target.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
