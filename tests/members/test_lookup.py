"""Finding members by id, masked phone and whole phone (memberlens.members.lookup)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import memberlens as ml
from memberlens.errors import InputError
from memberlens.members.lookup import PhoneQuery, parse_phone
from memberlens.pii import mask_phone

MEMBERS = """member_id,registered_at,phone
A1,2024-01-01,13812348000
A2,2024-01-02,+86 138 5678 8000
A3,2024-01-03,13912348000
A4,2024-01-04,1381238000
A5,2024-01-05,
A6,2024-01-06,13800008001
13812348000,2024-01-07,13700000000
"""


@pytest.fixture
def phones(load_csv: Callable[..., ml.Workspace]) -> ml.Workspace:
    return load_csv(("members", MEMBERS))


def ids(found: dict[str, object]) -> list[str]:
    return [r["member_id"] for r in found["rows"]]  # type: ignore[attr-defined]


def test_parse_phone() -> None:
    assert parse_phone("138****8000") == PhoneQuery("138", "8000", 4)
    assert parse_phone("１３８＊＊＊＊８０００") == PhoneQuery("138", "8000", 4)
    assert parse_phone("+86 138-xxxx-8000") == PhoneQuery("138", "8000", 4)
    assert parse_phone("+86 138 1234 8000") == PhoneQuery("13812348000", "", None)
    assert parse_phone("M00000042") is None
    assert parse_phone("138") is None  # too short for a phone: an id, perhaps
    with pytest.raises(InputError, match="at least 4 known digits"):
        parse_phone("13****")


def test_masked_phone_lists_every_member_masked_so(phones: ml.Workspace) -> None:
    found = phones.models.lookup("138****8000")
    assert found["kind"] == "masked_phone"
    assert ids(found) == ["A1", "A2"]  # A2 after its +86; A4 has 10 digits, A6 ends 8001
    assert found["total"] == 2
    for row in found["rows"]:
        assert mask_phone(row["phone"]) == "138****8000"
    assert ids(phones.models.lookup("139****8000")) == ["A3"]
    assert ids(phones.models.lookup("138*8000")) == ["A1", "A2", "A4"]  # one star: ≥ 1 digit
    assert ids(phones.models.lookup("****8000")) == ["A1", "A2", "A3", "A4"]
    assert phones.models.lookup("186****8000")["total"] == 0


def test_limit_keeps_the_total(phones: ml.Workspace) -> None:
    found = phones.models.lookup("****8000", limit=2)
    assert ids(found) == ["A1", "A2"]
    assert found["total"] == 4


def test_member_id_first_then_whole_phone(phones: ml.Workspace) -> None:
    by_id = phones.models.lookup("A3")
    assert (by_id["kind"], ids(by_id)) == ("member_id", ["A3"])
    # a member id that looks like a phone is the member, not the phone's owner
    assert ids(phones.models.lookup("13812348000")) == ["13812348000"]
    whole = phones.models.lookup("139 1234 8000")
    assert (whole["kind"], ids(whole)) == ("phone", ["A3"])
    assert ids(phones.models.lookup("+8613856788000")) == ["A2"]
    with pytest.raises(InputError, match="masked phone") as refused:
        phones.models.lookup("13912348000", whole_phone=False)
    assert "13912348000" not in str(refused.value) and refused.value.value == "139****"
    assert phones.models.lookup("nobody")["total"] == 0


@pytest.mark.parametrize("text", ["", "   ", "x" * 129, "A1\x00", "A\n1"])
def test_bad_queries(phones: ml.Workspace, text: str) -> None:
    with pytest.raises(InputError) as error:
        phones.models.lookup(text)
    assert error.value.parameter == "q"


def test_quotes_and_sql_are_values(phones: ml.Workspace) -> None:
    for text in ("A1' OR '1'='1", "'; DROP TABLE members; --", "138%", "A_"):
        assert phones.models.lookup(text)["total"] == 0
    assert phones.table("members").height == 7
