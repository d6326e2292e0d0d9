"""Reference values from the legacy ``lifetimes`` package, run in its own throw-away venv.

``lifetimes`` is not a dependency of memberlens; it needs old numpy/pandas/scipy, so it
lives in ``benchmarks/out/lifetimes-venv`` (see docs/models.md for the commands). This script
imports only numpy, pandas and lifetimes, so it runs there:

* ``synthetic``: fits BG/NBD and Gamma-Gamma on the seeded synthetic customers of
  :func:`synthetic` (tests/models/test_reference.py loads it from here) and prints
  the parameters and log-likelihoods as JSON — the values pasted into that test;
* ``orders FILE --calibration-end D``: the benchmark's reference side, a whole process that
  reads a Parquet orders file, builds the summary with ``summary_data_from_transaction_data``
  and fits ``BetaGeoFitter`` and ``GammaGammaFitter`` (benchmarks/clv.py runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np


def synthetic(seed: int = 7, n: int = 2000) -> tuple[np.ndarray, ...]:
    """Customers from the BG/NBD and Gamma-Gamma processes: (x, t_x, T, monetary).

    T is a whole number of days in [30, 400]; purchase times and spends are rounded to
    two decimals so that the input is exactly reproducible as text.
    """
    rng = np.random.default_rng(seed)
    r, alpha, a, b = 0.6, 20.0, 0.9, 3.5
    p, q, v = 4.0, 3.5, 60.0
    T = rng.integers(30, 401, n).astype(float)
    lam = rng.gamma(r, 1 / alpha, n)
    drop = rng.beta(a, b, n)
    nu = rng.gamma(q, 1 / v, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    monetary = np.zeros(n)
    for i in range(n):
        t, count, spent = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T[i]:
                break
            count += 1
            t_x[i] = round(t, 2)
            spent += round(float(rng.gamma(p, 1 / nu[i])), 2)
            if rng.random() < drop[i]:
                break
        x[i] = count
        monetary[i] = round(spent / count, 2) if count else 0.0
    return x, t_x, T, monetary


def _reference_synthetic(args: argparse.Namespace) -> dict[str, Any]:
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    x, t_x, T, monetary = synthetic(args.seed, args.n)
    bg = BetaGeoFitter().fit(x, t_x, T, tol=1e-8)
    repeat = x > 0
    gg = GammaGammaFitter().fit(x[repeat], monetary[repeat], tol=1e-8)
    # lifetimes fits on times scaled by s = 1/max(T) and reports the mean negative
    # log-likelihood on that scale; on the original scale LL = -n·nll + Σx·ln(s)
    bg_ll = -bg._negative_log_likelihood_ * x.size + x.sum() * np.log(bg._scale)
    gg_ll = -gg._negative_log_likelihood_ * repeat.sum()
    return {
        "checksum": [float(x.sum()), float(t_x.sum()), float(T.sum()), float(monetary.sum())],
        "bgnbd": {k: float(v) for k, v in bg.params_.items()},
        "bgnbd_log_likelihood": float(bg_ll),
        "gamma_gamma": {k: float(v) for k, v in gg.params_.items()},
        "gamma_gamma_log_likelihood": float(gg_ll),
        "p_alive_first5": [float(v) for v in bg.conditional_probability_alive(x, t_x, T)[:5]],
        "expected_30_first5": [
            float(v)
            for v in bg.conditional_expected_number_of_purchases_up_to_time(30, x, t_x, T)[:5]
        ],
        "expected_spend_first5": [
            float(v) for v in gg.conditional_expected_average_profit(x[:5], monetary[:5])
        ],
    }


def _reference_orders(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd
    import pyarrow.parquet as pq
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    started = time.perf_counter()
    table = pq.read_table(args.file, columns=["member_id", "ordered_at", "amount", "status"])
    orders = table.to_pandas()
    orders = orders[(orders["status"] == "paid") & orders["member_id"].notna()]
    orders["amount"] = orders["amount"].astype(float)
    read = time.perf_counter()
    summary = summary_data_from_transaction_data(
        orders,
        "member_id",
        "ordered_at",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(args.calibration_end),
        freq="D",
    )
    summarised = time.perf_counter()
    bg = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    fitted = time.perf_counter()
    return {
        "orders": len(orders),
        "customers": len(summary),
        "bgnbd": {k: float(v) for k, v in bg.params_.items()},
        "gamma_gamma": {k: float(v) for k, v in gg.params_.items()},
        "seconds": {
            "read": read - started,
            "summary": summarised - read,
            "fit": fitted - summarised,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("synthetic")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--n", type=int, default=2000)
    o = sub.add_parser("orders")
    o.add_argument("file")
    o.add_argument("--calibration-end", required=True)
    args = parser.parse_args(argv)
    run = _reference_synthetic if args.command == "synthetic" else _reference_orders
    json.dump(run(args), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
