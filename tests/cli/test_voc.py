"""``memberlens voc``: the JSON shapes of DESIGN §13, masking, and the input errors."""

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import memberlens as ml

COMMAND = [sys.executable, "-m", "memberlens"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=300)


def test_nps_json(shop: ml.Workspace) -> None:
    done = run("-w", str(shop.root), "voc", "nps", "--period", "2024-03", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == [
        {"period": "2024-03", "n": 4, "promoters": 2, "passives": 1, "detractors": 1,
         "nps": 25.0, "ci": [-56.26, 100.0]}
    ]  # fmt: skip


def test_sentiment_of_a_file_and_of_a_table(shop: ml.Workspace, write: Callable[..., Path]) -> None:
    path = write("texts.csv", "id,text\nA,积分一直没有到账\nB,请问会员日是哪天？\nC,Love it!\nD,\n")
    done = run("-w", str(shop.root), "voc", "sentiment", "--file", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [(r["id"], r["language"], r["sentiment"]) for r in rows] == [
        ("A", "zh", "negative"), ("B", "zh", "neutral"), ("C", "en", "positive"),
        ("D", "unknown", None),
    ]  # fmt: skip
    done = run("-w", str(shop.root), "voc", "sentiment", "--table", "posts", "--format", "json")
    rows = json.loads(done.stdout)["rows"]
    assert {r["id"]: r["sentiment"] for r in rows} == {
        "B1": "positive",
        "B2": "neutral",
        "B3": "positive",  # 好喝, 还行, 不错
    }


def test_topics_json_masks_examples(shop: ml.Workspace, write: Callable[..., Path]) -> None:
    shop.ingest("posts", write("p.csv", "post_id,at,source,text\n"
                               "B9,2024-03-05,weibo,积分没到账 电话13800138000\n"))  # fmt: skip
    done = run("-w", str(shop.root), "voc", "topics", "--table", "posts", "--from", "2024-03-01",
               "--to", "2024-03-31", "--k", "2", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert set(rows[0]) == {"topic", "label", "keywords", "size", "share", "negative_share",
                            "trend", "examples"}  # fmt: skip
    assert sum(r["size"] for r in rows) == 3  # B1, B2, B9 (B3 is February)
    assert "138****8000" in done.stdout and "13800138000" not in done.stdout


def test_sentiment_needs_one_source(shop: ml.Workspace) -> None:
    done = run("-w", str(shop.root), "voc", "sentiment")
    assert done.returncode == 2 and "--table" in done.stderr


def test_lapse_by_complaint_topic_as_json(load_csv: Callable[..., ml.Workspace]) -> None:
    members = "member_id,registered_at\n" + "".join(f"M{i},2024-01-01\n" for i in range(1, 5))
    orders = ("order_id,member_id,ordered_at,amount\n"
              + "".join(f"O{i},M{i},2024-03-01,10\n" for i in range(1, 5))
              + "P3,M3,2024-04-05,10\nP4,M4,2024-05-15,10\n")  # fmt: skip
    tickets = ("ticket_id,member_id,opened_at,kind,text\n"
               "T1,M1,2024-03-10,complaint,积分没到账 13812345678\n"
               "T2,M2,2024-03-11,complaint,积分没到账 13812345678\n")  # fmt: skip
    ws = load_csv(("members", members), ("orders", orders), ("tickets", tickets))
    done = run("-w", str(ws.root), "voc", "lapse", "--horizon-days", "40", "--k", "1",
               "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(done.stdout)["rows"]
    # before 2024-04-06: T1, T2 not followed by an order in 40 days → Y = 1; orders O1..O4,
    # P3: O3 is followed by P3 → Z = 4/5
    assert (row["complaints"], row["lapsed"], row["lapse_rate"]) == (2, 2, 1.0)
    assert row["similar_lapse_rate"] == pytest.approx(4 / 5)
    assert row["dropout"] == pytest.approx(1.0)
    assert row["examples"] == ["积分没到账 138****5678"]
