"""Every writer refuses a file in a folder that does not exist with one clear error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import memberlens as ml
from memberlens.engine.output import check_suffix, write, write_frame
from memberlens.errors import InputError

FRAME = pl.DataFrame({"member_id": ["A", "B"], "spend": [1.0, 2.0]})


@pytest.mark.parametrize("name", ["rfm.csv", "tiers.parquet", "targets.xlsx"])
def test_write_frame_into_a_missing_folder_names_the_folder_and_the_fix(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "missing" / "deeper" / name
    with pytest.raises(InputError) as caught:
        write_frame(FRAME, path)
    message = str(caught.value)
    assert f"the folder '{path.parent}' does not exist" in message
    assert f"mkdir -p '{path.parent}'" in message
    assert (caught.value.parameter, caught.value.value) == ("output", str(path))
    assert not (tmp_path / "missing").exists()  # nothing created on the way


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        check_suffix(tmp_path / "notes" / "rfm.csv")


def test_an_existing_folder_is_written(tmp_path: Path) -> None:
    assert write_frame(FRAME, tmp_path / "rfm.csv") == 2
    assert pl.read_csv(tmp_path / "rfm.csv")["member_id"].to_list() == ["A", "B"]


def test_the_engine_writer_refuses_the_missing_folder_before_the_query(
    shop: ml.Workspace, tmp_path: Path
) -> None:
    with shop.session() as s:
        members = s.table("members").select("member_id")
        with pytest.raises(InputError, match="does not exist"):
            write(s, members, tmp_path / "nowhere" / "members.parquet")
        assert write(s, members, tmp_path / "members.parquet") == shop.counts()["members"]


@pytest.mark.parametrize(
    "args",
    [
        ["rfm", "--as-of", "2024-03-21"],
        ["tiers", "--as-of", "2024-03-21"],
    ],
)
def test_commands_with_output_into_a_missing_folder_give_one_line(
    shop: ml.Workspace, tmp_path: Path, args: list[str]
) -> None:
    from typer.testing import CliRunner

    from memberlens.cli import app

    target = tmp_path / "missing" / "out.csv"
    result = CliRunner().invoke(app, ["-w", str(shop.root), *args, "--output", str(target)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert f"the folder '{target.parent}' does not exist" in str(result.exception)
    assert not target.parent.exists()
