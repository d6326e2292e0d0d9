"""``experiment analyze`` for five metrics with CUPED beside one hand-written DuckDB query.

    uv run python benchmarks/experiment_compare.py --members 10000000 [--runs 1]
        [--out benchmarks/out] [--workspace WS]

Generates and loads a program of ``--members`` members unless ``OUT/ws-<members>`` exists
(the generator's experiment assigns about 8 % of the members), then runs, as whole child
processes one after the other (``--runs`` rounds):

(a) ``memberlens -w WS experiment analyze EXP2025PUSH --metric … --cuped --format json``;
(b) one hand-written DuckDB query over the same warehouse file (read-only, the workspace's
    ``[engine]`` settings) computing the same per-arm sums: n, and per metric Σx, Σx², the
    pre-period's Σ and Σ², and Σ post·pre.

The arms' sizes and means must agree (1e-9 relative). Wall time and peak RSS per process are
printed and written to ``OUT/experiment-compare-<members>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import GENERATE, INGEST, Measured  # noqa: E402

EXPERIMENT = "EXP2025PUSH"
WINDOW_DAYS = 14
METRICS = ("conversion", "orders", "revenue", "repurchase", "points_redeemed")

ANALYZE = """
import sys
sys.argv = ["memberlens", "-w", {workspace!r}, "experiment", "analyze", {experiment!r},
            *[a for m in {metrics!r} for a in ("--metric", m)], "--window-days", "{window}",
            "--cuped", "--format", "json"]
from memberlens.cli import main
main()
"""

SQL = """
WITH e AS (
    SELECT member_id, variant, assigned_at FROM experiments WHERE experiment_id = '{experiment}'
), o AS (
    SELECT e.member_id,
           count(*) FILTER (WHERE o.ordered_at >= e.assigned_at) AS orders,
           count(*) FILTER (WHERE o.ordered_at < e.assigned_at) AS pre_orders,
           coalesce(sum(o.amount::DOUBLE) FILTER (WHERE o.ordered_at >= e.assigned_at), 0)
               AS revenue,
           coalesce(sum(o.amount::DOUBLE) FILTER (WHERE o.ordered_at < e.assigned_at), 0)
               AS pre_revenue
    FROM orders o JOIN e USING (member_id)
    WHERE o.status = 'paid'
      AND o.ordered_at >= e.assigned_at - INTERVAL {window} DAY
      AND o.ordered_at < e.assigned_at + INTERVAL {window} DAY
    GROUP BY e.member_id
), r AS (
    SELECT e.member_id,
           coalesce(sum(-p.points::DOUBLE) FILTER (WHERE p.at >= e.assigned_at), 0) AS points,
           coalesce(sum(-p.points::DOUBLE) FILTER (WHERE p.at < e.assigned_at), 0) AS pre_points
    FROM points p JOIN e USING (member_id)
    WHERE p.kind = 'redeem'
      AND p.at >= e.assigned_at - INTERVAL {window} DAY
      AND p.at < e.assigned_at + INTERVAL {window} DAY
    GROUP BY e.member_id
), m AS (
    SELECT e.variant,
           (coalesce(o.orders, 0) >= 1)::INT::DOUBLE AS conversion,
           (coalesce(o.pre_orders, 0) >= 1)::INT::DOUBLE AS pre_conversion,
           coalesce(o.orders, 0)::DOUBLE AS orders,
           coalesce(o.pre_orders, 0)::DOUBLE AS pre_orders,
           coalesce(o.revenue, 0) AS revenue, coalesce(o.pre_revenue, 0) AS pre_revenue,
           (coalesce(o.orders, 0) >= 2)::INT::DOUBLE AS repurchase,
           (coalesce(o.pre_orders, 0) >= 2)::INT::DOUBLE AS pre_repurchase,
           coalesce(r.points, 0) AS points_redeemed,
           coalesce(r.pre_points, 0) AS pre_points_redeemed
    FROM e LEFT JOIN o USING (member_id) LEFT JOIN r USING (member_id)
)
SELECT variant, count(*) AS n, {sums} FROM m GROUP BY variant ORDER BY variant
"""

REFERENCE = """
import json, duckdb
con = duckdb.connect({warehouse!r}, read_only=True, config={settings!r})
cursor = con.execute({sql!r})
names = [d[0] for d in cursor.description]
print(json.dumps([dict(zip(names, row)) for row in cursor.fetchall()]))
"""


def child(step: str, code: str) -> Measured:
    """Run ``code`` in a fresh Python: wall time, peak RSS (wait4) and its last JSON line."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read().strip().splitlines()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    if process.returncode != 0:
        raise SystemExit(f"{step} failed with status {process.returncode}")
    detail = json.loads(output[-1]) if output else {}
    return Measured(step, seconds, usage.ru_maxrss / 1024**2, detail)


def sql(experiment: str = EXPERIMENT, window: int = WINDOW_DAYS) -> str:
    """The hand-written query: five sums per metric and arm."""
    sums = []
    for m in METRICS:
        sums += [
            f"sum({m}) AS {m}_sum",
            f"sum({m} * {m}) AS {m}_sum_squares",
            f"sum(pre_{m}) AS {m}_pre_sum",
            f"sum(pre_{m} * pre_{m}) AS {m}_pre_sum_squares",
            f"sum({m} * pre_{m}) AS {m}_sum_post_pre",
        ]
    return SQL.format(experiment=experiment, window=window, sums=", ".join(sums))


def differences(ours: dict[str, object], theirs: list[dict[str, float]]) -> list[str]:
    """Arm sizes and means of (a) against (b)."""
    problems = []
    arms = {r["variant"]: r for r in theirs}
    for arm in ours["arms"]:  # type: ignore[attr-defined]
        if arms[arm["variant"]]["n"] != arm["n"]:
            problems.append(f"n of {arm['variant']}: {arm['n']} vs {arms[arm['variant']]['n']}")
    control = ours["control"]
    for r in ours["results"]:  # type: ignore[attr-defined]
        for variant, mean in ((r["variant"], r["mean"]), (control, r["control_mean"])):
            row = arms[variant]
            expected = row[f"{r['metric']}_sum"] / row["n"]
            if abs(mean - expected) > 1e-9 * max(1.0, abs(expected)):
                problems.append(f"{r['metric']} mean of {variant}: {mean} vs {expected}")
    return problems


def settings_of(workspace: Path) -> dict[str, str | int | bool]:
    from memberlens.config import CONFIG_FILE, load_config

    config = load_config(workspace / CONFIG_FILE)
    settings: dict[str, str | int | bool] = {"autoinstall_known_extensions": False}
    settings.update(config.engine.duckdb_settings())
    return settings


def prepare(out: Path, members: int) -> Path:
    """The loaded workspace of a program of ``members`` members (generated if missing)."""
    from memberlens.schema import LOAD_ORDER

    workspace, data = out / f"ws-{members}", out / f"program-{members}"
    if not (workspace / "warehouse.duckdb").exists():
        if not (data / "truth.json").exists():
            child(
                "generate",
                GENERATE.format(out=str(data), members=members, distribution="bgnbd"),
            )
        child("ingest", INGEST.format(ws=str(workspace), tables=list(LOAD_ORDER), data=str(data)))
    return workspace


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--workspace", type=Path, help="a loaded workspace to use instead of OUT/ws-<members>"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    workspace = args.workspace or prepare(args.out, args.members)
    warehouse = str(workspace / "warehouse.duckdb")
    runs: dict[str, list[Measured]] = {"memberlens": [], "sql": []}
    for _ in range(args.runs):
        runs["memberlens"].append(
            child(
                "memberlens",
                ANALYZE.format(
                    workspace=str(workspace),
                    experiment=EXPERIMENT,
                    metrics=METRICS,
                    window=WINDOW_DAYS,
                ),
            )
        )
        runs["sql"].append(
            child(
                "sql",
                REFERENCE.format(warehouse=warehouse, settings=settings_of(workspace), sql=sql()),
            )
        )
    problems = differences(runs["memberlens"][-1].detail, runs["sql"][-1].detail)  # type: ignore[arg-type]
    if problems:
        raise SystemExit("results differ:\n" + "\n".join(problems))
    seconds = {k: statistics.median(m.seconds for m in v) for k, v in runs.items()}
    rss = {k: max(m.peak_rss_gb for m in v) for k, v in runs.items()}
    assigned = sum(a["n"] for a in runs["memberlens"][-1].detail["arms"])  # type: ignore[index]
    summary: dict[str, object] = {
        "members": args.members,
        "assigned": assigned,
        "seconds": seconds,
        "peak_rss_gb": rss,
        "ratio": seconds["memberlens"] / seconds["sql"],
    }
    print(f"experiment analyze, five metrics with CUPED, {assigned:,} assigned members")
    print("| process | seconds (median) | peak RSS GB |")
    print("|---|---:|---:|")
    for k in runs:
        print(f"| {k} | {seconds[k]:.2f} | {rss[k]:.2f} |")
    print(f"ratio memberlens / sql: {summary['ratio']:.2f}")
    (args.out / f"experiment-compare-{args.members}.json").write_text(
        json.dumps(summary, indent=1), encoding="utf-8"
    )
    return summary


if __name__ == "__main__":
    main()
