"""The churn model's AUC without and with the features of what members say (docs/voc.md).

    uv run python benchmarks/voc_churn_auc.py [--members 3000] [--folder DIR]

Generates the demo program (3,000 members by default, as the tests' program) into a
temporary folder, loads it and fits the churn model twice on the same cut-offs: with the
core features only (``extra=False``) and with the VoC features registered by
:mod:`memberlens.voc.members` (texts, negative share, mean sentiment, complaint topics).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--folder", type=Path, default=None, help="Keep the program here.")
    args = parser.parse_args()

    import memberlens as ml
    from memberlens.generate import generate
    from memberlens.models.churn.model import churn
    from memberlens.schema import LOAD_ORDER

    root = args.folder or Path(tempfile.mkdtemp(prefix="memberlens-voc-auc-"))
    data = root / "data"
    if not (data / "truth.json").exists():
        generate(data, args.members)
    ws = ml.init(root / "ws", exist_ok=True)
    if not ws.warehouse_path.exists() or ws.warehouse_path.stat().st_size < 1_000_000:
        for table in LOAD_ORDER:
            ws.ingest(table, data / f"{table}.parquet")
    with ws.session() as s:
        started = time.perf_counter()
        before = churn(s, extra=False)
        after = churn(s)
        seconds = time.perf_counter() - started
    voc = [f for f in after.drivers["feature"].to_list() if f.startswith("voc_")]
    print(f"{args.members:,} members, test cut-off {after.test_cutoff} "
          f"({after.test_members:,} members, base rate {after.base_rate:.3f}); "
          f"{seconds:.0f} s")  # fmt: skip
    print(f"AUC without VoC features {before.auc:.3f}, with them {after.auc:.3f} "
          f"({after.auc - before.auc:+.3f}); recency only {after.baseline_auc:.3f}")  # fmt: skip
    print(f"VoC features used: {', '.join(voc) or 'none'}; left out: "
          f"{', '.join(f for f in after.left_out if f.startswith('voc_')) or 'none'}")  # fmt: skip
    importance = after.drivers.filter(after.drivers["feature"].str.starts_with("voc_"))
    for row in importance.iter_rows(named=True):
        label = after.feature_labels.get(row["feature"], "")
        print(f"  {row['feature']:<20} importance {row['importance']:+.4f} {label}")


if __name__ == "__main__":
    main()
