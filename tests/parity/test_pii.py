"""The engine's phone mask on Spark equals the Python mask, value for value."""

from __future__ import annotations

from typing import Any

from memberlens.pii import mask_phone, mask_phone_expr

RAWS = [
    "13800138000",
    "+86 139-8765-4321",
    "8613912345678",
    "139-8765-4321",
    "02161234567",
    "61234567",
    "1234567",
    "123",
    None,
]


def test_spark_masks_as_python_does(spark: Any) -> None:
    import ibis

    frame = spark.createDataFrame([(r,) for r in RAWS], "phone string")
    frame.createOrReplaceTempView("phones_to_mask")
    con = ibis.pyspark.connect(spark)
    table = con.table("phones_to_mask")
    masked = table.select(table.phone, masked=mask_phone_expr(table.phone)).to_pyarrow()
    got = dict(zip(masked["phone"].to_pylist(), masked["masked"].to_pylist(), strict=True))
    assert got == {r: mask_phone(r) for r in RAWS}
