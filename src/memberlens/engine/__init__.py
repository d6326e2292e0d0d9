"""Where computations run: the DuckDB warehouse or Spark, behind one typed :class:`Session`.

* :mod:`~memberlens.engine.session` — the Session (backend, config, workspace root, memo).
* :mod:`~memberlens.engine.warehouse` — the DuckDB file: brief connections, migrations.
* :mod:`~memberlens.engine.spark` — Spark as the engine (``[engine] backend = "pyspark"``).
* :mod:`~memberlens.engine.expr` — expression helpers shared by every layer above.
* :mod:`~memberlens.engine.output` — the one writer of rows and frames by file suffix.
"""
