"""Real files in real encodings and formats, header mapping, and refused files."""

import sqlite3
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

import memberlens as ml
from memberlens.errors import InputError, SourceError

GBK_MEMBERS = (
    "会员编号,入会时间,渠道,城市,性别,手机号码\n"
    "M1,2024/03/05 12:30,门店,上海,女,13800001234\n"
    "M2,2024年3月6日,小程序,北京,男,13900005678\n"
)
ORDERS_ZH = (
    "订单编号,会员ID,支付时间,实付金额,订单状态,备注\n"
    'O1,M1,2024-03-07 09:15:00,"1,234.50",已支付,首单\n'
    "O2,M2,2024-03-08T02:00:00Z,¥88,已退款,\n"
    "O3,,2024-03-08 18:00,20,已支付,散客\n"
)


def test_gbk_csv_with_chinese_headers_and_values(
    ws: ml.Workspace, write: Callable[..., Path]
) -> None:
    path = write("会员.csv", GBK_MEMBERS, "gbk")
    result = ws.ingest("members", path)
    assert (result.loaded, result.quarantined) == (2, 0)
    assert result.detail == "encoding GB18030 (GBK)"
    members = ws.table("members").sort("member_id")
    assert members["registered_at"].to_list() == [
        datetime(2024, 3, 5, 12, 30),
        datetime(2024, 3, 6),
    ]
    assert members["channel"].to_list() == ["store", "mini_program"]
    assert members["city"].to_list() == ["上海", "北京"]
    assert members["gender"].to_list() == ["female", "male"]
    assert members["phone"].to_list() == ["13800001234", "13900005678"]


def test_utf8_bom_csv_with_chinese_enums_and_offsets(
    ws: ml.Workspace, write: Callable[..., Path]
) -> None:
    ws.ingest("members", write("m.csv", GBK_MEMBERS))
    result = ws.ingest("orders", write("orders.csv", "\ufeff" + ORDERS_ZH))
    assert (result.loaded, result.quarantined) == (3, 0)
    assert result.ignored_columns == ["备注"]
    orders = ws.table("orders").sort("order_id")
    assert orders["amount"].to_list() == [
        Decimal("1234.5000"),
        Decimal("88.0000"),
        Decimal("20.0000"),
    ]
    assert orders["status"].to_list() == ["paid", "refunded", "paid"]
    # 02:00 UTC is 10:00 in Asia/Shanghai; naive times are kept as written
    assert orders["ordered_at"].to_list()[1] == datetime(2024, 3, 8, 10, 0)
    assert orders["member_id"].to_list() == ["M1", "M2", None]


def test_tsv_and_gb18030_only_characters(ws: ml.Workspace, write: Callable[..., Path]) -> None:
    # 𠀀 is outside GBK but inside GB18030
    path = write("m.tsv", "member_id\tregistered_at\tcity\nM1\t2024-01-01\t𠀀城\n", "gb18030")
    assert ws.ingest("members", path).loaded == 1
    assert ws.table("members")["city"].to_list() == ["𠀀城"]


def test_xlsx_with_chinese_headers(ws: ml.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "会员.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("会员")
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, ["会员卡号", "开卡时间", "城市", "生日"])
    sheet.write_number(1, 0, 1001)  # a numeric id cell
    sheet.write_datetime(1, 1, datetime(2024, 5, 1, 8, 30), date_format)
    sheet.write_string(1, 2, "杭州")
    sheet.write_string(1, 3, "1990-05-01")
    sheet.write_string(3, 0, "M2")  # row 3 left blank on purpose
    sheet.write_string(3, 1, "not a date")
    book.close()
    result = ws.ingest("members", path)
    assert (result.rows_read, result.loaded, result.quarantined) == (2, 1, 1)
    members = ws.table("members")
    assert members["member_id"].to_list() == ["1001"]
    assert members["registered_at"].to_list() == [datetime(2024, 5, 1, 8, 30)]
    bad = ws.quarantine("members").samples.row(0, named=True)
    assert (bad["row"], bad["reason"]) == (4, "bad_timestamp")  # the spreadsheet's own row number


def test_parquet_keeps_types_and_converts_zoned_times(ws: ml.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    table = pa.table(
        {
            "member_id": pa.array([1, 2], pa.int64()),
            "registered_at": pa.array(
                [datetime(2024, 1, 1, 0, 0), datetime(2024, 1, 2, 16, 0)],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    pq.write_table(table, path)
    assert ws.ingest("members", path).loaded == 2
    members = ws.table("members").sort("member_id")
    assert members["member_id"].to_list() == ["1", "2"]
    assert members["registered_at"].to_list() == [datetime(2024, 1, 1, 8), datetime(2024, 1, 3, 0)]


def test_database_table_and_query(ws: ml.Workspace, tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE vip (会员ID TEXT, 注册时间 TEXT, 城市 TEXT)")
    con.executemany(
        "INSERT INTO vip VALUES (?, ?, ?)",
        [("M1", "2024-01-01 10:00:00", "上海"), ("M2", "2024-01-02", "北京"), ("M3", "bad", "")],
    )
    con.commit()
    con.close()
    url = f"sqlite:///{db}"
    result = ws.ingest("members", url, sql_table="vip")
    assert (result.loaded, result.quarantined) == (2, 1)
    result = ws.ingest("members", url, query="SELECT * FROM vip WHERE 城市 = '北京'")
    assert (result.loaded, result.replaced) == (1, 1)
    with pytest.raises(SourceError, match="exactly one of --table NAME or --query"):
        ws.ingest("members", url)


def test_explicit_and_configured_mappings(ws: ml.Workspace, write: Callable[..., Path]) -> None:
    path = write("m.csv", "卡号,日期,名字\nM1,2024-01-01,张三\n")
    with pytest.raises(SourceError) as error:
        ws.ingest("members", path)
    assert "required members field(s) member_id, registered_at" in str(error.value)
    assert "Its columns: 卡号, 日期, 名字" in str(error.value)
    result = ws.ingest("members", path, mapping={"member_id": "卡号", "registered_at": "日期"})
    assert result.loaded == 1 and result.ignored_columns == ["名字"]
    config = ws.root / "memberlens.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[mapping.members]\nmember_id = "卡号"\nregistered_at = "日期"\n',
        encoding="utf-8",
    )
    assert ml.open(ws.root).ingest("members", path).loaded == 1


def test_a_mapping_to_a_missing_column_is_refused(
    ws: ml.Workspace, write: Callable[..., Path]
) -> None:
    path = write("m.csv", "member_id,registered_at\nM1,2024-01-01\n")
    with pytest.raises(SourceError, match="has no column '单号'"):
        ws.ingest("members", path, mapping={"member_id": "单号"})
    with pytest.raises(InputError, match="Did you mean 'member_id'"):
        ws.ingest("members", path, mapping={"memberid": "member_id"})


def test_two_aliases_of_one_column_use_the_preferred_one(
    ws: ml.Workspace, write: Callable[..., Path]
) -> None:
    ws.ingest("members", write("m.csv", "member_id,registered_at\nM1,2024-01-01\n"))
    result = ws.ingest(
        "orders",
        write("o.csv", "订单号,会员ID,下单时间,订单金额,实付金额\nO1,M1,2024-01-02,100,90\n"),
    )
    assert result.notes == ["'订单金额' also matches amount; used '实付金额'"]
    assert ws.table("orders")["amount"].to_list() == [Decimal("90.0000")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty: it has no header row"),
        ("blank.csv", b"\n\nmember_id\n", "starts with a blank line"),
        ("binary.csv", b"\x00\x01\x02member_id", "NUL bytes"),
        ("orders.json", b"{}", "Unsupported file type '.json'"),
        ("notes.xlsx", b"not a workbook", "cannot read as an Excel workbook"),
        ("table.parquet", b"PAR1 nope", "cannot read as Parquet"),
    ],
)
def test_unreadable_files_are_refused_whole(
    ws: ml.Workspace, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        ws.ingest("members", path)


def test_header_only_file_reads_nothing(ws: ml.Workspace, write: Callable[..., Path]) -> None:
    result = ws.ingest("members", write("m.csv", "member_id,registered_at\n"))
    assert (result.rows_read, result.loaded, result.quarantined) == (0, 0, 0)


def test_a_file_that_is_neither_utf8_nor_gbk_asks_for_an_encoding(
    ws: ml.Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"member_id,registered_at\nM\xff\xff\xff1,2024-01-01\n")
    with pytest.raises(SourceError, match="Pass --encoding"):
        ws.ingest("members", path)
    assert ws.ingest("members", path, encoding="latin-1").loaded == 1


def test_gbk_far_into_a_large_file_is_detected(ws: ml.Workspace, tmp_path: Path) -> None:
    rows = "".join(f"M{i},2024-01-01,Shanghai\n" for i in range(60_000))  # > 1 MiB of ASCII
    path = tmp_path / "m.csv"
    path.write_bytes(
        ("member_id,registered_at,city\n" + rows + "M_last,2024-01-01,上海\n").encode("gbk")
    )
    result = ws.ingest("members", path)
    assert result.loaded == 60_001
    assert ws.table("members").filter(member_id="M_last")["city"].to_list() == ["上海"]


# -- hostile sources ---------------------------------------------------------------------------
def _secret_db(tmp_path: Path) -> str:
    db = tmp_path / "shop.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE vip (member_id TEXT, registered_at TEXT)")
    con.execute("INSERT INTO vip VALUES ('M1', '2024-01-01')")
    con.execute("CREATE TABLE secrets (member_id TEXT, registered_at TEXT)")
    con.execute("INSERT INTO secrets VALUES ('S1', '2024-01-01'), ('S2', '2024-01-01')")
    con.commit()
    con.close()
    return f"sqlite:///{db}"


def test_table_is_quoted_as_a_name_not_pasted_into_sql(ws: ml.Workspace, tmp_path: Path) -> None:
    url = _secret_db(tmp_path)
    injection = "vip WHERE 0 UNION ALL SELECT member_id, registered_at FROM secrets"
    with pytest.raises(SourceError, match="has no table 'vip WHERE 0 UNION"):
        ws.ingest("members", url, sql_table=injection)
    assert ws.counts()["members"] == 0


def test_a_misspelled_table_lists_the_tables(ws: ml.Workspace, tmp_path: Path) -> None:
    url = _secret_db(tmp_path)
    with pytest.raises(SourceError, match=r"no table 'vipp'\. Did you mean 'vip'\? Tables"):
        ws.ingest("members", url, sql_table="vipp")


def test_a_bad_query_is_one_line(ws: ml.Workspace, tmp_path: Path) -> None:
    url = _secret_db(tmp_path)
    with pytest.raises(SourceError, match="the query failed") as error:
        ws.ingest("members", url, query="SELEC nonsense")
    assert "\n" not in str(error.value)
    assert "sqlalche.me" not in str(error.value)


def test_a_missing_sqlite_file_is_not_created(ws: ml.Workspace, tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(SourceError, match="no SQLite database file"):
        ws.ingest("members", f"sqlite:///{missing}", sql_table="vip")
    assert not missing.exists()


@pytest.mark.parametrize("encoding", ["rot13", "base64", "zlib", "nonsense", "utf\x008"])
def test_only_text_encodings_are_accepted(
    ws: ml.Workspace, write: Callable[..., Path], encoding: str
) -> None:
    path = write("m.csv", "member_id,registered_at\nM1,2024-01-01\n")
    with pytest.raises(SourceError, match="Unknown encoding"):
        ws.ingest("members", path, encoding=encoding)


@pytest.mark.parametrize(
    "kind", ["string_view", "large_string", "dictionary"], ids=lambda k: str(k)
)
def test_parquet_string_types_are_read_as_text(ws: ml.Workspace, tmp_path: Path, kind: str) -> None:
    values = {"member_id": ["M1", "M2"], "registered_at": ["2024-01-01", "2024-01-02 10:00"]}
    if kind == "dictionary":
        arrays = [pa.array(v).dictionary_encode() for v in values.values()]
    else:
        arrays = [pa.array(v, getattr(pa, kind)()) for v in values.values()]
    path = tmp_path / "m.parquet"
    pq.write_table(pa.Table.from_arrays(arrays, names=list(values)), path)
    result = ws.ingest("members", path)
    assert (result.loaded, result.quarantined) == (2, 0)


def test_a_nested_parquet_column_is_refused_by_name(ws: ml.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    table = pa.table(
        {
            "member_id": ["M1"],
            "registered_at": ["2024-01-01"],
            "city": pa.array([["a", "b"]], pa.list_(pa.string())),
            "extra": pa.array([{"x": 1}]),
        }
    )
    pq.write_table(table, path)
    with pytest.raises(SourceError, match=r"column 'city' \(for members\.city\) is nested"):
        ws.ingest("members", path)
    # a nested column nothing maps to is only ignored
    pq.write_table(table.drop(["city"]), path)
    result = ws.ingest("members", path)
    assert (result.loaded, result.ignored_columns) == (1, ["extra"])


def test_a_huge_field_near_the_top_does_not_refuse_the_file(
    ws: ml.Workspace, write: Callable[..., Path]
) -> None:
    huge = "x" * (300 << 10)
    path = write("m.csv", f"member_id,registered_at,city\nM1,2024-01-01,{huge}\nM2,2024-01-02,\n")
    result = ws.ingest("members", path)
    assert (result.loaded, result.quarantined) == (2, 0)
