"""Citizen-facing sentences rendered from the catalogue's numbers.

One source of truth per number: the time limit, the fee in force on the answering day and
the legal basis are written from data, never from a free-text summary that could disagree.
"""

from __future__ import annotations

import datetime as dt

from assistant.catalog.schema import (
    Extension,
    Fee,
    FeeSetter,
    FeeWindow,
    Instrument,
    LegalRef,
    Procedure,
    TimeLimit,
    TimeUnit,
)

UNVERIFIED_FEE = "Mức phí có thể khác theo tỉnh; hãy kiểm tra trên Cổng Dịch vụ công"
UNVERIFIED_SENTENCE = {
    "fees": "Mức phí chưa được đối chiếu với văn bản công bố; hãy kiểm tra trên Cổng Dịch vụ công trước khi nộp.",
    "time_limit": "Thời hạn này chưa được đối chiếu với văn bản công bố; ngày hẹn chính xác ghi trên phiếu tiếp nhận.",
    "documents": "Danh sách giấy tờ chưa được đối chiếu với văn bản công bố; hãy hỏi Bộ phận một cửa trước khi đi.",
    "where": "Địa chỉ nơi nộp chưa được đối chiếu; hãy gọi hỏi trước khi đến.",
    "agency": "Cơ quan giải quyết chưa được đối chiếu với văn bản công bố; hãy kiểm tra trên Cổng Dịch vụ công.",
    "validity": "Thời hạn sử dụng này chưa được đối chiếu với văn bản hiện hành; hãy hỏi nơi cấp hoặc nơi nhận giấy "
                "trước khi dựa vào.",
}
GENERIC_UNVERIFIED = "Thông tin này chưa được đối chiếu với văn bản công bố; hãy kiểm tra trên Cổng Dịch vụ công."

_UNIT_WORDS = {
    TimeUnit.working_days: "ngày làm việc",
    TimeUnit.calendar_days: "ngày",
    TimeUnit.hours: "giờ làm việc",
}


def vnd(amount: int) -> str:
    """70000 -> '70.000 đồng'."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):02d}"
    return f"{value:g}".replace(".", ",")


def _span(value: float | None, unit: TimeUnit) -> str:
    if unit == TimeUnit.same_day:
        return "trong ngày"
    return f"{_number(value or 0)} {_UNIT_WORDS[unit]}"


def time_limit_text(tl: TimeLimit) -> str:
    """'03 ngày làm việc', 'Trong ngày', plus the extension: '; thêm tối đa 05 ngày làm việc nếu cần xác minh'."""
    text = "Trong ngày" if tl.unit == TimeUnit.same_day else _span(tl.value, tl.unit)
    if tl.extension:
        text += f"; {extension_text(tl.extension)}"
    return text


def extension_text(ext: Extension) -> str:
    when = f" {ext.when.strip()}" if ext.when else " nếu cần xác minh"
    return f"có thể thêm tối đa {_span(ext.value, ext.unit)}{when}"


def _with_per(amount: int, fee: Fee) -> str:
    if amount == 0:
        return "miễn phí"
    return vnd(amount) + (f"/{fee.per}" if fee.per else "")


def _amounts(amounts: FeeWindow, fee: Fee) -> str:
    """The amount in person, and online when it differs."""
    text = _with_per(amounts.in_person or 0, fee)
    online = amounts.online_amount
    if online is not None and online != amounts.in_person:
        text += f" khi nộp trực tiếp; nộp trực tuyến {_with_per(online, fee)}"
    return text


def fee_text(fee: Fee, day: dt.date, unverified: bool = False) -> str:
    """The fee in force on `day`, as one sentence (never repeating the province caveat)."""
    if fee.set_by == FeeSetter.none:
        return "Không mất phí, lệ phí."
    window = fee.window_on(day)
    if window is not None and window.in_person is not None:
        text = f"Lệ phí: {_amounts(window, fee)}."
        if fee.set_by == FeeSetter.province:
            text += " Đây là mức của tỉnh; mức phí có thể khác theo tỉnh."
        elif unverified:
            text += " " + UNVERIFIED_SENTENCE["fees"]
        return text
    if fee.set_by == FeeSetter.province:
        parts = ["Lệ phí: do Hội đồng nhân dân tỉnh quy định"]
        if fee.province_range:
            low, high = fee.province_range.min, fee.province_range.max
            parts.append(f"thường từ {vnd(low)} đến {vnd(high)}" if low != high else f"thường là {vnd(low)}")
        return ", ".join(parts) + f". {UNVERIFIED_FEE}."
    return f"Lệ phí: danh mục chưa có mức áp dụng cho ngày {day:%d/%m/%Y}. {UNVERIFIED_FEE}."


def fee_cases_text(fee: Fee, day: dt.date) -> list[str]:
    """One line per named case in force on `day` ("Cấp lại do hộ chiếu bị mất hoặc hư hỏng:
    400.000 đồng/lần cấp."), shown under the general amount."""
    return [f"{case.when}: {_amounts(case, fee)}." for case in fee.cases_on(day)]


def fee_short(fee: Fee, day: dt.date) -> str:
    """A few words for the overview line."""
    if fee.set_by == FeeSetter.none:
        return "không mất phí"
    window = fee.window_on(day)
    if window is not None and window.in_person is not None:
        text = _with_per(window.in_person, fee)
        online = window.online_amount
        if online is not None and online != window.in_person:
            text += f" (trực tuyến {_with_per(online, fee)})"
        for case in fee.cases_on(day):
            text += f"; {case.when[:1].lower()}{case.when[1:]}: {_with_per(case.in_person or 0, fee)}"
        return text
    if fee.set_by == FeeSetter.province and fee.province_range:
        low, high = fee.province_range.min, fee.province_range.max
        return f"theo mức của tỉnh, thường {vnd(low)}–{vnd(high)}"
    return "theo mức của tỉnh" if fee.set_by == FeeSetter.province else "chưa rõ"


def legal_text(ref: LegalRef, registry: dict[str, Instrument]) -> str:
    inst = registry.get(ref.instrument)
    name = inst.label if inst else ref.instrument
    if inst and inst.short and ref.instrument not in inst.short:
        name = f"{inst.short} ({ref.instrument})"
    return f"{name}, {ref.articles}" if ref.articles else name


def unverified_sentence(proc: Procedure, facet_key: str) -> str | None:
    """One calm sentence when the fact being answered is not yet verified; None otherwise."""
    if not any(key.split(".")[0] == facet_key for key in proc.unverified):
        return None
    return UNVERIFIED_SENTENCE.get(facet_key, GENERIC_UNVERIFIED)
