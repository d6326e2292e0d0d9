"""Every quarantine reason, each from a small CSV with one bad row among good ones."""

from collections.abc import Callable
from pathlib import Path

import pytest

import memberlens as ml

MEMBERS = "member_id,registered_at\nM1,2024-01-01\nM2,2024-01-02\n"
CAMPAIGNS = "campaign_id,name\nC1,Spring\n"
ORDERS = "order_id,member_id,ordered_at,amount\nO1,M1,2024-02-01 10:00,10\n"


@pytest.fixture
def loaded(ws: ml.Workspace, write: Callable[..., Path]) -> ml.Workspace:
    ws.ingest("members", write("members.csv", MEMBERS))
    ws.ingest("campaigns", write("campaigns.csv", CAMPAIGNS))
    ws.ingest("orders", write("orders.csv", ORDERS))
    return ws


CASES = [
    # table, csv text, reason, bad row, column, value
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,10\n,M1,2024-02-01,10\n",
        "missing_value",
        3,
        "order_id",
        "",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-30,10\nO3,M1,2024-02-01,10\n",
        "bad_timestamp",
        2,
        "ordered_at",
        "2024-02-30",
    ),
    (
        "members",
        "member_id,registered_at,birthday\nM7,2024-01-01,1990-13-01\nM8,2024-01-01,\n",
        "bad_date",
        2,
        "birthday",
        "1990-13-01",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,ten\nO3,M1,2024-02-01,10\n",
        "bad_number",
        2,
        "amount",
        "ten",
    ),
    (
        "points",
        "entry_id,member_id,at,kind,points\nP1,M1,2024-02-01,earn,10.5\nP2,M1,2024-02-01,earn,10\n",
        "not_integer",
        2,
        "points",
        "10.5",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,5\nO3,M1,2024-02-01,-5\n",
        "negative_amount",
        3,
        "amount",
        "-5",
    ),
    (
        "surveys",
        "response_id,member_id,at,nps\nR1,M1,2024-02-01,11\nR2,M1,2024-02-01,10\n",
        "out_of_range",
        2,
        "nps",
        "11",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount,status\nO2,M1,2024-02-01,5,paid\nO3,M1,2024-02-01,5,lost\n",
        "unknown_value",
        3,
        "status",
        "lost",
    ),
    (
        "points",
        "entry_id,member_id,at,kind,points\nP1,M1,2024-02-01,redeem,100\nP2,M1,2024-02-01,earn,10\n",
        "wrong_sign",
        2,
        "points",
        "100",
    ),
    (
        "events",
        'member_id,at,event,properties\nM1,2024-02-01,view,"{""a"": 1}"\n'
        "M1,2024-02-02,view,{oops\n",
        "bad_json",
        3,
        "properties",
        "{oops",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01\nO3,M1,2024-02-01,5\n",
        "malformed_row",
        2,
        None,
        "O2,M1,2024-02-01",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,5\nO2,M2,2024-02-03,6\n",
        "duplicate_key",
        3,
        "order_id",
        "O2",
    ),
    (
        "orders",
        "order_id,member_id,ordered_at,amount\nO2,M1,2024-02-01,5\nO3,M9,2024-02-03,6\n",
        "unknown_member",
        3,
        "member_id",
        "M9",
    ),
    ("order_items", "order_id,line,sku\nO1,1,A\nO9,1,B\n", "unknown_order", 3, "order_id", "O9"),
    (
        "campaign_touches",
        "campaign_id,member_id,at\nC1,M1,2024-02-01\nC9,M1,2024-02-01\n",
        "unknown_campaign",
        3,
        "campaign_id",
        "C9",
    ),
]


@pytest.mark.parametrize(
    ("table", "text", "reason", "row", "column", "value"), CASES, ids=[c[2] for c in CASES]
)
def test_each_reason_quarantines_exactly_the_bad_row(
    loaded: ml.Workspace,
    write: Callable[..., Path],
    table: str,
    text: str,
    reason: str,
    row: int,
    column: str | None,
    value: str,
) -> None:
    path = write(f"{table}-{reason}.csv", text)
    result = loaded.ingest(table, path)
    assert result.rows_read == 2
    assert (result.loaded, result.quarantined) == (1, 1)
    assert result.reasons == {reason: 1}
    samples = loaded.quarantine(table).samples.filter(source=str(path))
    assert samples.height == 1
    found = samples.row(0, named=True)
    assert (found["reason"], found["row"], found["column"], found["value"]) == (
        reason,
        row,
        column,
        value,
    )


def test_every_documented_reason_has_a_case() -> None:
    from memberlens.ingest.quarantine import REASON_TEXT

    assert {c[2] for c in CASES} == set(REASON_TEXT)


def test_the_summary_says_what_each_reason_means(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    loaded.ingest(
        "orders", write("neg.csv", "order_id,member_id,ordered_at,amount\nN1,M1,2024-02-01,-1\n")
    )
    summary = loaded.quarantine("orders").summary
    assert summary.filter(reason="negative_amount")["meaning"].to_list() == ["金额为负"]


def test_a_row_with_several_problems_lists_them_all(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    path = write("o.csv", "order_id,member_id,ordered_at,amount,status\nO5,M1,someday,-1,lost\n")
    result = loaded.ingest("orders", path)
    assert result.quarantined == 1
    with loaded.read() as con:
        details, record = con.execute(
            "SELECT details, record FROM _quarantine WHERE source = ?", [str(path)]
        ).fetchall()[0]
    assert (
        details == "ordered_at: bad_timestamp 'someday'; amount: negative_amount '-1'; "
        "status: unknown_value 'lost'"
    )
    assert '"order_id":"O5"' in record.replace(" ", "")


def test_the_first_duplicate_loads_and_names_its_row(
    loaded: ml.Workspace, write: Callable[..., Path]
) -> None:
    path = write(
        "d.csv",
        "order_id,member_id,ordered_at,amount\nD1,M1,2024-02-01,5\nD1,M1,2024-02-02,7\nD1,M2,2024-02-03,9\n",
    )
    result = loaded.ingest("orders", path)
    assert (result.loaded, result.quarantined) == (1, 2)
    kept = loaded.table("orders").filter(order_id="D1")
    assert float(kept["amount"][0]) == 5.0
    samples = loaded.quarantine("orders").samples.filter(source=str(path))
    assert samples["details"].to_list() == ["same key as row 2", "same key as row 2"]
