"""CSV files for people start with a UTF-8 BOM (Excel on Windows then reads 中文); --no-bom and
bom=False leave it out; CSV printed to stdout never has one. Checked on the bytes."""

from __future__ import annotations

from pathlib import Path

import ibis
import polars as pl
import pytest

import memberlens as ml
from cli.running import invoke
from memberlens.engine.output import BOM, write, write_frame

FRAME = pl.DataFrame({"member_id": ["M1", "M2"], "tier": ["金卡会员", "普通会员"]})
TEXT = "member_id,tier\nM1,金卡会员\nM2,普通会员\n".encode()


@pytest.mark.parametrize(("bom", "prefix"), [(True, BOM), (False, b"")])
def test_write_frame(tmp_path: Path, bom: bool, prefix: bytes) -> None:
    path = tmp_path / "tiers.csv"
    assert write_frame(FRAME, path, bom=bom) == 2
    assert path.read_bytes() == prefix + TEXT


def test_write_frame_has_a_bom_by_default(tmp_path: Path) -> None:
    write_frame(FRAME, tmp_path / "tiers.csv")
    assert (tmp_path / "tiers.csv").read_bytes() == BOM + TEXT
    write_frame(FRAME, tmp_path / "tiers.parquet")
    assert not (tmp_path / "tiers.parquet").read_bytes().startswith(BOM)


@pytest.mark.parametrize(("bom", "prefix"), [(True, BOM), (False, b"")])
def test_engine_copy(shop: ml.Workspace, tmp_path: Path, bom: bool, prefix: bytes) -> None:
    path = tmp_path / "tiers.csv"
    with shop.session() as session:
        assert session.engine == "duckdb"  # the COPY path, not Polars
        m = session.table("members")
        rows = m.filter(m.member_id.isin(["M1", "M2"])).select(
            "member_id", tier=ibis.literal("金卡会员")
        )
        assert write(session, rows.order_by("member_id"), path, bom=bom) == 2
    assert path.read_bytes() == prefix + "member_id,tier\nM1,金卡会员\nM2,金卡会员\n".encode()
    assert not list(tmp_path.glob(".*.part"))  # no part file left


def test_cli_output_and_stdout(shop: ml.Workspace, tmp_path: Path) -> None:
    root = str(shop.root)
    with_bom, without = tmp_path / "with.csv", tmp_path / "without.csv"
    assert (
        invoke("-w", root, "tiers", "--as-of", "2024-03-31", "--output", str(with_bom)).exit_code
        == 0
    )
    done = invoke(
        "-w", root, "tiers", "--as-of", "2024-03-31", "--output", str(without), "--no-bom"
    )
    assert done.exit_code == 0
    # the same rows, the BOM the only difference (rows come in the engine's order)
    with_lines = with_bom.read_bytes().removeprefix(BOM).splitlines()
    without_lines = without.read_bytes().splitlines()
    assert with_bom.read_bytes().startswith(BOM + b"member_id,tier\n")
    assert without_lines[0] == b"member_id,tier"
    assert sorted(with_lines) == sorted(without_lines) and len(without_lines) > 1
    rfm = tmp_path / "rfm.csv"
    assert invoke("-w", root, "rfm", "--as-of", "2024-03-31", "--output", str(rfm)).exit_code == 0
    assert rfm.read_bytes().startswith(BOM)
    printed = invoke("-w", root, "tiers", "--as-of", "2024-03-31", "--format", "csv")
    assert printed.stdout.startswith("member_id")  # no BOM on stdout


def test_engine_copy_neutralises_formulas(shop: ml.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    with shop.session() as session:
        assert session.engine == "duckdb"  # the COPY path
        m = session.table("members")
        rows = m.filter(m.member_id == "M1").select(
            "member_id", link=ibis.literal('=HYPERLINK("http://x")'), amount=ibis.literal("-2.5")
        )
        assert write(session, rows, path) == 1
    assert path.read_bytes().decode("utf-8-sig").splitlines() == [
        "member_id,link,amount",
        'M1,"\'=HYPERLINK(""http://x"")",-2.5',
    ]
