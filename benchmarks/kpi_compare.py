"""The monthly core metric set side by side: memberlens, hand-written DuckDB SQL, pandas.

    uv run python benchmarks/kpi_compare.py [--workspace benchmarks/out/ws-10000000]
        [--data benchmarks/out/program-10000000] [--period 2025-12] [--runs 1] [--set nine]
        [--via cli]

Three whole child processes, one after the other (``--runs`` rounds of the three):

(a) memberlens: ``ws.metrics(core ids, period)`` on the workspace; with ``--via cli`` the
    command line instead, ``memberlens -w WS metrics IDS --period P --format json``, served
    by the warm process of ``memberlens.launch`` as a user's command is (one untimed run
    first starts it; its peak RSS is then the caller's only, not the fork's);
(b) hand-written DuckDB SQL (benchmarks/reference_sql.py) over the same warehouse file,
    opened read-only with the workspace's ``[engine]`` settings (the same ``memory_limit``);
(c) pandas (benchmarks/reference_pandas.py) over the generator's Parquet files.

Each prints its values as JSON; they must be identical (1e-9 relative, nulls equal). Each
child's input files are read once just before it starts (untimed), so every child finds them
in the page cache whatever ran before it. Before timing, a child checks that the warehouse
holds exactly the Parquet files' rows and that nothing was quarantined. Wall time and peak
RSS (wait4) per process are printed as a table and written to benchmarks/out/kpi-compare.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reference_common import CORE_IDS, NINE_IDS, differences  # noqa: E402
from run import Measured, child  # noqa: E402

OUT = HERE / "out"

CHECK = """
import json, sys
sys.path.insert(0, {here!r})
import duckdb, pyarrow.parquet as pq
con = duckdb.connect({warehouse!r}, read_only=True, config={settings!r})
rows = {{}}
for table in {tables!r}:
    stored = con.execute(f'SELECT count(*) FROM "{{table}}"').fetchone()[0]
    source = pq.ParquetFile({data!r} + "/" + table + ".parquet").metadata.num_rows
    rows[table] = [stored, source]
quarantined = con.execute("SELECT count(*) FROM _quarantine").fetchone()[0]
print(json.dumps({{"rows": rows, "quarantined": quarantined}}))
"""

MEMBERLENS = """
import json, time
import memberlens as ml
from memberlens.metrics.catalog import METRICS
started = time.perf_counter()
ws = ml.open({workspace!r})
ids = {ids!r} or [m.id for m in METRICS if m.klass == "core"]
frame = ws.metrics(ids, {period!r})
values = dict(zip(frame["metric"].to_list(), frame["value"].to_list(), strict=True))
print(json.dumps({{"values": values, "seconds_in_process": time.perf_counter() - started}}))
"""

MEMBERLENS_CLI = """
import json, subprocess, time
started = time.perf_counter()
done = subprocess.run(
    [{script!r}, "-w", {workspace!r}, "metrics", *{ids!r}, "--period", {period!r},
     "--format", "json"],
    capture_output=True, text=True, check=True,
)
rows = json.loads(done.stdout)
rows = rows["rows"] if isinstance(rows, dict) else rows
values = {{r["metric"]: r["value"] for r in rows}}
print(json.dumps({{"values": values, "seconds_in_process": time.perf_counter() - started}}))
"""

SQL = """
import json, sys, time
sys.path.insert(0, {here!r})
started = time.perf_counter()
import duckdb
import reference_sql
from reference_sql import {function}
con = duckdb.connect({warehouse!r}, read_only=True, config={settings!r})
values = {function}(con, {period!r}, {inactive_days!r}, {point_value!r})
print(json.dumps({{"values": values, "seconds_in_process": time.perf_counter() - started,
                  "parts": reference_sql.TIMES}}))
"""

PANDAS = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {here!r})
started = time.perf_counter()
from reference_pandas import core_metrics
values = core_metrics(
    Path({data!r}), {period!r}, {inactive_days!r}, {point_value!r}, {pushdown!r}
)
values = {{k: v for k, v in values.items() if not {ids!r} or k in {ids!r}}}
print(json.dumps({{"values": values, "seconds_in_process": time.perf_counter() - started}}))
"""

WARM_UP = """
import sys
sys.path.insert(0, {here!r})
import duckdb, ibis, pandas, polars, pyarrow.parquet
import ibis.backends.duckdb, ibis.backends.duckdb.converter, ibis.formats.pandas
import memberlens.metrics.evaluate, memberlens.segments.rfm, memberlens.workspace
import reference_pandas, reference_sql
"""

NAMES = {
    "memberlens": "memberlens ws.metrics (warehouse)",
    "sql": "hand-written DuckDB SQL (warehouse)",
    "pandas": "pandas (Parquet files)",
}


def use_bytecode_cache() -> None:
    """Let the children cache compiled bytecode, as an installed package does.

    This machine's environment sets PYTHONDONTWRITEBYTECODE=1, which makes every process
    compile every module it imports from source (about 3-5 s for Ibis, pandas and Polars);
    the cache goes to benchmarks/out/pycache, and a first untimed child fills it.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")
    child("warm-up", WARM_UP.format(here=str(HERE)))


def warm(paths: list[Path]) -> None:
    """Read files once (untimed) so that every child finds its input in the page cache: a
    child that runs after pandas would otherwise pay for the disk reads pandas evicted."""
    for path in paths:
        with path.open("rb") as f:
            while f.read(1 << 24):
                pass


def with_memory_limit(workspace: Path, limit: str | None) -> Path:
    """The workspace, or a second view of it whose config sets ``[engine] memory_limit`` to
    ``limit``: a folder under benchmarks/out with the same config otherwise and a link to the
    same warehouse file (opened read-only; the workspace itself is left untouched)."""
    if limit is None:
        return workspace
    from memberlens.config import CONFIG_FILE

    view = OUT / f"{workspace.name}-memory-{limit}"
    view.mkdir(exist_ok=True)
    link = view / "warehouse.duckdb"
    if not link.is_symlink():
        link.symlink_to(workspace / "warehouse.duckdb")
    text = (workspace / CONFIG_FILE).read_text(encoding="utf-8")
    setting = f'memory_limit = "{limit}"'
    text, found = re.subn(r"(?m)^memory_limit\s*=.*$", setting, text)
    if not found:
        text, found = re.subn(r"(?m)^\[engine\]$", f"[engine]\n{setting}", text)
    if not found:
        text += f"\n[engine]\n{setting}\n"
    (view / CONFIG_FILE).write_text(text, encoding="utf-8")
    return view


def settings_of(workspace: Path) -> tuple[dict[str, str | int | bool], int, float]:
    """DuckDB settings, churn.inactive_days and point_value from the workspace's config."""
    from memberlens.config import CONFIG_FILE, load_config

    config = load_config(workspace / CONFIG_FILE)
    settings: dict[str, str | int | bool] = {"autoinstall_known_extensions": False}
    settings.update(config.engine.duckdb_settings())
    return settings, config.churn.inactive_days, config.workspace.point_value


def check_core_ids() -> None:
    from memberlens.metrics.catalog import METRICS

    core = tuple(m.id for m in METRICS if m.klass == "core")
    if set(core) != set(CORE_IDS):
        raise SystemExit(f"the catalog's core metrics changed: {core} (references: {CORE_IDS})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, default=OUT / "ws-10000000")
    parser.add_argument("--data", type=Path, default=OUT / "program-10000000")
    parser.add_argument("--period", default="2025-12")
    parser.add_argument(
        "--set",
        choices=("core", "nine"),
        default="core",
        help="the catalog's core metrics, or the nine of orders and members (NINE_IDS, "
        "against SQL only: the pandas reference computes the core set)",
    )
    parser.add_argument("--runs", type=int, default=1)
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
    parser.add_argument(
        "--via",
        choices=("api", "cli"),
        default="api",
        help="memberlens through the Python API (a child calling ws.metrics) or the command "
        "line (the console script, warm)",
    )
    parser.add_argument("--output", type=Path, default=OUT / "kpi-compare.json")
    args = parser.parse_args()
    use_bytecode_cache()
    check_core_ids()
    workspace, data = args.workspace.resolve(), args.data.resolve()
    original = workspace
    workspace = with_memory_limit(workspace, args.memory_limit)
    settings, inactive_days, point_value = settings_of(workspace)
    warehouse = str(workspace / "warehouse.duckdb")
    fill = {
        "here": str(HERE),
        "pushdown": args.pandas_pushdown,
        "workspace": str(workspace),
        "warehouse": warehouse,
        "data": str(data),
        "settings": settings,
        "period": args.period,
        "ids": list(NINE_IDS) if args.set == "nine" else [],
        "script": str(Path(sys.executable).with_name("memberlens")),
        "function": "nine_metrics" if args.set == "nine" else "core_metrics",
        "inactive_days": inactive_days,
        "point_value": point_value,
    }

    tables = ["members", "orders", "points", "events", "surveys"]
    check = child(
        "check",
        CHECK.format(tables=tables, **{**fill, "warehouse": str(original / "warehouse.duckdb")}),
    ).detail
    rows = check["rows"]
    assert isinstance(rows, dict)
    unequal = {t: r for t, r in rows.items() if r[0] != r[1]}
    if unequal or check["quarantined"]:
        raise SystemExit(f"warehouse and Parquet differ: {unequal}, quarantined {check}")
    print(f"rows (warehouse = Parquet): {json.dumps({t: r[0] for t, r in rows.items()})}")
    print(f"DuckDB settings for (a) and (b): {settings}")

    codes = {"memberlens": MEMBERLENS, "sql": SQL, "pandas": PANDAS}
    if args.via == "cli":
        codes["memberlens"] = MEMBERLENS_CLI
        if not fill["ids"]:
            fill["ids"] = list(CORE_IDS)
        from commands import wait_until_warm

        started = time.time()
        child("warm start", MEMBERLENS_CLI.format(**fill))  # starts the warm process
        wait_until_warm(started)
    if args.set == "nine" or args.pandas_runs == 0:  # pandas computes the core set only
        del codes["pandas"]
    runs: dict[str, list[Measured]] = {name: [] for name in codes}
    load_before = os.getloadavg()
    inputs = {
        "memberlens": [Path(warehouse)],
        "sql": [Path(warehouse)],
        "pandas": [data / f"{table}.parquet" for table in tables],
    }
    for round_ in range(args.runs):
        for name, code in codes.items():
            if name == "pandas" and args.pandas_runs is not None and round_ >= args.pandas_runs:
                continue
            warm(inputs[name])
            measured = child(name, code.format(**fill))
            runs[name].append(measured)
            print(
                f"round {round_ + 1}: {name}: {measured.seconds:.1f} s, "
                f"peak RSS {measured.peak_rss_gb:.2f} GB",
                flush=True,
            )

    values = {name: runs[name][-1].detail["values"] for name in codes}
    problems = {
        other: differences(values["memberlens"], values[other])  # type: ignore[arg-type]
        for other in codes
        if other != "memberlens"
    }
    seconds = {name: statistics.median(m.seconds for m in runs[name]) for name in codes}
    rss = {name: max(m.peak_rss_gb for m in runs[name]) for name in codes}
    result = {
        "period": args.period,
        "set": args.set,
        "via": args.via,
        "workspace": str(workspace),
        "data": str(data),
        "duckdb_settings": settings,
        "pandas_pushdown": args.pandas_pushdown,
        "rows": {t: r[0] for t, r in rows.items()},
        "load_average_before_after": [load_before, os.getloadavg()],
        "seconds": seconds,
        "peak_rss_gb": rss,
        "runs": {name: [m.__dict__ for m in ms] for name, ms in runs.items()},
        **bars(seconds, rss),
        "identical": {other: not p for other, p in problems.items()},
        "differences": problems,
        "values": values["memberlens"],
        "sql_parts": [m.detail.get("parts", {}) for m in runs["sql"]],
    }
    args.output.write_text(json.dumps(result, indent=1), encoding="utf-8")

    counts = ", ".join(f"{name} {len(ms)}" for name, ms in runs.items())
    what = (
        f"nine metrics of orders and members ({', '.join(NINE_IDS)})"
        if args.set == "nine"
        else f"core metrics ({len(CORE_IDS)})"
    )
    title = f"{what} for {args.period}, median of the runs ({counts})"
    names = {name: NAMES[name] for name in codes}
    if args.via == "cli":
        names["memberlens"] = "memberlens metrics … --format json (command line, warm)"
    print_parts([m.detail.get("parts", {}) for m in runs["sql"]])
    print_table(title, names, seconds, rss, problems, "values", args.output)


def print_parts(runs: list[Any]) -> None:
    """The hand-written SQL's seconds per query (median over the rounds)."""
    parts = runs[-1] if runs else {}
    if not parts:
        return
    print("\n| hand-written query | seconds (median of the rounds) |\n|---|---:|")
    for part in parts:
        print(f"| {part} | {statistics.median(r[part] for r in runs):.2f} |")


#: memberlens ÷ hand-written SQL, whole processes: the bar of the performance issue
SQL_BAR = 1.3


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def bars(seconds: dict[str, float], rss: dict[str, float]) -> dict[str, float]:
    """The three ratios: memberlens ÷ SQL time, pandas ÷ memberlens time, memberlens ÷
    pandas peak RSS (the last two when pandas ran)."""
    found = {"memberlens_vs_sql_time": seconds["memberlens"] / seconds["sql"]}
    if "pandas" in seconds:
        found["pandas_vs_memberlens_time"] = seconds["pandas"] / seconds["memberlens"]
        found["memberlens_vs_pandas_rss"] = rss["memberlens"] / rss["pandas"]
    return found


def print_table(
    title: str,
    names: dict[str, str],
    seconds: dict[str, float],
    rss: dict[str, float],
    problems: dict[str, list[str]],
    what: str,
    output: Path,
    pandas_bars: tuple[float, float] = (2, 1 / 3),
) -> None:
    """The side-by-side table and the bars (``pandas_bars``: how many times faster than
    pandas, at most which share of its peak memory); exits non-zero when the results
    differ."""
    print(f"\n{title}\n")
    print("| implementation | seconds | peak RSS GB | time ÷ memberlens | RSS ÷ memberlens |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        print(
            f"| {names[name]} | {seconds[name]:.1f} | {rss[name]:.2f} | "
            f"{seconds[name] / seconds['memberlens']:.2f} | "
            f"{rss[name] / rss['memberlens']:.2f} |"
        )
    ratios = bars(seconds, rss)
    time_vs_sql = ratios["memberlens_vs_sql_time"]
    met = _met(time_vs_sql <= SQL_BAR)
    line = f"\nmemberlens / SQL time {time_vs_sql:.2f} (bar ≤ {SQL_BAR}: {met})"
    if "pandas" in seconds:
        speed, share = ratios["pandas_vs_memberlens_time"], ratios["memberlens_vs_pandas_rss"]
        line += (
            f"; pandas / memberlens time {speed:.2f} (bar ≥ {pandas_bars[0]:g}: "
            f"{_met(speed >= pandas_bars[0])}); memberlens / pandas peak RSS {share:.2f} "
            f"(bar ≤ {pandas_bars[1]:g}: {_met(share <= pandas_bars[1])})"
        )
    print(line)
    for other, found in problems.items():
        print(f"{what} memberlens vs {other}: {found or 'identical'}")
    print(f"written {output}")
    if any(problems.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
