"""Member features defined by areas above the models, registered like dimensions.

What members say (complaints, the sentiment of their texts, the topics they complain
about) is computed by :mod:`memberlens.voc`, a layer above the models; the churn model and
the drivers analysis read it through this registry, so imports point one way. A
:class:`FeatureSource` computes, for each of several windows ``[start, end)``, one row per
member with its feature columns; the same columns in every window (a topic model is fitted
once across the windows, so "topic 2" means the same in each). Members absent from a frame
get 0, except the columns in ``no_fill`` (a mean sentiment without a text stays missing).
:func:`memberlens.workspace.load_member_features` imports the registering modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from memberlens.engine.session import Session

Window = tuple[date, date]


@dataclass(frozen=True)
class FeatureSource:
    id: str
    definition: str
    #: the frames of the windows and readable names of columns (a topic flag's label)
    compute: Callable[[Session, Sequence[Window]], tuple[list[pl.DataFrame], dict[str, str]]]
    no_fill: frozenset[str] = field(default_factory=frozenset)
    #: 0/1 columns: those named here and those starting with ``binary_prefix``
    binary_prefix: str = "\0"


SOURCES: dict[str, FeatureSource] = {}


def register(source: FeatureSource) -> FeatureSource:
    SOURCES[source.id] = source
    return source


@dataclass(frozen=True)
class Extra:
    """The registered features of each window, and which columns fill and which are 0/1."""

    frames: list[pl.DataFrame]
    columns: tuple[str, ...]
    no_fill: frozenset[str]
    binary: frozenset[str]
    labels: dict[str, str]

    def join(self, frame: pl.DataFrame, index: int) -> pl.DataFrame:
        """``frame`` (with member_id) with window ``index``'s columns; absent members filled."""
        import polars as pl

        if not self.columns:
            return frame
        joined = frame.join(self.frames[index], on="member_id", how="left")
        return joined.with_columns(
            pl.col(c).fill_null(0) for c in self.columns if c not in self.no_fill
        )


def extra_features(
    session: Session, windows: Sequence[Window], sources: Sequence[str] | None = None
) -> Extra:
    """Every registered source's features (or those of ``sources``) for each window."""
    import polars as pl

    frames: list[pl.DataFrame] | None = None
    no_fill: set[str] = set()
    binary: set[str] = set()
    labels: dict[str, str] = {}
    for source in SOURCES.values():
        if sources is not None and source.id not in sources:
            continue
        found, named = source.compute(session, windows)
        no_fill |= source.no_fill
        binary |= {c for c in found[0].columns if c.startswith(source.binary_prefix)}
        labels |= named
        if frames is None:
            frames = found
        else:
            frames = [a.join(b, on="member_id", how="full", coalesce=True)
                      for a, b in zip(frames, found, strict=True)]  # fmt: skip
    if frames is None:
        return Extra([pl.DataFrame({"member_id": []}, schema={"member_id": pl.String})]
                     * len(windows), (), frozenset(), frozenset(), {})  # fmt: skip
    columns = tuple(c for c in frames[0].columns if c != "member_id")
    return Extra(frames, columns, frozenset(no_fill), frozenset(binary), labels)
