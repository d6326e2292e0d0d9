"""Member VoC features and complaint topics against lapse, by hand."""

from collections.abc import Callable
from datetime import date

import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.voc.members import lapse_by_complaint_topic, member_features
from memberlens.voc.sentiment import classify


def test_features_of_march(shop: ml.Workspace) -> None:
    with shop.session() as s:
        rows = {r["member_id"]: r for r in member_features(s, date(2024, 3, 1),
                                                          date(2024, 4, 1)).to_dicts()}  # fmt: skip
    # M1: complaint T1, post B1 (好喝), surveys R1 and R4 without text
    assert (rows["M1"]["tickets"], rows["M1"]["complaints"], rows["M1"]["texts"]) == (1, 1, 1)
    assert rows["M1"]["mean_sentiment"] == pytest.approx(classify("好喝").score)
    assert (rows["M2"]["tickets"], rows["M2"]["complaints"]) == (1, 1)  # T4 (B3 is February)
    assert (rows["M3"]["tickets"], rows["M3"]["complaints"]) == (1, 0)  # inquiry T2
    assert rows["M4"]["tickets"] == 0 and rows["M4"]["mean_sentiment"] is None  # survey R3
    assert set(rows) == {"M1", "M2", "M3", "M4"}


def _lapse_ws(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    members = "member_id,registered_at\n" + "".join(f"M{i},2024-01-01\n" for i in range(1, 7))
    orders = (
        "order_id,member_id,ordered_at,amount\n"
        + "".join(f"O{i},M{i},2024-03-01,10\n" for i in range(1, 7))
        + "P3,M3,2024-04-05,10\nP5,M5,2024-04-10,10\nP6,M6,2024-04-10,10\nQ6,M6,2024-05-15,10\n"
    )
    tickets = ("ticket_id,member_id,opened_at,kind,text\nT1,M1,2024-03-10,complaint,积分没到账\n"
               "T2,M2,2024-03-11,complaint,积分一直没到账\nT3,M3,2024-03-12,complaint,店员态度差\n"
               "T4,M4,2024-03-12,inquiry,积分怎么查\n")  # fmt: skip
    return load_csv(("members", members), ("orders", orders), ("tickets", tickets))


def test_lapse_by_complaint_topic(load_csv: Callable[..., ml.Workspace]) -> None:
    ws = _lapse_ws(load_csv)
    with ws.session() as s:
        rows = lapse_by_complaint_topic(s, date(2024, 4, 1), window_days=90, horizon_days=30, k=2)
    by = {("积分" in r["label"]): r for r in rows}
    # points complaints M1, M2: neither buys in April → 1.0; staff complaint M3 buys → 0.0;
    # members without a complaint M4, M5, M6 (one order each, like the complainers): M4 lapses
    assert (by[True]["members"], by[True]["lapse_rate"]) == (2, 1.0)
    assert by[False]["lapse_rate"] == 0.0
    assert by[True]["similar_lapse_rate"] == pytest.approx(1 / 3)
    assert by[True]["difference"] == pytest.approx(2 / 3)


def test_lapse_needs_the_horizon_in_the_data(load_csv: Callable[..., ml.Workspace]) -> None:
    ws = _lapse_ws(load_csv)
    with ws.session() as s, pytest.raises(InputError, match="as_of 2024-05-01"):
        lapse_by_complaint_topic(s, date(2024, 5, 1), horizon_days=30)
