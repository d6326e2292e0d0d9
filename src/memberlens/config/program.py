"""The loyalty program's sections: RFM, value, tiers, points, churn, campaigns, calendar,
voice of the customer and targets."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    StrictFloat,
    field_validator,
    model_validator,
)

from memberlens.config.base import (
    MAX_DAYS,
    Amount,
    Count,
    Days,
    _Section,
)
from memberlens.labels import Label


class FixedThresholds(_Section):
    recency_days: Annotated[float, Field(ge=0, le=MAX_DAYS)]
    frequency: Amount
    monetary: Amount


class RfmSettings(_Section):
    window_days: Days = 365
    threshold: Literal["mean", "median"] | FixedThresholds = "mean"
    monetary: Literal["total", "average"] = "total"


class ValueSettings(_Section):
    """``[value]``: value tiers by spend, and loyalty (bought in k of the last n months)."""

    window_days: Days | None = None  # None: [rfm] window_days
    cut_by: Literal["members", "revenue", "spend"] = "members"
    high: Amount = 0.2
    medium: Amount = 0.3
    loyalty_window_months: Annotated[int, Field(gt=0, le=24)] = 6  # n months of 30 days
    loyal_min_months: Annotated[int, Field(gt=0, le=24)] = 3  # k

    @model_validator(mode="after")
    def _cuts(self) -> ValueSettings:
        problems = []
        if self.cut_by == "spend":
            if self.high <= self.medium:
                problems.append(
                    f"with cut_by = 'spend', high ({self.high:g}) must be a larger amount than "
                    f"medium ({self.medium:g})"
                )
        else:
            if not 0 < self.high <= 1:
                problems.append(
                    f"with cut_by = '{self.cut_by}', high = {self.high:g} must be a share in "
                    "(0, 1], e.g. 0.2 for the top 20 %"
                )
            if round(self.high + self.medium, 12) > 1:
                problems.append(
                    f"with cut_by = '{self.cut_by}', high + medium = "
                    f"{self.high + self.medium:g} must be at most 1"
                )
        if self.loyal_min_months > self.loyalty_window_months:
            problems.append(
                f"loyal_min_months = {self.loyal_min_months} cannot exceed "
                f"loyalty_window_months = {self.loyalty_window_months}"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


THRESHOLDS = {  # a level's threshold field → the qualification measure it bounds
    "min_spend": "spend",  # paid spend in the window
    "min_orders": "orders",  # paid orders in the window
    "min_points": "points_earned",  # points of earn entries in the window
    "min_active_days": "active_days",  # days with a paid order, an event or an earn/redeem entry
}


class TierLevel(_Section):
    id: Annotated[str, Field(min_length=1)]
    name: Annotated[str, Field(min_length=1)]
    name_en: Annotated[str, Field(min_length=1)] | None = None  # English name (default: name)
    min_spend: Amount | None = None
    min_orders: Count | None = None
    min_points: Count | None = None
    min_active_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] | None = None
    earn_multiplier: Annotated[float, Field(gt=0, le=1000)] = 1.0
    benefit_rate: Annotated[float, Field(ge=0, le=1)] = 0.0  # benefits cost, share of spend
    invitation_only: bool = False  # granted by [tiers] invitations, never by thresholds

    @model_validator(mode="before")
    @classmethod
    def _known_thresholds(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = [k for k in data if k.startswith("min_") and k not in THRESHOLDS]
            if unknown:
                raise ValueError(
                    f"level '{data.get('id', '?')}': unknown threshold "
                    f"{', '.join(repr(k) for k in unknown)}; thresholds are "
                    f"{', '.join(THRESHOLDS)}"
                )
        return data

    @property
    def label(self) -> Label:
        """The level's name in both languages (English falls back to ``name``)."""
        return Label(self.name, self.name_en or self.name)

    @property
    def thresholds(self) -> dict[str, float]:
        """The thresholds this level sets: field name → value."""
        return {f: getattr(self, f) for f in THRESHOLDS if getattr(self, f) is not None}

    @property
    def has_thresholds(self) -> bool:
        return bool(self.thresholds)


class TierSettings(_Section):
    window_days: Days = 365
    # program rules for the tier a member holds over time (history, what-if)
    upgrade: Literal["immediate", "evaluation"] = "immediate"
    evaluation: Literal["month", "quarter", "year"] = "month"
    # 保级: a tier reached is kept this long
    protection_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] = 0
    invitations: str | None = None  # CSV: member_id, tier, valid_from[, valid_to]
    levels: list[TierLevel] = Field(
        default_factory=lambda: [
            TierLevel(id="normal", name="普通会员", name_en="Standard"),
            TierLevel(
                id="silver",
                name="银卡会员",
                name_en="Silver",
                min_spend=1000,
                min_orders=3,
                earn_multiplier=1.2,
            ),
            TierLevel(
                id="gold",
                name="金卡会员",
                name_en="Gold",
                min_spend=5000,
                min_orders=10,
                earn_multiplier=1.5,
            ),
            TierLevel(
                id="black",
                name="黑卡会员",
                name_en="Black",
                min_spend=20000,
                min_orders=30,
                earn_multiplier=2.0,
            ),
        ]
    )

    @property
    def ladder(self) -> list[TierLevel]:
        """The levels reached by thresholds, lowest first (invitation-only levels left out)."""
        return [level for level in self.levels if not level.invitation_only]

    def rank(self, tier_id: str) -> int:
        """Position of a level in the whole ladder (invitation-only levels included)."""
        return [level.id for level in self.levels].index(tier_id)

    @property
    def warnings(self) -> list[str]:
        """Unusual but valid ladders: a level easier than one listed before it on some measure.

        DESIGN §3: a member's tier is the highest level all of whose thresholds are met, so
        such a ladder is evaluated as written (a spend-only top tier needing fewer orders than
        the level below it is reached on spend alone); the warning only says so.
        """
        found = []
        ladder = self.ladder
        for i, level in enumerate(ladder):
            for lower in ladder[:i]:
                for field, value in level.thresholds.items():
                    below = lower.thresholds.get(field)
                    if below is not None and value < below:
                        found.append(
                            f"level '{level.id}' {field} = {value:g} is below level "
                            f"'{lower.id}' {field} = {below:g}, listed before it: a member may "
                            f"reach '{level.id}' without '{lower.id}'s {field}"
                        )
                missing = sorted(set(lower.thresholds) - set(level.thresholds))
                for field in missing:
                    found.append(
                        f"level '{level.id}' has no {field} while level '{lower.id}', listed "
                        f"before it, needs {field} = {lower.thresholds[field]:g}"
                    )
        return found

    @model_validator(mode="after")
    def _ladder(self) -> TierSettings:
        problems = []
        if not self.levels:
            problems.append("the ladder needs at least one level (the base level)")
        elif self.levels[0].has_thresholds or self.levels[0].invitation_only:
            problems.append(
                f"level '{self.levels[0].id}' is the base level (listed first): it must have "
                "no thresholds and not be invitation_only"
            )
        ids = [level.id for level in self.levels]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"level id '{dup}' is used twice")
        for level in self.levels[1:]:
            if level.invitation_only and level.has_thresholds:
                problems.append(
                    f"level '{level.id}' is invitation_only and cannot have thresholds "
                    f"({', '.join(level.thresholds)})"
                )
            elif not level.invitation_only and not level.has_thresholds:
                problems.append(
                    f"level '{level.id}' has no threshold ({', '.join(THRESHOLDS)}) and is not "
                    "invitation_only"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PointsSettings(_Section):
    """``[points]``: the earn rule and expiry policy that what-if replays compare."""

    earn_rate: Annotated[float, Field(ge=0, le=1e6)] = 1.0  # points per currency unit of paid spend
    expiry: Literal["never", "year_end_next", "months"] = "year_end_next"
    expiry_months: Annotated[int, Field(gt=0, le=1200)] = 12  # with expiry = "months"


class ChurnSettings(_Section):
    inactive_days: Days = 180


class CampaignSettings(_Section):
    attribution_days: Days = 7  # a touched member's order counts this long


class CalendarSettings(_Section):
    """``[calendar]``: the program's own 会员日 (member days), beside the official holidays
    and the retail events the calendar knows (docs/calendar.md)."""

    # days of the month (1–31; a month without that day has no member day that month)
    member_days: Annotated[tuple[Annotated[int, Field(ge=1, le=31)], ...], Field(strict=False)] = ()
    # days of the week, 1 = Monday … 7 = Sunday
    member_weekdays: Annotated[
        tuple[Annotated[int, Field(ge=1, le=7)], ...], Field(strict=False)
    ] = ()

    @field_validator("member_days", "member_weekdays")
    @classmethod
    def _once_each(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        repeated = sorted({d for d in value if value.count(d) > 1})
        if repeated:
            raise ValueError(f"{repeated} given more than once; name each day once")
        return tuple(sorted(value))


#: The most user-dictionary words ``[voc] words`` may list, and the longest word.
MAX_VOC_WORDS = 10_000
MAX_VOC_WORD_LENGTH = 30


class VocSettings(_Section):
    """``[voc]``: brand, product and program words jieba keeps whole (悦享生活, 黑卡 …)."""

    words: tuple[str, ...] = Field(default=(), strict=False)

    @field_validator("words", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError('write a list of words: words = ["悦享生活", "黑卡"]')
        problems = []
        if len(value) > MAX_VOC_WORDS:
            problems.append(f"{len(value)} words: at most {MAX_VOC_WORDS}")
        seen: set[str] = set()
        for word in value:
            if not isinstance(word, str):
                problems.append(f"{word!r} is not a string")
            elif not word.strip():
                problems.append("an empty word")
            elif word != word.strip() or any(c.isspace() for c in word):
                problems.append(f"{word!r} holds a space (a word is segmented whole)")
            elif len(word) > MAX_VOC_WORD_LENGTH:
                problems.append(f"{word!r} is longer than {MAX_VOC_WORD_LENGTH} characters")
            elif word in seen:
                problems.append(f"{word!r} is listed twice")
            else:
                seen.add(word)
        if problems:
            raise ValueError("; ".join(problems))
        return tuple(value)


class TargetSettings(_Section):
    """One ``[targets.<metric>]`` entry: exactly one of value, range or history."""

    value: float | None = None
    # TOML writes [LOW, HIGH] as an array: a list is accepted, its items stay strict numbers
    range: Annotated[tuple[StrictFloat, StrictFloat], Field(strict=False)] | None = None
    history: Literal["same_period", "trailing"] | None = None
    periods: Annotated[int, Field(gt=0, le=10)] = 3
    tolerance: Annotated[float, Field(ge=0, le=1)] = 0.05

    @model_validator(mode="after")
    def _one_kind(self) -> TargetSettings:
        given = [k for k in ("value", "range", "history") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of value = N, range = [LOW, HIGH] or "
                f"history = 'same_period' | 'trailing' (got {', '.join(given) or 'none'})"
            )
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range {list(self.range)} must be [LOW, HIGH] with LOW <= HIGH")
        return self
