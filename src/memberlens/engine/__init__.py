"""Where computations run: the DuckDB warehouse or Spark, behind one typed :class:`Session`.

* :mod:`~memberlens.engine.session` — the Session (backend, config, workspace root, memo).
* :mod:`~memberlens.engine.warehouse` — the DuckDB file: brief connections, migrations.
* :mod:`~memberlens.engine.spark` — Spark as the engine (``[engine] backend = "pyspark"``).
* :mod:`~memberlens.engine.expr` — expression helpers shared by every layer above.
* :mod:`~memberlens.engine.output` — the one writer of rows and frames by file suffix.
"""

from memberlens.lazy import exports

__all__ = [
    "SECONDS_PER_DAY",
    "Memo",
    "Session",
    "at_midnight",
    "days_between",
    "hours_between",
    "month_index",
    "write",
    "write_frame",
]

__getattr__, __dir__ = exports(
    __name__,
    {
        "Session": "memberlens.engine.session",
        "Memo": "memberlens.engine.session",
        "at_midnight": "memberlens.engine.expr",
        "days_between": "memberlens.engine.expr",
        "hours_between": "memberlens.engine.expr",
        "month_index": "memberlens.engine.expr",
        "SECONDS_PER_DAY": "memberlens.engine.expr",
        "write": "memberlens.engine.output",
        "write_frame": "memberlens.engine.output",
    },
)
