"""Model results kept in the warehouse: per-member CLV and churn scores.

They are not canonical tables (DESIGN §4): each is replaced whole by the command that
computes it (``memberlens clv --save``, ``memberlens churn``), inside one transaction on a
brief write connection, and read by the member profile and the ``churn_risk`` dimension.
Tables created here need no schema migration: an older warehouse simply has none yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

CLV_TABLE = "clv_scores"
CHURN_TABLE = "churn_scores"


def replace_table(warehouse: Path, name: str, frame: pl.DataFrame) -> None:
    """CREATE OR REPLACE ``name`` with the rows of ``frame`` (one transaction)."""
    from memberlens.engine.warehouse import connect, quote

    staged = f"_{name}_new"
    with connect(warehouse, read_only=False) as con:
        con.register(staged, frame.to_arrow())
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM {quote(staged)}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister(staged)


def distribution(session: Any, kind: str, bins: int = 20) -> dict[str, Any] | None:
    """The histogram of the saved scores: ``kind`` ``clv`` (the CLV of each member) or
    ``churn`` (the churn risk), None when that table has not been written yet.

    Churn risks fall in ``bins`` equal bins over [0, 1]. CLV is skewed (a few members are
    worth a hundred times the median), so its bins are equal over [0, the 99th percentile]
    and the last bin also holds everything above it (``open_last`` is True); negative
    values, which the model does not give, would count in the first. ``levels`` counts the
    churn levels (low / medium / high) as saved.

    >>> distribution(session, "churn")["counts"]  # doctest: +SKIP
    """
    import ibis

    name, column, day = (
        (CLV_TABLE, "clv", "calibration_end") if kind == "clv" else (CHURN_TABLE, "risk", "as_of")
    )
    if not session.has_table(name):
        return None
    t = session.table(name)
    values = t.filter(t[column].notnull())
    members = int(session.scalar(values.count()))
    as_of = session.scalar(t[day].max())
    if kind == "clv":
        top = session.scalar(values[column].quantile(0.99)) if members else None
        high = float(top) if top is not None and top > 0 else 1.0
    else:
        high = 1.0
    width = high / bins
    # value × bins / high (not value / width): 0.30 × 20 is 6, 0.30 / 0.05 is 5.999…
    bucket = ibis.greatest(
        ibis.least((values[column] * bins / high).floor().cast("int64"), bins - 1), 0
    )
    found = session.rows(values.group_by(bucket=bucket).aggregate(n=values.count()))
    counts = [0] * bins
    for row in found:
        counts[int(row["bucket"])] += int(row["n"])
    levels: dict[str, int] = {}
    if kind == "churn":
        for row in session.rows(t.group_by("level").aggregate(n=t.count())):
            levels[str(row["level"])] = int(row["n"])
    return {
        "kind": kind,
        "as_of": None if as_of is None else str(as_of)[:10],
        "members": members,
        "edges": [round(width * i, 10) for i in range(bins + 1)],
        "counts": counts,
        "open_last": kind == "clv",
        "levels": levels,
    }
