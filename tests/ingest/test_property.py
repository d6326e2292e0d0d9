"""Property: malformed CSV never crashes a load; every row read is loaded or quarantined."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import memberlens as ml
from memberlens.errors import MemberlensError

_ROOT = Path(tempfile.mkdtemp(prefix="memberlens-property-"))
_WS = ml.init(_ROOT / "ws")
(_ROOT / "members.csv").write_text(
    "member_id,registered_at\nM1,2024-01-01\nM2,2024-01-01\n", encoding="utf-8"
)
_WS.ingest("members", _ROOT / "members.csv")

HEADERS = [
    "order_id",
    "member_id",
    "ordered_at",
    "amount",
    "status",
    "订单号",
    "实付金额",
    "extra",
    "",
]
cell = st.one_of(
    st.sampled_from(
        [
            "O1",
            "O2",
            "O1",
            "M1",
            "M2",
            "M9",
            "",
            " ",
            "2024-02-30",
            "2024-03-01 10:00",
            "2024/3/1",
            "2024-03-01T10:00:00+08:00",
            "yesterday",
            "12.5",
            "-3",
            "1,234",
            "abc",
            "已支付",
            "paid",
            "lost",
            "NaN",
            "1e309",
            '"quoted, comma"',
            "多字节文本",
            # decimal commas and thousands separators by locale
            '"12,50"',
            '"1.234,56"',
            '"1,2,3"',
            "1 234,5",
            # zone names
            "2025-03-01 10:00:00 UTC",
            "2025-03-01T10:00:00 America/New_York",
            "2025-03-01 10:00 CST",
            "2025-03-01 10:00 PM",
            # out-of-range numbers and dates
            "9223372036854775808",
            "9223372036854775807",
            "1e30",
            "-inf",
            "0001-01-10",
            "-0044-03-15",
            "9999-12-31 23:59:59",
            # hostile identifiers and huge fields
            "'; DROP TABLE orders; --",
            '"a""b"',
            "../../etc/passwd",
            "x" * 70_000,
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=6
    ),
)
row = st.lists(cell, min_size=0, max_size=7)
PLAUSIBLE = {
    "order_id": st.sampled_from(["O1", "O2", "O3", "O4", "O5", "O1"]),
    "member_id": st.sampled_from(["M1", "M2", "M2", "", "M9"]),
    "ordered_at": st.sampled_from(
        [
            "2024-03-01 10:00",
            "2024/3/2",
            "2024-03-01T10:00:00+08:00",
            "2024-02-30",
            "2024-03-01 10:00:00 UTC",
            "2024-03-01 10:00 Mars/Base",
            "0001-01-10",
        ]
    ),
    "amount": st.sampled_from(
        ["12.5", "99", "0", "-3", "abc", '"1,234.50"', '"12,50"', '"1,234"', "1e30", "NaN"]
    ),
    "status": st.sampled_from(["paid", "已支付", "已退款", "", "lost"]),
}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    valid = list(PLAUSIBLE)
    header = draw(
        st.one_of(
            st.just(valid),
            st.permutations(valid).map(lambda h: [*h, "extra"]),
            st.lists(st.sampled_from(HEADERS), min_size=0, max_size=6),
        )
    )
    plausible = st.tuples(*[PLAUSIBLE.get(name, cell) for name in header]).map(list)
    rows = draw(st.lists(st.one_of(plausible, plausible, row), max_size=12))
    lines = [",".join(header)] if draw(st.booleans()) or not rows else []
    lines += [",".join(r) for r in rows]
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(content=csv_files())
def test_malformed_csv_is_loaded_quarantined_or_refused_whole(content: bytes) -> None:
    path = _ROOT / "orders.csv"
    path.write_bytes(content)
    try:
        result = _WS.ingest("orders", path)
    except MemberlensError as error:
        assert str(error).strip(), "a refusal must say why"
        return
    assert result.loaded + result.quarantined == result.rows_read
    assert sum(result.reasons.values()) == result.quarantined
    LOADED.append(result.loaded)


LOADED: list[int] = []


def test_the_property_exercised_real_loads() -> None:
    """Guard against a strategy that only ever produces refused files."""
    assert sum(1 for n in LOADED if n > 0) >= 5


# -- numbers by locale: a number that loads is the number meant ---------------------------------
_RUNS = __import__("itertools").count()
LOCALES = {  # decimal option → (thousands separator, decimal separator)
    ".": (",", "."),
    ",": (".", ","),
}


def _written(cents: int, thousands: str, point: str, grouped: bool) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    digits = f"{whole:,}".replace(",", thousands) if grouped else str(whole)
    return f"{sign}{digits}{point}{frac:02d}"


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    cents=st.lists(st.integers(0, 10**9), min_size=1, max_size=6),
    decimal=st.sampled_from([".", ",", "auto"]),
    locale=st.sampled_from([".", ","]),
    grouped=st.booleans(),
)
def test_a_number_that_loads_is_the_number_meant(
    cents: list[int], decimal: str, locale: str, grouped: bool
) -> None:
    from decimal import Decimal

    from memberlens.ingest.load import ingest

    thousands, point = LOCALES[locale]
    run = f"N{next(_RUNS)}_"  # fresh keys: earlier examples' rows stay in the warehouse
    lines = [
        f'{run}{i};M1;2024-03-01;"{_written(c, thousands, point, grouped)}"'
        for i, c in enumerate(cents)
    ]
    path = _ROOT / "numbers.csv"
    path.write_text("order_id;member_id;ordered_at;amount\n" + "\n".join(lines), "utf-8")
    result = ingest(_WS.warehouse_path, _WS.config, "orders", path, decimal=decimal)  # type: ignore[arg-type]
    assert result.loaded + result.quarantined == result.rows_read
    with _WS.read() as con:
        amounts = dict(
            con.execute(
                "SELECT order_id, amount FROM orders WHERE starts_with(order_id, ?)", [run]
            ).fetchall()
        )
    meant = {f"{run}{i}": Decimal(c) / 100 for i, c in enumerate(cents)}
    assert set(amounts) <= set(meant)
    for key, value in amounts.items():
        if key in meant:
            assert value == meant[key], (key, value, meant[key], decimal, locale)
    if decimal not in ("auto", locale):  # the other convention: never a different number
        assert all(amounts.get(k) in (None, v) for k, v in meant.items())


# -- Parquet string types and nested columns ---------------------------------------------------
@settings(max_examples=15, deadline=None, derandomize=True)
@given(
    kind=st.sampled_from(["string", "large_string", "string_view", "dictionary"]),
    nested=st.sampled_from([None, "city", "extra"]),
)
def test_parquet_of_any_string_type_loads_and_nested_columns_are_named(
    kind: str, nested: str | None
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from memberlens.errors import SourceError

    ids = ["P1", "P2"]
    arrays = {
        "member_id": pa.array(ids),
        "registered_at": pa.array(["2024-01-01", "2024-01-02 10:00"]),
        "city": pa.array(["上海", "北京"]),
    }
    for name, array in list(arrays.items()):
        arrays[name] = (
            array.dictionary_encode() if kind == "dictionary" else array.cast(getattr(pa, kind)())
        )
    if nested:
        arrays[nested] = pa.array([["a"], ["b"]], pa.list_(pa.string()))
    path = _ROOT / "members.parquet"
    pq.write_table(pa.table(arrays), path)
    if nested == "city":
        try:
            _WS.ingest("members", path)
        except SourceError as error:
            assert "column 'city'" in str(error)
            return
        raise AssertionError("a nested canonical column must be refused")
    result = _WS.ingest("members", path)
    assert (result.loaded, result.quarantined) == (2, 0)


# -- hostile identifiers: --table is a name, never SQL ------------------------------------------
_DB = _ROOT / "hostile.db"
_con = __import__("sqlite3").connect(_DB)
_con.execute("CREATE TABLE vip (member_id TEXT, registered_at TEXT)")
_con.execute("CREATE TABLE secrets (member_id TEXT, registered_at TEXT)")
_con.execute("INSERT INTO secrets VALUES ('S1', '2024-01-01')")
_con.commit()
_con.close()


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    table=st.one_of(
        st.sampled_from(
            [
                "vip WHERE 0 UNION ALL SELECT * FROM secrets",
                'vip"; SELECT * FROM secrets; --',
                "secrets--",
                "main.secrets x",
                "vip) UNION SELECT * FROM (secrets",
            ]
        ),
        st.text(min_size=1, max_size=30).filter(lambda t: t not in ("vip", "secrets")),
    )
)
def test_a_hostile_table_name_never_reads_another_table(table: str) -> None:
    from memberlens.errors import SourceError

    try:
        _WS.ingest("members", f"sqlite:///{_DB}", sql_table=table)
    except SourceError as error:
        assert "\n" not in str(error)
    with _WS.read() as con:
        assert con.execute("SELECT count(*) FROM members WHERE member_id = 'S1'").fetchone() == (0,)
