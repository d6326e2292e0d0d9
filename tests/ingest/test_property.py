"""Property: malformed CSV never crashes a load; every row read is loaded or quarantined."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import memberlens as ml
from memberlens.errors import MemberlensError

_ROOT = Path(tempfile.mkdtemp(prefix="memberlens-property-"))
_WS = ml.init(_ROOT / "ws")
(_ROOT / "members.csv").write_text(
    "member_id,registered_at\nM1,2024-01-01\nM2,2024-01-01\n", encoding="utf-8"
)
_WS.ingest("members", _ROOT / "members.csv")

HEADERS = [
    "order_id",
    "member_id",
    "ordered_at",
    "amount",
    "status",
    "订单号",
    "实付金额",
    "extra",
    "",
]
cell = st.one_of(
    st.sampled_from(
        [
            "O1",
            "O2",
            "O1",
            "M1",
            "M2",
            "M9",
            "",
            " ",
            "2024-02-30",
            "2024-03-01 10:00",
            "2024/3/1",
            "2024-03-01T10:00:00+08:00",
            "yesterday",
            "12.5",
            "-3",
            "1,234",
            "abc",
            "已支付",
            "paid",
            "lost",
            "NaN",
            "1e309",
            '"quoted, comma"',
            "多字节文本",
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=6
    ),
)
row = st.lists(cell, min_size=0, max_size=7)
PLAUSIBLE = {
    "order_id": st.sampled_from(["O1", "O2", "O3", "O4", "O5", "O1"]),
    "member_id": st.sampled_from(["M1", "M2", "M2", "", "M9"]),
    "ordered_at": st.sampled_from(
        ["2024-03-01 10:00", "2024/3/2", "2024-03-01T10:00:00+08:00", "2024-02-30"]
    ),
    "amount": st.sampled_from(["12.5", "99", "0", "-3", "abc", '"1,234.50"']),
    "status": st.sampled_from(["paid", "已支付", "已退款", "", "lost"]),
}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    valid = list(PLAUSIBLE)
    header = draw(
        st.one_of(
            st.just(valid),
            st.permutations(valid).map(lambda h: [*h, "extra"]),
            st.lists(st.sampled_from(HEADERS), min_size=0, max_size=6),
        )
    )
    plausible = st.tuples(*[PLAUSIBLE.get(name, cell) for name in header]).map(list)
    rows = draw(st.lists(st.one_of(plausible, plausible, row), max_size=12))
    lines = [",".join(header)] if draw(st.booleans()) or not rows else []
    lines += [",".join(r) for r in rows]
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(content=csv_files())
def test_malformed_csv_is_loaded_quarantined_or_refused_whole(content: bytes) -> None:
    path = _ROOT / "orders.csv"
    path.write_bytes(content)
    try:
        result = _WS.ingest("orders", path)
    except MemberlensError as error:
        assert str(error).strip(), "a refusal must say why"
        return
    assert result.loaded + result.quarantined == result.rows_read
    assert sum(result.reasons.values()) == result.quarantined
    LOADED.append(result.loaded)


LOADED: list[int] = []


def test_the_property_exercised_real_loads() -> None:
    """Guard against a strategy that only ever produces refused files."""
    assert sum(1 for n in LOADED if n > 0) >= 5
