"""CLV benchmarks: summary + BG/NBD + Gamma-Gamma fits, as whole processes.

    uv run python benchmarks/clv.py side-by-side [--members 1000000] [--calibration-end D]
        [--program generated|true]
    uv run python benchmarks/clv.py scale benchmarks/out/ws-10000000 [--calibration-end D]

``side-by-side`` uses the generated program ``benchmarks/out/program-N`` (made with
``memberlens generate`` when missing) and a workspace ``benchmarks/out/ws-clv-N`` holding its
members and orders (loaded when missing; loading is not timed). With ``--program true`` it
uses instead a program drawn from the BG/NBD and Gamma-Gamma processes themselves, with the
generator's parameters (:func:`true_program`: ``benchmarks/out/program-clv-true-N``, about
4.2 orders per customer), so the fits can be checked against the planted values too. It then
runs, one after the other, two child processes and reports each one's wall time and peak RSS
(``wait4``):

* memberlens: open the workspace, the DESIGN §8 summary in DuckDB, BG/NBD and Gamma-Gamma;
* lifetimes (in benchmarks/out/lifetimes-venv, see benchmarks/clv_reference.py): read the
  same orders from Parquet, ``summary_data_from_transaction_data``, ``BetaGeoFitter`` and
  ``GammaGammaFitter``, all with their defaults;

and the largest relative difference of the seven parameters. Both sides read compiled
bytecode from a private cache filled before timing (see ``PYCACHE``).

``scale`` times memberlens alone on an already loaded workspace (opened read-only), once
for summary + fits and once with the per-member predictions (P(alive), expected purchases,
expected spend and CLV) as well.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
LIFETIMES_PYTHON = OUT / "lifetimes-venv" / "bin" / "python"
REFERENCE = Path(__file__).resolve().parent / "clv_reference.py"

WORKER = """
import json, time
from datetime import date
started = time.perf_counter()
import memberlens as ml
from memberlens.models.clv.model import TimeUnit, predict, summarise_and_fit
imported = time.perf_counter()
ws = ml.open({ws!r})
with ws.session() as session:
    summary, purchase, spend = summarise_and_fit(
        session, date.fromisoformat({end!r}), TimeUnit.day
    )
fitted = time.perf_counter()
seconds = {{"imports": imported - started, "summary_and_fit": fitted - imported}}
if {predict!r}:
    members = predict(purchase, spend, summary, TimeUnit.day, 12, 0.10)
    seconds["predict"] = time.perf_counter() - fitted
print(json.dumps({{
    "customers": summary.size,
    "bgnbd": purchase.params_,
    "gamma_gamma": spend.params_,
    "converged": purchase.converged_ and spend.converged_,
    "warnings": purchase.warnings_ + spend.warnings_,
    "seconds": seconds,
}}))
"""


#: both sides read compiled bytecode from this cache, as an installed package would: the
#: machine sets PYTHONDONTWRITEBYTECODE=1, which otherwise makes every process compile its
#: imports from source (half a second for scipy alone)
PYCACHE = OUT / "pycache"
WARM_UP = {
    "memberlens": "import memberlens.models.clv.model, memberlens.models.clv.bgnbd, "
    "memberlens.models.clv.gammagamma, memberlens.workspace",
    "lifetimes": "import lifetimes, lifetimes.utils, pandas, pyarrow.parquet",
}


def child_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def warm_up(python: str, side: str) -> None:
    """Fill the bytecode cache for one side's imports (untimed)."""
    subprocess.run([python, "-c", WARM_UP[side]], check=True, env=child_environment())


def measure(command: list[str]) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, peak RSS in GB, the JSON the process printed last)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=child_environment())
    assert process.stdout is not None
    output = process.stdout.read()  # small; read before wait4 so the pipe never fills
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:3]} failed with status {status}")
    return seconds, usage.ru_maxrss / 1024**2, json.loads(output[output.index("{") :])


def memberlens_command(workspace: Path, end: str, predict: bool) -> list[str]:
    return [sys.executable, "-c", WORKER.format(ws=str(workspace), end=end, predict=predict)]


def prepare(members: int, kind: str, end: str) -> tuple[Path, Path]:
    """The program and a workspace with its members and orders (untimed)."""
    program = OUT / (f"program-{members}" if kind == "generated" else f"program-clv-true-{members}")
    if not (program / "orders.parquet").exists():
        if kind == "generated":
            from memberlens.generate import generate

            generate(program, members)
        else:
            true_program(program, members, end)
    workspace = OUT / (f"ws-clv-{members}" if kind == "generated" else f"ws-clv-true-{members}")
    if not (workspace / "memberlens.toml").exists():
        import memberlens as ml

        ws = ml.init(workspace)
        for table in ("members", "orders"):
            ws.ingest(table, program / f"{table}.parquet")
    return program, workspace


def true_program(folder: Path, customers: int, end: str, seed: int = 20251231) -> None:
    """Members and orders drawn from the BG/NBD and Gamma-Gamma processes (Fader, Hardie &
    Lee 2005) with the generator's parameters, written as the canonical Parquet files.

    Each customer's first purchase is uniform over the 334 days before ``end``; while alive
    the customer buys at Poisson rate λ ~ Gamma(r, α) per day and after every repeat purchase
    drops out with probability p ~ Beta(a, b); every order's spend is Gamma(p, ν) with
    ν ~ Gamma(q, v). The repeat times of a customer are the first k of n sorted uniforms on
    (0, T) (n Poisson arrivals, k = min(n, the repeat after which the customer drops out)),
    drawn by exponential spacings.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from memberlens.generate.params import BgNbd, GammaGamma

    bg, gg = BgNbd(), GammaGamma()
    rng = np.random.default_rng(seed)
    n = customers
    horizon = np.datetime64(end) + np.timedelta64(1, "D")
    span_days = 334.0
    T = rng.uniform(0.0, span_days, n)  # days from the first purchase to the horizon
    first = horizon - (T * 86_400_000).astype("timedelta64[ms]")
    lam = rng.gamma(bg.r, 1 / bg.alpha, n)
    drop = rng.beta(bg.a, bg.b, n)
    arrivals = rng.poisson(lam * T)
    repeats = np.minimum(arrivals, rng.geometric(drop))
    owner = np.repeat(np.arange(n), repeats)
    spacing = rng.exponential(1.0, owner.size)
    starts = np.cumsum(repeats) - repeats  # each owner's first index in ``owner``
    partial = np.cumsum(spacing)
    before = np.concatenate([[0.0], partial])[starts]  # the running sum before each owner
    partial -= np.repeat(before, repeats)  # now a running sum within each owner
    last = np.zeros(n)
    has = repeats > 0
    last[has] = partial[(starts + repeats - 1)[has]]
    total = last + rng.gamma(np.maximum(arrivals + 1 - repeats, 1e-9), 1.0)
    after = partial / total[owner] * T[owner]  # days after the first purchase
    member = np.concatenate([np.arange(n), owner])
    at = np.concatenate([first, first[owner] + (after * 86_400_000).astype("timedelta64[ms]")])
    nu = rng.gamma(gg.q, 1 / gg.v, n)
    amount = np.maximum(np.round(rng.gamma(gg.p, 1 / nu[member]), 2), 0.01)
    ids = np.char.add("C", np.char.zfill(np.arange(n).astype(str), 8))
    folder.mkdir(parents=True, exist_ok=True)
    members = pa.table({"member_id": ids, "registered_at": pa.array(first, pa.timestamp("ms"))})
    pq.write_table(members, folder / "members.parquet")
    order_ids = np.char.add("T", np.char.zfill(np.arange(member.size).astype(str), 10))
    orders = pa.table(
        {
            "order_id": order_ids,
            "member_id": ids[member],
            "ordered_at": pa.array(at, pa.timestamp("ms")),
            "amount": amount,
            "status": pa.DictionaryArray.from_arrays(np.zeros(member.size, np.int8), ["paid"]),
        }
    )
    pq.write_table(orders, folder / "orders.parquet")
    truth = {"bgnbd": asdict(bg), "gamma_gamma": asdict(gg), "customers": n, "orders": member.size}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1))


def max_relative_difference(ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    return max(
        abs(ours[model][k] - theirs[model][k]) / abs(theirs[model][k])
        for model in ("bgnbd", "gamma_gamma")
        for k in theirs[model]
    )


def side_by_side(members: int, end: str, kind: str) -> None:
    program, workspace = prepare(members, kind, end)
    print(f"program {program}, workspace {workspace}, calibration end {end}", flush=True)
    warm_up(sys.executable, "memberlens")
    warm_up(str(LIFETIMES_PYTHON), "lifetimes")
    ours_s, ours_gb, ours = measure(memberlens_command(workspace, end, predict=False))
    print(f"memberlens: {ours_s:.1f} s, peak RSS {ours_gb:.2f} GB, {ours['seconds']}", flush=True)
    command = [str(LIFETIMES_PYTHON), str(REFERENCE), "orders", str(program / "orders.parquet")]
    theirs_s, theirs_gb, theirs = measure([*command, "--calibration-end", end])
    print(f"lifetimes: {theirs_s:.1f} s, peak RSS {theirs_gb:.2f} GB, {theirs['seconds']}")
    difference = max_relative_difference(ours, theirs)
    truth = program / "truth.json"
    planted = json.loads(truth.read_text()) if truth.exists() else None
    print(
        json.dumps(
            {
                "members": members,
                "orders": theirs["orders"],
                "customers": [ours["customers"], theirs["customers"]],
                "memberlens": {**ours, "wall_seconds": ours_s, "peak_rss_gb": ours_gb},
                "lifetimes": {**theirs, "wall_seconds": theirs_s, "peak_rss_gb": theirs_gb},
                "speedup": theirs_s / ours_s,
                "max_relative_parameter_difference": difference,
                "planted": planted,
            },
            indent=1,
        )
    )


def scale(workspace: Path, end: str) -> None:
    warm_up(sys.executable, "memberlens")
    for predict in (False, True):
        seconds, gb, detail = measure(memberlens_command(workspace, end, predict))
        what = "summary + fits + predictions" if predict else "summary + fits"
        print(f"{what}: {seconds:.1f} s whole process, peak RSS {gb:.2f} GB")
        print(json.dumps(detail, indent=1), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("side-by-side")
    s.add_argument("--members", type=int, default=1_000_000)
    s.add_argument("--calibration-end", default="2025-12-31")
    s.add_argument("--program", choices=("generated", "true"), default="generated")
    c = sub.add_parser("scale")
    c.add_argument("workspace", type=Path)
    c.add_argument("--calibration-end", default="2025-12-31")
    args = parser.parse_args()
    if args.command == "side-by-side":
        side_by_side(args.members, args.calibration_end, args.program)
    else:
        scale(args.workspace, args.calibration_end)


if __name__ == "__main__":
    main()
