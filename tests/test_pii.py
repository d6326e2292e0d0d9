"""Masking of phone numbers, e-mail addresses and id-card numbers, worked out by hand."""

from __future__ import annotations

import pytest

from memberlens.pii import mask_phone, mask_text, safe_cell


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+86 138-0013-8000", "138****8000"),
        ("１３８００１３８０００", "138****8000"),  # full-width digits
        ("02161234567", "021****4567"),
        ("61234567", "****4567"),
        ("1234567", "****67"),  # a short number is never shown whole
        ("123", "****"),
        (None, None),
    ],
)
def test_mask_phone(raw: str | None, masked: str | None) -> None:
    assert mask_phone(raw) == masked


def test_mask_text_finds_every_pattern() -> None:
    text = (
        "身份证11010519491231002X，电话 138 0013 8000 或 １３９００１３９０００，"
        "邮件 zhang.san@example.com"
    )
    assert mask_text(text) == (
        "身份证**************002X，电话 138****8000 或 139****9000，邮件 z***@example.com"
    )


def test_mask_text_leaves_order_numbers_and_amounts() -> None:
    text = "订单 202503011234567890 退款 128.50 元"
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-12.5", "-12.5"),
        ("普通会员", "普通会员"),
        (12, 12),
    ],
)
def test_safe_cell(value: object, safe: object) -> None:
    assert safe_cell(value) == safe


def test_the_engine_masks_as_python_does() -> None:
    import ibis

    from memberlens.pii import mask_phone_expr

    raws = [
        "13800138000",
        "+86 139-8765-4321",
        "8613912345678",
        "139-8765-4321",
        "61234567",
        "1234567",
        "123",
        None,
    ]
    table = ibis.memtable({"phone": raws}, schema={"phone": "string"})
    con = ibis.duckdb.connect()
    masked = con.to_pyarrow(table.select(masked=mask_phone_expr(table.phone)))["masked"]
    assert masked.to_pylist() == [mask_phone(r) for r in raws]


CELLS = ['=HYPERLINK("http://x")', "+cmd", "-12.5", "-x", "@SUM(A1)", "\tTAB", "1e5", "普通", None]


def test_the_engine_and_polars_neutralise_as_python_does() -> None:
    import ibis
    import polars as pl

    from memberlens.pii import safe_cell_expr, safe_cell_polars

    expected = [safe_cell(c) for c in CELLS]
    table = ibis.memtable({"cell": CELLS}, schema={"cell": "string"})
    con = ibis.duckdb.connect()
    got = con.to_pyarrow(table.select(cell=safe_cell_expr(table.cell)))["cell"].to_pylist()
    assert got == expected
    frame = pl.DataFrame({"cell": CELLS}, schema={"cell": pl.String})
    assert frame.select(safe_cell_polars("cell"))["cell"].to_list() == expected
