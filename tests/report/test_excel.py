"""The workbook writer on hand-made sheets: formats, frozen header, filter, hostile texts."""

from datetime import date
from pathlib import Path

import openpyxl

from memberlens.report.excel import Cell, Sheet, money_format, sheet_names, write_sheets


def test_money_carries_the_currency_with_two_decimals() -> None:
    assert money_format("CNY") == '"¥"#,##0.00'
    assert money_format("usd") == '"$"#,##0.00'
    assert money_format("SGD") == '#,##0.00 "SGD"'
    assert money_format('S"GD;=1') == '#,##0.00 "SGD"'  # nothing but letters reaches a format


def test_sheet_names_are_valid_and_distinct() -> None:
    names = sheet_names(["目标 a/b", "x" * 40, "Alerts", "alerts", "[x]:*?"])
    assert names[0] == "目标 a b"
    assert names[1] == "x" * 31
    assert names[2] == "Alerts" and names[3] == "alerts (2)"
    assert names[4] == "x"
    assert all(len(n) <= 31 for n in names)


def test_cells_keep_their_values_in_their_unit_formats(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    sheet = Sheet(
        "指标",
        ["指标", "2025-01", "2025-02"],
        [
            [Cell("复购率"), Cell(0.2107, "ratio"), Cell(0.4292, "ratio")],
            [Cell("会员消费额"), Cell(1234.5, "money"), Cell(float("nan"), "money")],
            [Cell("订单数"), Cell(1200, "count"), Cell(float("inf"), "count")],
            [Cell("环比"), Cell(1.5, "change_pp"), Cell(-0.25, "change_pct")],
        ],
    )
    daily = Sheet("Daily", ["Day", "Orders"], [[Cell(date(2025, 1, 2), "date"), Cell(3, "count")]])
    write_sheets([sheet, daily], path, "USD")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["指标", "Daily"]
    ws = book["指标"]
    assert [c.value for c in ws[1]] == ["指标", "2025-01", "2025-02"]
    assert (ws["B2"].value, ws["B2"].number_format) == (0.2107, "0.0%")
    assert (ws["B3"].value, ws["B3"].number_format) == (1234.5, '"$"#,##0.00')
    assert ws["C3"].value is None and ws["C4"].value is None  # NaN and infinity left empty
    assert ws["B4"].number_format == "#,##0"
    assert ws["B5"].number_format == '+0.0" pp";-0.0" pp";0.0" pp"'
    assert ws["C5"].number_format == "+0.0%;-0.0%;0.0%"
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == "A1:C5"
    # a Chinese name is twice as wide as its characters
    assert ws.column_dimensions["A"].width >= 2 * len("会员消费额")
    day = book["Daily"]["A2"]
    assert day.value.date() == date(2025, 1, 2) and day.number_format == "yyyy-mm-dd"


def test_texts_are_neutralised_and_masked(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    hostile = ['=HYPERLINK("http://x.example","click")', "+1+1", "-2+3", "@SUM(A1)", "-12.5"]
    sheet = Sheet(
        "=bad",
        ["=head", "note"],
        [[Cell(text), Cell("客户 13800138000 投诉")] for text in hostile],
    )
    write_sheets([sheet], path)
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    assert ws.title == "=bad"  # a sheet name is never a formula
    assert ws["A1"].value == "'=head"
    column = [ws.cell(row=r, column=1).value for r in range(2, 2 + len(hostile))]
    assert column == ["'" + t for t in hostile[:4]] + ["-12.5"]  # a plain number stays
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, 7))  # no formula
    notes = {ws.cell(row=r, column=2).value for r in range(2, 7)}
    assert notes == {"客户 138****8000 投诉"}
