"""The demo program: generate a synthetic program, create a workspace, load every table and
build the daily aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memberlens.errors import WorkspaceError
from memberlens.ingest.load import IngestResult
from memberlens.progress import Progress
from memberlens.schema import LOAD_ORDER
from memberlens.workspace import Workspace, init

if TYPE_CHECKING:
    from memberlens.metrics.refresh import Refreshed

DATA_DIR = "data"
DEFAULT_MEMBERS = 20_000


@dataclass
class Demo:
    workspace: Workspace
    truth: dict[str, Any]
    loads: list[IngestResult]
    aggregates: Refreshed


def build_demo(
    directory: str | Path,
    members: int = DEFAULT_MEMBERS,
    *,
    seed: int | None = None,
    language: str = "zh",
    progress: Progress | None = None,
) -> Demo:
    """Generate ``members`` members into ``directory/data``, load them into a new workspace
    and build its daily aggregates, as the morning run (``run-daily``) leaves a workspace."""
    from memberlens.generate import generate
    from memberlens.generate.params import Plan

    root = Path(directory)
    if root.exists() and any(root.iterdir()):
        raise WorkspaceError(
            f"{root} already exists and is not empty; the demo builds a new workspace. "
            "Choose another directory or remove this one."
        )
    data = root / DATA_DIR
    truth = generate(data, members, seed=Plan.seed if seed is None else seed, progress=progress)
    ws = init(root, language="en" if language == "en" else "zh")
    loads = [ws.ingest(table, data / f"{table}.parquet", progress=progress) for table in LOAD_ORDER]
    return Demo(ws, truth, loads, ws.refresh_aggregates(progress=progress))
