"""The shape of one procedure file (catalogue schema v2, see docs/catalog.md).

The schema is strict (unknown keys are errors) because a typo in a key written by a
civil servant would otherwise silently drop a fact that citizens rely on. Numbers are the
truth (fee amounts, time limits): the sentence a citizen reads is rendered from them, so a
summary can never silently disagree with the number the bot computes with.
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
    """Who decides. There is no `district`: the district level was abolished on 1/7/2025."""

    commune = "commune"
    province = "province"
    central = "central"
    national_database = "national-database"


class DocumentKind(StrEnum):
    original = "original"  # bản chính
    copy = "copy"  # bản sao (any)
    certified_copy = "certified_copy"  # bản sao có chứng thực
    present = "present"  # xuất trình (shown, not handed in): never counted in the checklist


class Document(Strict):
    name: NonEmpty
    copies: int | None = Field(default=None, ge=0, le=20)
    kind: DocumentKind = DocumentKind.original
    required: bool = True
    condition: str | None = None  # "nếu ..." when the paper is only needed in some cases
    form: str | None = None  # current form only, e.g. "Mẫu CT01 ban hành kèm Thông tư ..."
    template_url: str | None = None
    note: str | None = None

    @property
    def handed_in(self) -> bool:
        """Whether the citizen must bring and leave this paper (a "present" paper is only shown)."""
        return self.kind != DocumentKind.present


class TimeUnit(StrEnum):
    working_days = "working_days"
    calendar_days = "calendar_days"
    same_day = "same_day"
    hours = "hours"


def _check_hhmm(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        dt.time.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"giờ phải viết dạng HH:MM, ví dụ 15:00 (đang ghi {value!r})") from exc
    return value


class Extension(Strict):
    """Extra time allowed when verification is needed."""

    value: float = Field(gt=0, le=365)
    unit: TimeUnit = TimeUnit.working_days
    when: str | None = None  # "nếu cần xác minh"

    @model_validator(mode="after")
    def _no_same_day(self) -> Extension:
        if self.unit == TimeUnit.same_day:
            raise ValueError("thời gian gia hạn không thể là 'same_day'")
        return self


class TimeLimit(Strict):
    value: float | None = Field(default=None, ge=0, le=365)
    unit: TimeUnit
    cutoff: str | None = "15:00"  # received after this hour -> counted from the next working day (null: none)
    extension: Extension | None = None
    note: str | None = None

    @field_validator("cutoff")
    @classmethod
    def _cutoff_is_time(cls, value: str | None) -> str | None:
        return _check_hhmm(value)

    @model_validator(mode="after")
    def _consistent(self) -> TimeLimit:
        if self.unit == TimeUnit.same_day:
            if self.value not in (None, 0):
                raise ValueError("đơn vị 'same_day' (trong ngày) không đi kèm số ngày 'value'")
        elif self.value is None:
            raise ValueError(f"thiếu số 'value' cho đơn vị '{self.unit.value}'")
        return self

    @property
    def same_day(self) -> bool:
        return self.unit == TimeUnit.same_day

    @property
    def working_days(self) -> float | None:
        """Working days to add for an appointment date (None when the unit is not countable so)."""
        if self.unit == TimeUnit.same_day:
            return 0
        if self.unit == TimeUnit.working_days:
            return self.value
        return None


class FeeSetter(StrEnum):
    national = "national"  # Bộ Tài chính / law: one amount everywhere
    province = "province"  # HĐND tỉnh: differs by province
    none = "none"  # no fee exists


class FeeWindow(Strict):
    """Amounts in force between two dates (inclusive); open ends allowed."""

    start: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None
    in_person: int | None = Field(default=None, ge=0)  # VND, 0 = free, None = unknown
    online: int | None = Field(default=None, ge=0)  # None = same as in person

    @model_validator(mode="after")
    def _ordered(self) -> FeeWindow:
        if self.start and self.until and self.until < self.start:
            raise ValueError("ngày 'until' đứng trước ngày 'from'")
        return self

    def covers(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)

    @property
    def online_amount(self) -> int | None:
        return self.online if self.online is not None else self.in_person


class FeeCase(FeeWindow):
    """An amount that applies only in a named case ("Cấp lại do hộ chiếu bị mất hoặc hư hỏng").

    Why: a note that says "... thu 400.000 đồng" after the general amount is read last, if at
    all, and the checker cannot tell its figure from a typo. A case is its own line under the
    general amount, and its figure counts as a known fee."""

    when: NonEmpty  # the case, as a citizen reads it before the amount

    @model_validator(mode="after")
    def _has_amount(self) -> FeeCase:
        if self.in_person is None:
            raise ValueError("trường hợp riêng phải có mức thu 'in_person'")
        return self


class Range(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.max < self.min:
            raise ValueError("'max' nhỏ hơn 'min'")
        return self


def windows_overlap(windows: list[FeeWindow]) -> tuple[int, int] | None:
    """Indexes of the first two windows whose dates overlap, or None."""
    lo, hi = dt.date.min, dt.date.max
    for i, a in enumerate(windows):
        for j in range(i + 1, len(windows)):
            b = windows[j]
            if (a.start or lo) <= (b.until or hi) and (b.start or lo) <= (a.until or hi):
                return i, j
    return None


class Fee(Strict):
    set_by: FeeSetter
    per: str | None = None  # "thẻ" -> "70.000 đồng/thẻ"
    basis: str | None = None  # instrument number (must exist in the registry)
    windows: list[FeeWindow] = Field(default_factory=list)
    province_range: Range | None = None
    cases: list[FeeCase] = Field(default_factory=list)  # amounts for named cases, beside the general one
    exemptions: list[NonEmpty] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Fee:
        if self.set_by == FeeSetter.none and (self.windows or self.cases):
            raise ValueError("set_by 'none' (không có phí) thì không ghi 'windows' hay 'cases'")
        if self.province_range and self.set_by != FeeSetter.province:
            raise ValueError("'province_range' chỉ dùng khi set_by là 'province'")
        overlap = windows_overlap(self.windows)
        if overlap:
            raise ValueError(f"các khoảng thời gian áp dụng số {overlap[0] + 1} và {overlap[1] + 1} chồng lên nhau")
        return self

    def cases_on(self, day: dt.date) -> list[FeeCase]:
        """The named cases whose amounts are in force on `day`."""
        return [case for case in self.cases if case.covers(day)]

    def window_on(self, day: dt.date) -> FeeWindow | None:
        """The amounts in force on `day` (None when no window covers it)."""
        for window in self.windows:
            if window.covers(day):
                return window
        return None

    @property
    def free(self) -> bool:
        return self.set_by == FeeSetter.none


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
            raise ValueError("cần 'online_url' khi 'online' là 'full' hoặc 'partial'")
        return self


class LegalRef(Strict):
    instrument: NonEmpty  # number as registered, e.g. "123/2015/NĐ-CP"
    articles: str | None = None  # "Điều 22"


class Source(Strict):
    supports: list[NonEmpty] = Field(min_length=1)  # field names this source supports
    title: NonEmpty
    url: str | None = None
    checked: dt.date


class Review(Strict):
    """Written only by `python -m assistant catalog review ID --by NAME`."""

    on: dt.date
    by: NonEmpty


# Top-level keys a `supports:` / `unverified:` entry may name (checked in the checker).
PROCEDURE_FACT_KEYS = frozenset({
    "code", "name", "level", "agency", "applicants", "summary", "documents", "nothing_to_submit", "time_limit",
    "fees", "where", "channels", "steps", "result", "validity", "legal_basis", "notes",
})


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
    documents: list[Document] = Field(default_factory=list)
    nothing_to_submit: str | None = None
    time_limit: TimeLimit
    fees: Fee
    where: list[Place] = Field(min_length=1)
    channels: Channels
    steps: list[NonEmpty] = Field(min_length=1)
    result: NonEmpty
    # How long the result stays valid and when it must be renewed, as the citizen reads it (sourced like
    # every fact); None: not known, and the reply says so instead of giving the processing time.
    validity: str | None = None
    legal_basis: list[LegalRef] = Field(default_factory=list)
    notes: list[NonEmpty] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)
    examples: list[NonEmpty] = Field(default_factory=list)  # questions that must match this procedure
    sources: list[Source] = Field(default_factory=list)  # required by `catalog check` (an error there)
    unverified: list[NonEmpty] = Field(default_factory=list)
    reviewed: Review | None = None

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def checklist(self) -> list[tuple[int, Document]]:
        """(index, document) of the papers that are handed in: what the checklist counts."""
        return [(i, d) for i, d in enumerate(self.documents) if d.handed_in]


class Field_(Strict):
    """A field (lĩnh vực) as shown to citizens."""

    slug: Slug
    name: NonEmpty


class Instrument(Strict):
    """One legal instrument of the registry (procedures_catalog/instruments/*.yaml)."""

    number: NonEmpty
    title: NonEmpty
    short: str | None = None
    in_force: dt.date | None = None
    amended_by: list[NonEmpty] = Field(default_factory=list)
    replaced_by: str | None = None
    expires: dt.date | None = None  # last day in force
    source: str | None = None

    @property
    def label(self) -> str:
        return self.short or self.title

    def in_force_on(self, day: dt.date) -> bool:
        if self.in_force and day < self.in_force:
            return False
        return not (self.expires and day > self.expires)


class Elsewhere(Strict):
    """A procedure or matter the catalogue does not cover (procedures_catalog/elsewhere/*.yaml).

    Listed so that a question about it is recognised as such instead of being answered with the
    catalogue procedure it shares words with ("khai tử có yếu tố nước ngoài" is not "khai tử")."""

    name: NonEmpty
    aliases: list[NonEmpty] = Field(default_factory=list)
    # For an everyday matter that is no administrative procedure at all: who handles it
    # ("công ty điện lực nơi bạn ở"), said instead of sending the citizen to the portal.
    handled_by: NonEmpty | None = None
    # For a procedure of another body that no one-stop here does: where it is done ("cơ quan đại
    # diện Việt Nam ở nước ngoài"), said instead of sending the citizen to the commune. A fact the
    # citizen acts on, so it needs a source.
    done_at: NonEmpty | None = None
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _done_at_is_sourced(self) -> Elsewhere:
        if self.done_at and not any("done_at" in s.supports for s in self.sources):
            raise ValueError("'done_at' (nơi làm thủ tục) cần một nguồn kiểm chứng: thêm 'sources' có 'supports: [done_at]'")
        return self


class OverrideSet(Strict):
    """Overrides shared by several communes (e.g. a commitment of a former district)."""

    note: str | None = None
    procedures: dict[Slug, dict] = Field(default_factory=dict)  # id -> partial procedure


class CommuneKind(StrEnum):
    xa = "xã"
    phuong = "phường"
    dac_khu = "đặc khu"


class Commune(Strict):
    slug: Slug
    name: NonEmpty
    kind: CommuneKind = CommuneKind.xa
    aliases: list[NonEmpty] = Field(default_factory=list)
    formed_from: str | None = None
    one_stop: Place | None = None
    overrides: list[Slug] = Field(default_factory=list)  # names of override_sets
    note: str | None = None


class Locality(Strict):
    """A province and its communes (procedures_catalog/localities/<slug>.yaml)."""

    slug: Slug
    name: NonEmpty
    hotline: str | None = None
    one_stop: Place | None = None  # Trung tâm Phục vụ hành chính công of the province
    saturday: str | None = None
    extra_days_off: list[dt.date] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    unverified: list[NonEmpty] = Field(default_factory=list)
    procedures: dict[Slug, dict] = Field(default_factory=dict)  # province-wide overrides: id -> partial procedure
    override_sets: dict[Slug, OverrideSet] = Field(default_factory=dict)
    communes: list[Commune] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_sets(self) -> Locality:
        seen: set[str] = set()
        for commune in self.communes:
            if commune.slug in seen:
                raise ValueError(f"xã/phường '{commune.slug}' được khai báo hai lần")
            seen.add(commune.slug)
            for name in commune.overrides:
                if name not in self.override_sets:
                    raise ValueError(f"xã/phường '{commune.slug}' dùng bộ điều chỉnh '{name}' không có trong "
                                     "'override_sets'")
        return self

    def commune(self, slug: str | None) -> Commune | None:
        return next((c for c in self.communes if c.slug == slug), None) if slug else None
