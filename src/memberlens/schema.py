"""The canonical data model (DESIGN §4) as data.

Each table is a :class:`TableSpec` of :class:`Column` objects. Ingestion validates against
these specs, the warehouse creates its tables from them, and the generator writes them.
Header and value aliases (the Chinese names found in real exports) live in
:mod:`memberlens.aliases`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from memberlens.errors import unknown_choice


class Kind(StrEnum):
    """How a column's raw values are parsed and checked."""

    KEY = "key"  # identifier: text, surrounding blanks removed
    TEXT = "text"  # free text, kept exactly
    LABEL = "label"  # short text with known aliases mapped (channel); other values kept
    ENUM = "enum"  # one of a fixed set of values (Chinese aliases accepted)
    TIMESTAMP = "timestamp"  # local business time
    DATE = "date"
    MONEY = "money"  # decimal amount ≥ 0 in the workspace currency
    INTEGER = "integer"
    NUMBER = "number"  # floating point
    JSON = "json"


SQL_TYPES: dict[Kind, str] = {
    Kind.KEY: "VARCHAR",
    Kind.TEXT: "VARCHAR",
    Kind.LABEL: "VARCHAR",
    Kind.ENUM: "VARCHAR",
    Kind.TIMESTAMP: "TIMESTAMP",
    Kind.DATE: "DATE",
    Kind.MONEY: "DECIMAL(18,4)",
    Kind.INTEGER: "BIGINT",
    Kind.NUMBER: "DOUBLE",
    Kind.JSON: "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    """One canonical column.

    ``low``/``high`` bound numeric values (inclusive); ``values`` lists an enum's values;
    ``default`` fills an empty optional value (status defaults to ``paid``).
    """

    name: str
    kind: Kind
    required: bool = False
    values: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    default: str | None = None
    pii: bool = False

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Reference:
    """A foreign key checked at load time: ``column`` must exist in ``table.key``."""

    column: str
    table: str
    target: str
    reason: str  # quarantine reason code


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    references: tuple[Reference, ...] = ()
    generated: tuple[str, ...] = field(default=())  # key columns memberlens may number itself

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required and c.name not in self.generated)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise unknown_choice(f"column of {self.name}", name, self.names)


def _c(name: str, kind: Kind, required: bool = False, **kw: object) -> Column:
    return Column(name, kind, required, **kw)  # type: ignore[arg-type]


K, T, L, E = Kind.KEY, Kind.TEXT, Kind.LABEL, Kind.ENUM
TS, D, M, INT, N, J = Kind.TIMESTAMP, Kind.DATE, Kind.MONEY, Kind.INTEGER, Kind.NUMBER, Kind.JSON

ORDER_STATUSES = ("paid", "refunded", "cancelled")
POINT_KINDS = ("earn", "redeem", "expire", "adjust")
TICKET_KINDS = ("complaint", "suggestion", "return", "inquiry")
GENDERS = ("female", "male", "unknown")
TOUCH_GROUPS = ("treatment", "holdout")

_MEMBER = Reference("member_id", "members", "member_id", "unknown_member")

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "members",
            ("member_id",),
            (
                _c("member_id", K, True),
                _c("registered_at", TS, True),
                _c("channel", L),
                _c("store_id", K),
                _c("city", T),
                _c("gender", E, values=GENDERS),
                _c("birthday", D),
                _c("phone", K, pii=True),
                _c("source_campaign_id", K),
                _c("referrer_id", K),
            ),
        ),
        TableSpec(
            "identities",
            ("channel", "external_id"),
            (_c("member_id", K, True), _c("channel", L, True), _c("external_id", K, True)),
            (_MEMBER,),
        ),
        TableSpec(
            "orders",
            ("order_id",),
            (
                _c("order_id", K, True),
                _c("member_id", K),
                _c("ordered_at", TS, True),
                _c("amount", M, True, low=0),
                _c("status", E, values=ORDER_STATUSES, default="paid"),
                _c("channel", L),
                _c("store_id", K),
                _c("campaign_id", K),
                _c("discount", M, low=0),
            ),
            (_MEMBER,),
        ),
        TableSpec(
            "order_items",
            ("order_id", "line"),
            (
                _c("order_id", K, True),
                _c("line", INT, True, low=1),
                _c("sku", K, True),
                _c("category", T),
                _c("quantity", N, low=0),
                _c("amount", M, low=0),
            ),
            (Reference("order_id", "orders", "order_id", "unknown_order"),),
            generated=("line",),
        ),
        TableSpec(
            "points",
            ("entry_id",),
            (
                _c("entry_id", K, True),
                _c("member_id", K, True),
                _c("at", TS, True),
                _c("kind", E, True, values=POINT_KINDS),
                _c("points", INT, True),
                _c("source", L),
                _c("order_id", K),
                _c("campaign_id", K),
                _c("reward_id", K),
                _c("expires_at", TS),
            ),
            (_MEMBER,),
        ),
        TableSpec(
            "events",
            ("member_id", "at", "event"),
            (
                _c("member_id", K, True),
                _c("at", TS, True),
                _c("event", L, True),
                _c("channel", L),
                _c("properties", J),
            ),
            (_MEMBER,),
        ),
        TableSpec(
            "campaigns",
            ("campaign_id",),
            (
                _c("campaign_id", K, True),
                _c("name", T, True),
                _c("kind", L),
                _c("starts_at", TS),
                _c("ends_at", TS),
                _c("cost", M, low=0),
                _c("channel", L),
            ),
        ),
        TableSpec(
            "campaign_touches",
            ("campaign_id", "member_id", "at"),
            (
                _c("campaign_id", K, True),
                _c("member_id", K, True),
                _c("at", TS, True),
                _c("group", E, values=TOUCH_GROUPS, default="treatment"),
                _c("variant", K),
            ),
            (_MEMBER, Reference("campaign_id", "campaigns", "campaign_id", "unknown_campaign")),
        ),
        TableSpec(
            "experiments",
            ("experiment_id", "member_id"),
            (
                _c("experiment_id", K, True),
                _c("member_id", K, True),
                _c("variant", K, True),
                _c("assigned_at", TS),
            ),
            (_MEMBER,),
        ),
        TableSpec(
            "tickets",
            ("ticket_id",),
            (
                _c("ticket_id", K, True),
                _c("member_id", K),
                _c("opened_at", TS, True),
                _c("kind", E, True, values=TICKET_KINDS),
                _c("text", T),
                _c("resolved_at", TS),
                _c("satisfaction", INT, low=1, high=5),
            ),
            (_MEMBER,),
        ),
        TableSpec(
            "surveys",
            ("response_id",),
            (
                _c("response_id", K, True),
                _c("member_id", K),
                _c("at", TS, True),
                _c("nps", INT, low=0, high=10),
                _c("csat", INT, low=1, high=5),
                _c("text", T),
            ),
            (_MEMBER,),
        ),
        TableSpec(
            "posts",
            ("post_id",),
            (
                _c("post_id", K, True),
                _c("member_id", K),
                _c("at", TS, True),
                _c("source", L, True),
                _c("text", T, True),
                _c("shares", INT, low=0),
                _c("likes", INT, low=0),
            ),
            (_MEMBER,),
        ),
    )
}

#: The time column of each table the daily aggregates are kept by day for: a load records
#: the local days of the rows it added or replaced in these tables (``_load_days``).
TIME_COLUMNS: dict[str, str] = {
    "members": "registered_at",
    "orders": "ordered_at",
    "points": "at",
    "events": "at",
}

#: The order in which tables can be loaded so every reference finds its target.
LOAD_ORDER: tuple[str, ...] = (
    "members",
    "campaigns",
    "identities",
    "orders",
    "order_items",
    "points",
    "events",
    "campaign_touches",
    "experiments",
    "tickets",
    "surveys",
    "posts",
)


def table_spec(name: str) -> TableSpec:
    """Return the spec of canonical table ``name`` or raise a did-you-mean error."""
    try:
        return TABLES[name]
    except KeyError:
        raise unknown_choice("table", name, TABLES) from None
