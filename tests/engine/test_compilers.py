"""Ibis's SQL compilers load one at a time once memberlens is imported, and whatever else
reads Ibis's compiler package still gets exactly what Ibis defines."""

from __future__ import annotations

import sys

from cli.running import fresh
from memberlens.engine import compilers

LOADED = (
    "import sys, json\n"
    "loaded = sorted(m.rsplit('.', 1)[1] for m in sys.modules\n"
    "                if m.startswith('ibis.backends.sql.compilers.'))\n"
)


def test_a_duckdb_query_loads_the_duckdb_compiler_only() -> None:
    script = (
        "import memberlens, ibis\n"
        "con = ibis.duckdb.connect()\n"
        "t = ibis.memtable({'a': [1, 2, 4]})\n"
        "total = int(con.execute(t.a.sum()))\n"
        "sql = ibis.to_sql(t.a.max(), dialect='duckdb')\n"
        + LOADED
        + "print(json.dumps([total, 'MAX' in str(sql), loaded]))\n"
    )
    total, compiled, loaded = fresh(script)
    assert total == 7 and compiled
    assert loaded == ["_compat", "base", "duckdb"]  # not athena, trino … (twenty dialects)


def test_other_dialects_compile_as_ibis_compiles_them() -> None:
    query = (
        "import ibis, json\n"
        "from ibis.backends.sql.compilers import PostgresCompiler, TrinoCompiler\n"
        "import ibis.backends.sql.compilers as sc\n"
        "t = ibis.table({'a': 'int64', 'b': 'string'}, name='t')\n"
        "e = t.group_by('b').aggregate(n=t.a.sum())\n"
        "sql = [str(ibis.to_sql(e, dialect=d)) for d in ('postgres', 'trino', 'duckdb')]\n"
        "print(json.dumps([sql, sorted(sc.__all__), PostgresCompiler.__name__]))\n"
    )
    ours = fresh("import memberlens\n" + query)
    theirs = fresh(query)
    assert ours == theirs
    assert "DuckDBCompiler" in ours[1] and ours[2] == "PostgresCompiler"


def test_it_is_installed_once_and_not_over_a_loaded_package() -> None:
    assert compilers.PACKAGE in sys.modules  # this process imported memberlens
    assert compilers.install() is False
    done = fresh(
        "import json, ibis.backends.sql.compilers as sc\n"
        "from memberlens.engine import compilers\n"
        "print(json.dumps([compilers.install(), hasattr(sc, 'AthenaCompiler')]))\n"
    )
    assert done == [False, True]  # Ibis's own package stays as it is


def test_an_unknown_name_is_an_attribute_error() -> None:
    done = fresh(
        "import json, memberlens, ibis.backends.sql.compilers as sc\n"
        "try:\n"
        "    sc.NoSuchCompiler\n"
        "    print(json.dumps('found'))\n"
        "except AttributeError as e:\n"
        "    print(json.dumps(str(e)))\n"
    )
    assert "NoSuchCompiler" in done
