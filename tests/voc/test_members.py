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


def test_complaint_lapse_effect_by_hand(load_csv: Callable[..., ml.Workspace]) -> None:
    from memberlens.voc.members import complaint_lapse_effect

    ws = _lapse_ws(load_csv)
    with ws.session() as s:
        found = complaint_lapse_effect(s, horizon_days=40)
    # windows must end by 2024-05-15 (the last order): events before 2024-04-06 count.
    # Orders O1..O6, P3: O3 (P3), O5 (P5 on day 40) and O6 (P6) are followed by an order
    # within 40 days; O1, O2, O4 and P3 are not → Z = 4/7. Complaints T1, T2 are not
    # followed by an order, T3 is (P3) → Y = 2/3.
    assert (found["complaints"], found["orders"]) == (3, 7)
    assert found["lapse_after_complaint"] == pytest.approx(2 / 3)
    assert found["lapse_after_order"] == pytest.approx(4 / 7)
    assert found["dropout"] == pytest.approx((2 / 3 - 4 / 7) / (3 / 7))  # 2/9
    low, high = found["ci"]
    assert low < 2 / 9 < high
    with pytest.raises(InputError, match="horizon_days 0"):
        complaint_lapse_effect(s, horizon_days=0)


def test_churn_features_of_what_members_say(shop: ml.Workspace) -> None:
    from memberlens.voc.members import churn_features

    with shop.session() as s:
        (march, february), labels = churn_features(
            s, [(date(2024, 3, 1), date(2024, 4, 1)), (date(2024, 2, 1), date(2024, 3, 1))]
        )
    rows = {r["member_id"]: r for r in march.to_dicts()}
    # March texts: M1 complaint T1 (no text) and post B1 好喝; M2 complaint T4; M3 inquiry T2
    assert rows["M1"]["voc_texts"] == 1
    assert rows["M1"]["voc_mean_sentiment"] == pytest.approx(classify("好喝").score)
    assert rows["M1"]["voc_negative_share"] == (classify("好喝").score <= -0.3)
    # the complaint topics are the same columns in both windows, one flag per topic
    assert set(labels) == {c for c in march.columns if c.startswith("voc_topic_")}
    assert set(labels) == {c for c in february.columns if c.startswith("voc_topic_")}
    assert {rows[m].get(c) for m in rows for c in labels} <= {0, 1}
    assert set(february["member_id"]) == {"M2"}  # B3 (不错) on 2024-02-01
