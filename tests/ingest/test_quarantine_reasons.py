"""Every quarantine reason, each from a small CSV with one bad row among good ones."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import memberlens as ml

MEMBERS = "member_id,registered_at\nM1,2024-01-01\nM2,2024-01-02\n"
CAMPAIGNS = "campaign_id,name\nC1,Spring\n"
ORDERS = "order_id,member_id,ordered_at,amount\nO1,M1,2024-02-01 10:00,10\n"


@pytest.fixture
def loaded(ws: ml.Workspace, write: Callable[..., Path]) -> ml.Workspace:
    ws.ingest("members", write("members.csv", MEMBERS))
    ws.ingest("campaigns", write("campaigns.csv", CAMPAIGNS))
    ws.ingest("orders", write("orders.csv", ORDERS))
    return ws


CASES = [
    # table, csv text, reason, bad row, column, value
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,10\n,M1,2024-02-01,10\n",
        "missing_value",
        3,
        "order_id",
        "",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-30,10\nO3,M1,2024-02-01,10\n",
        "bad_timestamp",
        2,
        "ordered_at",
        "2024-02-30",
    ),
    (
        "members",
        "member_id,registered_at,birthday\nM7,2024-01-01,1990-13-01\nM8,2024-01-01,\n",
        "bad_date",
        2,
        "birthday",
        "1990-13-01",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,ten\nO3,M1,2024-02-01,10\n",
        "bad_number",
        2,
        "amount",
        "ten",
    ),
    (
        "points",
        "entry_id,member_id,at,kind,points\nP1,M1,2024-02-01,earn,10.5\nP2,M1,2024-02-01,earn,10\n",
        "not_integer",
        2,
        "points",
        "10.5",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,5\nO3,M1,2024-02-01,-5\n",
        "negative_amount",
        3,
        "amount",
        "-5",
    ),
    (
        "surveys",
        "response_id,member_id,at,nps\nR1,M1,2024-02-01,11\nR2,M1,2024-02-01,10\n",
        "out_of_range",
        2,
        "nps",
        "11",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount,status\nO2,M1,2024-02-01,5,paid\nO3,M1,2024-02-01,5,lost\n",
        "unknown_value",
        3,
        "status",
        "lost",
    ),
    (
        "points",
        "entry_id,member_id,at,kind,points\nP1,M1,2024-02-01,redeem,100\nP2,M1,2024-02-01,earn,10\n",
        "wrong_sign",
        2,
        "points",
        "100",
    ),
    (
        "events",
        'member_id,at,event,properties\nM1,2024-02-01,view,"{""a"": 1}"\n'
        "M1,2024-02-02,view,{oops\n",
        "bad_json",
        3,
        "properties",
        "{oops",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01\nO3,M1,2024-02-01,5\n",
        "malformed_row",
        2,
        None,
        "O2,M1,2024-02-01",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,5\nO2,M2,2024-02-03,6\n",
        "duplicate_key",
        3,
        "order_id",
        "O2",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,5\nO3,M9,2024-02-03,6\n",
        "unknown_member",
        3,
        "member_id",
        "M9",
    ),
    ("order_items", "order_id,line,sku\nO1,1,A\nO9,1,B\n", "unknown_order", 3, "order_id", "O9"),
    (
        "campaign_touches",
        "campaign_id,member_id,at\nC1,M1,2024-02-01\nC9,M1,2024-02-01\n",
        "unknown_campaign",
        3,
        "campaign_id",
        "C9",
    ),
    (
        "orders",
        'order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,"1,234"\nO3,M1,2024-02-01,9\n',
        "ambiguous_number",
        2,
        "amount",
        "1,234",
    ),
    (
        "points",
        "entry_id,member_id,at,kind,points\nE1,M1,2024-02-01,earn,9223372036854775808\n"
        "E2,M1,2024-02-01,earn,5\n",
        "number_too_large",
        2,
        "points",
        "9223372036854775808",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,0001-01-10,10\nO3,M1,2024-02-01,10\n",
        "date_out_of_range",
        2,
        "ordered_at",
        "0001-01-10",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01 10:00 Mars/Olympus,10\n"
        "O3,M1,2024-02-01,10\n",
        "unknown_timezone",
        2,
        "ordered_at",
        "2024-02-01 10:00 Mars/Olympus",
    ),
]


@pytest.mark.parametrize(
    ("table", "text", "reason", "row", "column", "value"), CASES, ids=[c[2] for c in CASES]
)
def test_each_reason_quarantines_exactly_the_bad_row(
    loaded: ml.Workspace,
    write: Callable[..., Path],
    table: str,
    text: str,
    reason: str,
    row: int,
    column: str | None,
    value: str,
) -> None:
    path = write(f"{table}-{reason}.csv", text)
    result = loaded.ingest(table, path)
    assert result.rows_read == 2
    assert (result.loaded, result.quarantined) == (1, 1)
    assert result.reasons == {reason: 1}
    samples = loaded.quarantine(table).samples.filter(source=str(path))
    assert samples.height == 1
    found = samples.row(0, named=True)
    assert (found["reason"], found["row"], found["column"], found["value"]) == (
        reason,
        row,
        column,
        value,
    )


def test_every_documented_reason_has_a_case() -> None:
    from memberlens.ingest.quarantine import REASON_TEXT

    assert {c[2] for c in CASES} == set(REASON_TEXT)


def test_the_summary_says_what_each_reason_means(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    loaded.ingest(
        "orders", write("neg.csv", "order_id,member_id,ordered_at,amount\nN1,M1,2024-02-01,-1\n")
    )
    summary = loaded.quarantine("orders").summary
    assert summary.filter(reason="negative_amount")["meaning"].to_list() == ["金额为负"]


def test_a_row_with_several_problems_lists_them_all(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    path = write("o.csv", "order_id,member_id,ordered_at,amount,status\nO5,M1,someday,-1,lost\n")
    result = loaded.ingest("orders", path)
    assert result.quarantined == 1
    with loaded.read() as con:
        details, record = con.execute(
            "SELECT details, record FROM _quarantine WHERE source = ?", [str(path)]
        ).fetchall()[0]
    assert (
        details == "ordered_at: bad_timestamp 'someday'; amount: negative_amount '-1'; "
        "status: unknown_value 'lost'"
    )
    assert '"order_id":"O5"' in record.replace(" ", "")


def test_the_first_duplicate_loads_and_names_its_row(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    path = write(
        "d.csv",
        "order_id,member_id,ordered_at,amount\nD1,M1,2024-02-01,5\nD1,M1,2024-02-02,7\nD1,M2,2024-02-03,9\n",
    )
    result = loaded.ingest("orders", path)
    assert (result.loaded, result.quarantined) == (1, 2)
    kept = loaded.table("orders").filter(order_id="D1")
    assert float(kept["amount"][0]) == 5.0
    samples = loaded.quarantine("orders").samples.filter(source=str(path))
    assert samples["details"].to_list() == ["same key as row 2", "same key as row 2"]


# -- values never silently changed -------------------------------------------------------------
def _amounts(ws: ml.Workspace) -> dict[str, object]:
    with ws.read() as con:
        return dict(con.execute("SELECT order_id, amount FROM orders").fetchall())


@pytest.mark.parametrize(
    ("decimal", "amounts", "expected", "reasons"),
    [
        # auto: only what both conventions read alike loads
        (
            None,
            ["12,50", "1.234,56", "1,2,3", "1,234.50", "12.5", "1,234"],
            {"O14": Decimal("1234.5"), "O15": Decimal("12.5")},
            {"ambiguous_number": 3, "bad_number": 1},
        ),
        (
            ",",
            ["12,50", "1.234,56", "1,2,3", "1,234.50", "12.5", "1,234"],
            {"O11": Decimal("12.5"), "O12": Decimal("1234.56"), "O16": Decimal("1.234")},
            {"bad_number": 3},
        ),
        (
            ".",
            ["12,50", "1.234,56", "1,2,3", "1,234.50", "12.5", "1,234"],
            {"O14": Decimal("1234.5"), "O15": Decimal("12.5"), "O16": Decimal("1234")},
            {"bad_number": 3},
        ),
    ],
    ids=["auto", "comma", "point"],
)
def test_decimal_commas_and_thousands_separators_are_never_guessed(
    loaded: ml.Workspace,
    write: Callable[..., Path],
    decimal: str | None,
    amounts: list[str],
    expected: dict[str, object],
    reasons: dict[str, int],
) -> None:
    from memberlens.ingest.load import ingest

    lines = [f'O{11 + i};M1;2024-02-01;"{a}"' for i, a in enumerate(amounts)]
    path = write("semicolon.csv", "order_id;member_id;ordered_at;amount\n" + "\n".join(lines))
    result = ingest(loaded.warehouse_path, loaded.config, "orders", path, decimal=decimal)  # type: ignore[arg-type]
    assert result.reasons == reasons
    got = {k: v for k, v in _amounts(loaded).items() if k != "O1"}
    assert got == expected


def test_an_ambiguous_number_names_the_option(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    loaded.ingest(
        "orders", write("o.csv", 'order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,"12,50"\n')
    )
    summary = loaded.quarantine("orders").summary
    assert "--decimal ," in summary.filter(reason="ambiguous_number")["meaning"][0]


def test_zone_names_are_converted_through_the_tz_database(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    from datetime import datetime

    text = (
        "order_id,member_id,ordered_at,amount\n"
        "O2,M1,2025-03-01 10:00:00 UTC,1\n"
        "O3,M1,2025-03-01T10:00:00 America/New_York,1\n"
        "O4,M1,2025-03-01 10:00:00 CST,1\n"  # CST is China, US Central or Cuba: refused
        "O5,M1,2025-03-01T10:00:00Z,1\n"
        "O6,M1,2025-03-01 10:00 PM,1\n"  # DuckDB's cast alone would read 10:00
        "O7,M1,2025-03-01 13:00 PM,1\n"
    )
    result = loaded.ingest("orders", write("zones.csv", text))
    with loaded.read() as con:
        times = dict(con.execute("SELECT order_id, ordered_at FROM orders").fetchall())
    assert times["O2"] == datetime(2025, 3, 1, 18, 0)  # Asia/Shanghai is UTC+8
    assert times["O3"] == datetime(2025, 3, 1, 23, 0)  # New York is UTC-5 in March
    assert times["O5"] == datetime(2025, 3, 1, 18, 0)
    assert times["O6"] == datetime(2025, 3, 1, 22, 0)
    assert result.reasons == {"unknown_timezone": 1, "bad_timestamp": 1}


@pytest.mark.parametrize(
    ("points", "reason"),
    [
        ("9223372036854775808", "number_too_large"),
        ("9223372036854775807", "number_too_large"),  # loads, then overflows every sum
        ("1e30", "number_too_large"),
        ("-1e16", "number_too_large"),
        ("inf", "bad_number"),
        ("NaN", "bad_number"),
    ],
)
def test_out_of_range_integers_are_quarantined_not_stored_as_null(
    loaded: ml.Workspace, write: Callable[..., Path], points: str, reason: str
) -> None:
    text = f"entry_id,member_id,at,kind,points\nE1,M1,2024-02-01,adjust,{points}\n"
    result = loaded.ingest("points", write("p.csv", text))
    assert (result.loaded, result.reasons) == (0, {reason: 1})


def test_huge_numbers_in_parquet_are_quarantined(loaded: ml.Workspace, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    table = pa.table(
        {
            "entry_id": ["E1", "E2"],
            "member_id": ["M1", "M1"],
            "at": ["2024-02-01", "2024-02-01"],
            "kind": ["adjust", "adjust"],
            "points": pa.array([2**63 - 1, 5], pa.int64()),
        }
    )
    pq.write_table(table, path)
    result = loaded.ingest("points", path)
    assert (result.loaded, result.reasons) == (1, {"number_too_large": 1})


@pytest.mark.parametrize(
    "when", ["0001-01-10", "-0044-03-15", "9999-12-31 23:59:59", "1899-12-31", "2101-01-01"]
)
def test_dates_outside_the_window_have_their_own_reason(
    loaded: ml.Workspace, write: Callable[..., Path], when: str
) -> None:
    text = f"order_id,member_id,ordered_at,amount\nO2,M1,{when},1\nO3,M1,2100-12-31 23:59,1\n"
    result = loaded.ingest("orders", write("d.csv", text))
    assert (result.loaded, result.reasons) == (1, {"date_out_of_range": 1})


def test_the_date_window_is_configurable(ws: ml.Workspace, write: Callable[..., Path]) -> None:
    from memberlens.ingest.load import ingest

    config = ws.config.model_copy(
        update={"ingest": ws.config.ingest.model_copy(update={"min_date": date(2020, 1, 1)})}
    )
    text = "member_id,registered_at\nM1,2019-12-31\nM2,2020-01-01\n"
    result = ingest(ws.warehouse_path, config, "members", write("m.csv", text))
    assert (result.loaded, result.reasons) == (1, {"date_out_of_range": 1})


def test_one_file_by_three_paths_is_one_source(
    loaded: ml.Workspace, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("x.csv", "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,-1\n")
    monkeypatch.chdir(path.parent)
    for name in ("x.csv", str(path), "./sub/../x.csv"):
        (path.parent / "sub").mkdir(exist_ok=True)
        loaded.ingest("orders", name)
    report = loaded.quarantine("orders")
    assert report.total == 1
    assert report.samples["source"].to_list() == [str(path.resolve())]


# -- personal data in quarantine ---------------------------------------------------------------
def test_quarantine_samples_and_exports_mask_phones(
    loaded: ml.Workspace, write: Callable[..., Path], tmp_path: Path
) -> None:
    from memberlens.ingest.quarantine import export_quarantine, quarantine_report

    text = (
        "member_id,registered_at,phone,city\n"
        'M7,"=HYPERLINK(""http://x"")",13800138000,上海\n'
        "M8,2024-01-01,1234567,上海\n"
        "M8,2024-01-01,1234567,上海\n"  # a duplicate: the short phone is quarantined
    )
    loaded.ingest("members", write("pii.csv", text))
    with loaded.read() as con:
        masked = quarantine_report(con, "members", 10).samples
        whole = quarantine_report(con, "members", 10, full_phone=True).samples
        path = tmp_path / "q.csv"
        export_quarantine(con, path, "members")
        exported = path.read_text(encoding="utf-8")
        export_quarantine(con, tmp_path / "full.csv", "members", full_phone=True)
        full = (tmp_path / "full.csv").read_text(encoding="utf-8")
    shown = " ".join(str(v) for v in masked.rows())
    assert "13800138000" not in shown and "1234567" not in shown
    assert whole.height == masked.height
    assert "13800138000" not in exported and "1234567" not in exported
    assert "8000" in exported  # the last four digits stay visible
    assert ',"=HYPERLINK' not in exported and ",=HYPERLINK" not in exported
    assert "'=HYPERLINK" in exported
    assert "13800138000" in full


def test_the_cli_warns_before_showing_whole_phones(
    loaded: ml.Workspace, write: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from memberlens.cli import run

    loaded.ingest("members", write("pii.csv", "member_id,registered_at,phone\nM7,x,13800138000\n"))
    assert run(["-w", str(loaded.root), "quarantine", "--table", "members"]) == 0
    out = capsys.readouterr().out
    assert "13800138000" not in out
    assert run(["-w", str(loaded.root), "quarantine", "--full-phone"]) == 0
    captured = capsys.readouterr()
    assert "Warning: --full-phone shows whole phone numbers" in captured.err
