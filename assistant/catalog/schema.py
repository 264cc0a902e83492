"""The shape of one procedure file.

The schema is strict (unknown keys are errors) because a typo in a key written by a
civil servant would otherwise silently drop a fact that citizens rely on.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(StrEnum):
    commune = "commune"
    district = "district"
    province = "province"
    central = "central"


class DocumentKind(StrEnum):
    original = "original"  # bản chính
    copy = "copy"  # bản sao (any)
    certified_copy = "certified_copy"  # bản sao có chứng thực
    present = "present"  # xuất trình (shown, not handed in)


class Document(Strict):
    name: NonEmpty
    copies: int | None = Field(default=None, ge=0, le=20)
    kind: DocumentKind = DocumentKind.original
    required: bool = True
    condition: str | None = None  # "nếu ..." when the paper is only needed in some cases
    form: str | None = None  # form code, e.g. "Mẫu CT01"
    template_url: str | None = None
    note: str | None = None


class TimeLimit(Strict):
    summary: NonEmpty  # how a citizen reads it: "03 ngày làm việc"
    working_days: float | None = Field(default=None, ge=0, le=365)
    same_day: bool = False
    cutoff: str | None = "15:00"  # receipts after this hour count from the next working day
    note: str | None = None

    @field_validator("cutoff")
    @classmethod
    def _cutoff_is_time(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            dt.time.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"cutoff must be HH:MM, got {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TimeLimit:
        if self.same_day and self.working_days not in (None, 0):
            raise ValueError("same_day and working_days > 0 contradict each other")
        return self


class Fee(Strict):
    summary: NonEmpty  # "8.000 đồng/bản sao"
    free: bool = False
    amount: int | None = Field(default=None, ge=0)  # VND, when there is one simple amount
    set_by: str | None = None  # who sets it: "HĐND tỉnh", "Bộ Tài chính"
    note: str | None = None


class Place(Strict):
    name: NonEmpty
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    note: str | None = None


class OnlineLevel(StrEnum):
    full = "full"  # toàn trình
    partial = "partial"  # một phần
    none = "none"


class Channels(Strict):
    in_person: bool = True
    postal: bool = False
    online: OnlineLevel = OnlineLevel.none
    online_url: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _url_when_online(self) -> Channels:
        if self.online != OnlineLevel.none and not self.online_url:
            raise ValueError("online_url is required when online is 'full' or 'partial'")
        return self


class Procedure(Strict):
    id: Slug
    code: str | None = None  # national procedure code (mã TTHC), e.g. "1.004873"
    name: NonEmpty
    short_name: str | None = None
    aliases: list[NonEmpty] = Field(default_factory=list)
    keywords: list[NonEmpty] = Field(default_factory=list)
    field: Slug
    level: Level
    agency: NonEmpty
    applicants: list[NonEmpty] = Field(min_length=1)
    summary: str | None = None
    documents: list[Document] = Field(min_length=1)
    time_limit: TimeLimit
    fees: Fee
    where: list[Place] = Field(min_length=1)
    channels: Channels
    steps: list[NonEmpty] = Field(min_length=1)
    result: NonEmpty
    legal_basis: list[NonEmpty] = Field(default_factory=list)
    notes: list[NonEmpty] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)
    examples: list[NonEmpty] = Field(default_factory=list)  # questions that must match this procedure
    reviewed: dt.date

    @field_validator("reviewed", mode="before")
    @classmethod
    def _strict_date(cls, value: object) -> object:
        # YAML gives a date for 2024-05-01 but a string for "01/05/2024"; insist on ISO.
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError as exc:
                raise ValueError(f"reviewed must be an ISO date YYYY-MM-DD, got {value!r}") from exc
        return value

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Field_(Strict):
    """A field (lĩnh vực) as shown to citizens."""

    slug: Slug
    name: NonEmpty


class Locality(Strict):
    """Per-locality settings and overrides (procedures_catalog/localities/<slug>.yaml)."""

    slug: Slug
    name: NonEmpty
    hotline: str | None = None
    one_stop: Place | None = None  # Bộ phận một cửa of the locality
    extra_days_off: list[dt.date] = Field(default_factory=list)
    procedures: dict[Slug, dict] = Field(default_factory=dict)  # id -> partial procedure
