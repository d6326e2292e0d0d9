"""RFM segments side by side: memberlens, one hand-written DuckDB query, pandas groupby.

    uv run python benchmarks/rfm_compare.py [--workspace benchmarks/out/ws-10000000]
        [--data benchmarks/out/program-10000000] [--as-of 2025-12-31] [--runs 1]

Three whole child processes, one after the other (``--runs`` rounds of the three), each
writing every scored member's scores and segment to a Parquet file:

(a) memberlens: ``ws.segments.write_rfm(as_of, path)`` on the warehouse (DuckDB writes it);
(b) one DuckDB query (benchmarks/reference_sql.py) over the generator's orders Parquet file,
    ``COPY … TO`` Parquet, with the workspace's ``[engine]`` settings (the same
    ``memory_limit``);
(c) pandas (benchmarks/reference_pandas.py): ``read_parquet`` and ``groupby``.

Each child's input file is read once just before it starts (untimed), so that every child
finds it in the page cache. The three files must hold the same members with the same
recency, frequency and segment (monetary to 1e-9). Wall time and peak RSS (wait4) per process
are printed as a table and written to benchmarks/out/rfm-compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kpi_compare import (  # noqa: E402
    bars,
    print_table,
    settings_of,
    use_bytecode_cache,
    warm,
    with_memory_limit,
)
from run import Measured, child  # noqa: E402

OUT = HERE / "out"

MEMBERLENS = """
import json
import memberlens as ml
written = ml.open({workspace!r}).segments.write_rfm({as_of!r}, {output!r})
print(json.dumps({{"members": written}}))
"""

SQL = """
import json, sys
from datetime import date
sys.path.insert(0, {here!r})
import duckdb
from reference_sql import rfm_query
con = duckdb.connect(config={settings!r})
query = rfm_query({orders!r}, date.fromisoformat({as_of!r}), {window!r}, {ordered!r})
escaped = {output!r}.replace("'", "''")
con.execute(f"COPY ({{query}}) TO '{{escaped}}' (FORMAT parquet)")
print(json.dumps({{"members": con.execute(f"SELECT count(*) FROM '{{escaped}}'").fetchone()[0]}}))
"""

PANDAS = """
import json, sys
from datetime import date
from pathlib import Path
sys.path.insert(0, {here!r})
from reference_pandas import rfm
frame = rfm(Path({orders!r}), date.fromisoformat({as_of!r}), {window!r}, {pushdown!r})
frame.to_parquet({output!r}, index=False)
print(json.dumps({{"members": len(frame)}}))
"""

NAMES = {
    "memberlens": "memberlens ws.segments.write_rfm (warehouse) → Parquet",
    "sql": "one DuckDB query (orders Parquet) → Parquet",
    "pandas": "pandas read_parquet + groupby → Parquet",
}


def compare(files: dict[str, Path]) -> dict[str, list[str]]:
    """Differences of (b) and (c) from (a): members, recency, frequency, segment, monetary."""
    import numpy as np
    import polars as pl

    columns = ["member_id", "recency_days", "frequency", "monetary", "segment"]
    frames = {
        name: pl.read_parquet(path, columns=columns).sort("member_id")
        for name, path in files.items()
    }
    ours = frames["memberlens"]
    found: dict[str, list[str]] = {}
    for other in ("sql", "pandas"):
        theirs = frames[other]
        problems = []
        if ours.height != theirs.height or not ours["member_id"].equals(theirs["member_id"]):
            problems.append(f"members differ: {ours.height} vs {theirs.height}")
        else:
            for column in ("recency_days", "frequency", "segment"):
                unequal = int(
                    (ours[column].cast(pl.String) != theirs[column].cast(pl.String)).sum()
                )
                if unequal:
                    problems.append(f"{column}: {unequal} members differ")
            a = ours["monetary"].cast(pl.Float64).to_numpy()
            b = theirs["monetary"].cast(pl.Float64).to_numpy()
            off = int((abs(a - b) > 1e-9 * np.maximum(abs(a), abs(b))).sum())
            if off:
                problems.append(f"monetary: {off} members differ by more than 1e-9 relative")
        found[other] = problems
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, default=OUT / "ws-10000000")
    parser.add_argument("--data", type=Path, default=OUT / "program-10000000")
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--ordered",
        action="store_true",
        help="the DuckDB query sorts by member_id (as ws.rfm did in the 2026-11-23 runs)",
    )
    parser.add_argument(
        "--pandas-runs", type=int, help="run pandas in only this many rounds (default: all)"
    )
    parser.add_argument(
        "--pandas-pushdown",
        action="store_true",
        help="let pandas pass the row filters to the Parquet reader (a leaner variant)",
    )
    parser.add_argument(
        "--memory-limit",
        help="run (a) and (b) with this [engine] memory_limit instead of the workspace's",
    )
    parser.add_argument("--output", type=Path, default=OUT / "rfm-compare.json")
    args = parser.parse_args()
    use_bytecode_cache()
    data = args.data.resolve()
    workspace = with_memory_limit(args.workspace.resolve(), args.memory_limit)
    settings, _, _ = settings_of(workspace)

    from memberlens.config import CONFIG_FILE, load_config

    rfm = load_config(workspace / CONFIG_FILE).rfm
    if rfm.threshold != "mean" or rfm.monetary != "total":
        raise SystemExit("the references implement mean thresholds and total monetary only")

    files = {name: OUT / f"rfm-{name}.parquet" for name in NAMES}
    fill = {
        "here": str(HERE),
        "pushdown": args.pandas_pushdown,
        "ordered": args.ordered,
        "workspace": str(workspace),
        "orders": str(data / "orders.parquet"),
        "settings": settings,
        "as_of": args.as_of,
        "window": rfm.window_days,
    }
    print(f"DuckDB settings for (a) and (b): {settings}")
    codes = {"memberlens": MEMBERLENS, "sql": SQL, "pandas": PANDAS}
    runs: dict[str, list[Measured]] = {name: [] for name in codes}
    load_before = os.getloadavg()
    orders = data / "orders.parquet"
    inputs = {"memberlens": [workspace / "warehouse.duckdb"], "sql": [orders], "pandas": [orders]}
    for round_ in range(args.runs):
        for name, code in codes.items():
            if name == "pandas" and args.pandas_runs is not None and round_ >= args.pandas_runs:
                continue
            files[name].unlink(missing_ok=True)
            warm(inputs[name])
            measured = child(name, code.format(output=str(files[name]), **fill))
            runs[name].append(measured)
            print(
                f"round {round_ + 1}: {name}: {measured.seconds:.1f} s, "
                f"peak RSS {measured.peak_rss_gb:.2f} GB, {measured.detail['members']:,} members",
                flush=True,
            )

    problems = compare(files)
    seconds = {name: statistics.median(m.seconds for m in runs[name]) for name in codes}
    rss = {name: max(m.peak_rss_gb for m in runs[name]) for name in codes}
    members = runs["memberlens"][-1].detail["members"]
    result = {
        "as_of": args.as_of,
        "workspace": str(workspace),
        "orders": fill["orders"],
        "duckdb_settings": settings,
        "pandas_pushdown": args.pandas_pushdown,
        "sql_ordered": args.ordered,
        "load_average_before_after": [load_before, os.getloadavg()],
        "scored_members": members,
        "seconds": seconds,
        "peak_rss_gb": rss,
        "runs": {name: [m.__dict__ for m in ms] for name, ms in runs.items()},
        **bars(seconds, rss),
        "identical": {other: not p for other, p in problems.items()},
        "differences": problems,
    }
    args.output.write_text(json.dumps(result, indent=1), encoding="utf-8")

    counts = ", ".join(f"{name} {len(ms)}" for name, ms in runs.items())
    title = f"RFM as of {args.as_of}: {members:,} scored members, median of the runs ({counts})"
    print_table(title, NAMES, seconds, rss, problems, "segments", args.output, (3, 1 / 5))


if __name__ == "__main__":
    main()
