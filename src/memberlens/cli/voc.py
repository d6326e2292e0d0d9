"""``memberlens voc …``: sentiment, topics and NPS of what members say (DESIGN §13)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memberlens.cli.app import Format, FormatOption, app, open_workspace
from memberlens.cli.render import emit, readable, vocabulary
from memberlens.labels import SENTIMENTS, TEXT_LANGUAGES, Label
from memberlens.workspace.parse import day

if TYPE_CHECKING:
    pass

voc_app = typer.Typer(
    help="Voice of the customer: sentiment, topics and NPS (客户之声).", no_args_is_help=True
)
app.add_typer(voc_app, name="voc")

SENTIMENT_TITLE = Label("文本情感", "Sentiment of texts")
TOPICS_TITLE = Label("话题", "Topics")
EMERGING_TITLE = Label("新兴话题(周环比)", "Emerging topics (week over week)")
WEEK_LIFT = Label("周环比倍数", "× previous week")
RESPONSES = Label("回答数", "Responses")
NPS_TITLE = Label("净推荐值(95% 区间)", "NPS (95 % interval)")


def _file_texts(path: Path) -> list[tuple[str, str | None]]:
    import csv

    from memberlens.errors import InputError

    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"id", "text"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(
                f"{path} needs columns id,text; it has {', '.join(reader.fieldnames or ())}.",
                parameter="file",
                value=str(path),
            )
        return [(row["id"], row["text"]) for row in reader]


@voc_app.command()
def sentiment(
    table: Annotated[str | None, typer.Option(help="tickets, surveys or posts.")] = None,
    file: Annotated[Path | None, typer.Option(help="A CSV with columns id,text.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Sentiment of each text: positive / neutral / negative and a score in [-1, 1]."""
    from memberlens.errors import InputError
    from memberlens.voc.sentiment import classify
    from memberlens.voc.text import detect_language

    if (table is None) == (file is None):
        raise InputError("Give either --table (tickets, surveys, posts) or --file TEXTS.csv.")
    ws = open_workspace()
    language = ws.config.workspace.language
    if file is not None:
        items = _file_texts(file)
    else:
        from datetime import date

        from memberlens.voc.topics import texts

        with ws.session() as s:
            frame = texts(s, str(table), date(1900, 1, 1), date(9999, 12, 30))
        items = list(zip(frame["id"].to_list(), frame["text"].to_list(), strict=True))
    rows: list[dict[str, Any]] = []
    for key, text in items:
        if text is None or not text.strip():
            rows.append({"id": key, "language": "unknown", "sentiment": None, "score": None})
            continue
        found = classify(text)
        rows.append({"id": key, "language": detect_language(text),
                     "sentiment": found.sentiment, "score": found.score})  # fmt: skip
    if fmt is Format.table:
        words = {"sentiment": SENTIMENTS, "language": TEXT_LANGUAGES}
        shown = [
            {**r, "score": None if r["score"] is None else f"{round(r['score'], 2) + 0.0:+.2f}"}
            for r in rows
        ]
        rows = readable(shown, language, words)
    emit(rows, fmt, title=SENTIMENT_TITLE(language))


@voc_app.command()
def topics(
    table: Annotated[str, typer.Option(help="tickets, surveys or posts.")],
    start: Annotated[str, typer.Option("--from", help="First day (2025-03-01).")],
    end: Annotated[str, typer.Option("--to", help="Last day, inclusive (2025-03-31).")],
    k: Annotated[int, typer.Option(help="Number of topics.")] = 8,
    emerging_only: Annotated[
        bool, typer.Option("--emerging", help="Only emerging topic-weeks (lift ≥ 2, n ≥ 10).")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Topic clusters with labels, size, share, negative share, weekly trend and examples."""
    from memberlens.voc.topics import emerging, texts, topic_rows

    ws = open_workspace()
    language = ws.config.workspace.language
    with ws.session() as s:
        frame = texts(s, table, day(start, "start"), day(end, "end"))
    rows, _ = topic_rows(frame, k=k, words=ws.config.voc.words)
    if emerging_only:
        found = [
            {
                "topic": e.topic,
                "label": e.label,
                "week": str(e.week_start),
                "n": e.n,
                "previous": e.previous,
                "lift": e.lift,
            }
            for e in emerging(rows)
        ]
        if fmt is Format.table:
            shown = [
                {**e, "lift": "–" if e["lift"] is None else f"{e['lift']:.1f}×"} for e in found
            ]
            found = readable(shown, language, {}, {"lift": WEEK_LIFT})
        emit(found, fmt, title=EMERGING_TITLE(language))
        return
    if fmt is Format.table:
        shown = [
            {
                **r,
                "share": _share(r["share"]),
                "negative_share": _share(r["negative_share"]),
                "keywords": ", ".join(r["keywords"]),
                "trend": " ".join(str(w["n"]) for w in r["trend"]),
                "examples": " | ".join(e or "" for e in r["examples"]),
            }
            for r in rows
        ]
        emit(readable(shown, language, {}), fmt, title=TOPICS_TITLE(language))
    else:
        emit(rows, fmt, title=TOPICS_TITLE(language))


@voc_app.command()
def nps(
    period: Annotated[str, typer.Option(help="A period: 2025-03, 2025-Q1, 2025-W10, …")],
    by: Annotated[str | None, typer.Option(help="Split by a member dimension.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """NPS with its 95 % interval and the number of responses beside every value."""
    from memberlens.dates.periods import parse_period
    from memberlens.voc.nps import nps_rows

    ws = open_workspace()
    with ws.session() as s:
        rows = nps_rows(s, parse_period(period), by)
    language = ws.config.workspace.language
    if fmt is Format.table:
        shown = [
            {
                **r,
                "nps": None if r["nps"] is None else f"{r['nps']:+.1f}",
                "ci": "" if r["ci"] is None else f"[{r['ci'][0]:+.1f}, {r['ci'][1]:+.1f}]",
            }
            for r in rows
        ]
        rows = readable(shown, language, vocabulary(ws.config), {"n": RESPONSES})
    emit(rows, fmt, title=NPS_TITLE(language))


LAPSE_TITLE = Label(
    "投诉话题与流失(投诉后 N 天内无消费)",
    "Complaint topics and lapse (no purchase in N days after)",
)


@voc_app.command()
def lapse(
    start: Annotated[str | None, typer.Option("--from", help="First day of complaints.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day of complaints.")] = None,
    horizon_days: Annotated[int, typer.Option(help="Days after a complaint.")] = 90,
    k: Annotated[int, typer.Option(help="Number of complaint topics.")] = 8,
    fmt: FormatOption = Format.table,
) -> None:
    """Members who complained about X lapse at rate Y against Z for similar members."""
    from memberlens.voc.members import complaint_lapse_by_topic

    ws = open_workspace()
    first = None if start is None else day(start, "start")
    last = None if end is None else day(end, "end")
    with ws.session() as s:
        rows = complaint_lapse_by_topic(s, first, last, horizon_days=horizon_days, k=k)
    if fmt is Format.table:
        language = ws.config.workspace.language
        heads = {key: label(language) for key, label in LAPSE_HEADERS.items()}
        rows = [
            {
                heads["topic"]: r["topic"],
                heads["label"]: r["label"],
                heads["complaints"]: r["complaints"],
                heads["lapsed"]: r["lapsed"],
                heads["lapse_rate"]: _share(r["lapse_rate"]),
                heads["similar_lapse_rate"]: _share(r["similar_lapse_rate"]),
                heads["difference"]: _share(r["difference"]),
                heads["dropout"]: ""
                if r["dropout"] is None
                else f"{r['dropout']:.0%} [{r['ci'][0]:.0%}, {r['ci'][1]:.0%}]",
            }
            for r in rows
        ]  # the examples are in --format json (they do not fit a terminal's row)
    emit(rows, fmt, title=LAPSE_TITLE(ws.config.workspace.language).replace("N", str(horizon_days)))


LAPSE_HEADERS = {
    "topic": Label("话题", "Topic"),
    "label": Label("关键词", "Keywords"),
    "complaints": Label("投诉数", "Complaints"),
    "lapsed": Label("其后流失", "Lapsed after"),
    "lapse_rate": Label("流失率", "Lapse rate"),
    "similar_lapse_rate": Label("普通订单后的流失率", "After ordinary orders"),
    "difference": Label("差值", "Difference"),
    "dropout": Label("投诉致流失 (95% CI)", "Dropout (95% CI)"),
}


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"
