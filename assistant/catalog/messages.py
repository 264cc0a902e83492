"""Vietnamese messages for civil servants who edit the catalogue.

Validation errors come out of pydantic in English with internal paths; a civil servant needs
the file line, the field's Vietnamese label and what to write instead. This module turns a
pydantic error into that sentence, and suggests the closest valid key for a typo.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

# The Vietnamese label of every key a civil servant may write.
LABELS: dict[str, str] = {
    "id": "mã định danh (id)",
    "code": "mã thủ tục",
    "name": "tên",
    "short_name": "tên ngắn",
    "aliases": "tên gọi khác",
    "keywords": "từ khóa",
    "field": "lĩnh vực",
    "level": "cấp thực hiện",
    "agency": "cơ quan giải quyết",
    "applicants": "đối tượng thực hiện",
    "summary": "tóm tắt",
    "documents": "thành phần hồ sơ",
    "nothing_to_submit": "trường hợp không phải nộp giấy tờ",
    "kind": "loại",
    "copies": "số bản",
    "required": "bắt buộc",
    "condition": "điều kiện",
    "form": "mẫu đơn, tờ khai",
    "template_url": "đường dẫn mẫu",
    "note": "ghi chú",
    "time_limit": "thời hạn giải quyết",
    "value": "số lượng",
    "unit": "đơn vị",
    "cutoff": "giờ chốt nhận hồ sơ",
    "extension": "thời hạn gia hạn",
    "when": "khi nào",
    "fees": "phí, lệ phí",
    "set_by": "cơ quan quy định mức thu",
    "per": "đơn vị tính",
    "basis": "văn bản quy định mức thu",
    "windows": "mức thu theo thời gian",
    "from": "áp dụng từ ngày",
    "until": "áp dụng đến ngày",
    "in_person": "mức thu nộp trực tiếp",
    "online": "nộp trực tuyến",
    "province_range": "khoảng mức thu của các tỉnh",
    "min": "mức thấp nhất",
    "max": "mức cao nhất",
    "exemptions": "trường hợp miễn",
    "where": "nơi nộp hồ sơ",
    "address": "địa chỉ",
    "hours": "giờ làm việc",
    "phone": "số điện thoại",
    "channels": "cách thức nộp",
    "postal": "nộp qua bưu chính",
    "online_url": "địa chỉ nộp trực tuyến",
    "steps": "các bước thực hiện",
    "result": "kết quả",
    "legal_basis": "căn cứ pháp lý",
    "instrument": "số hiệu văn bản",
    "articles": "điều khoản",
    "notes": "lưu ý",
    "related": "thủ tục liên quan",
    "examples": "câu hỏi mẫu",
    "sources": "nguồn kiểm chứng",
    "supports": "thông tin được nguồn xác nhận",
    "title": "tiêu đề",
    "url": "đường dẫn",
    "checked": "ngày kiểm tra",
    "unverified": "thông tin chưa kiểm chứng",
    "reviewed": "xác nhận rà soát",
    "on": "ngày rà soát",
    "by": "người rà soát",
    "slug": "mã định danh (slug)",
    "hotline": "đường dây nóng",
    "one_stop": "bộ phận một cửa",
    "saturday": "làm việc thứ Bảy",
    "extra_days_off": "ngày nghỉ thêm",
    "procedures": "điều chỉnh theo thủ tục",
    "override_sets": "bộ điều chỉnh",
    "communes": "xã, phường",
    "formed_from": "hình thành từ",
    "overrides": "bộ điều chỉnh áp dụng",
    "number": "số hiệu",
    "short": "tên ngắn",
    "in_force": "ngày có hiệu lực",
    "amended_by": "sửa đổi bởi",
    "replaced_by": "thay thế bởi",
    "expires": "ngày hết hiệu lực",
    "source": "nguồn",
}

ITEM_WORDS = {
    "documents": "giấy tờ", "where": "nơi nộp", "steps": "bước", "legal_basis": "văn bản", "sources": "nguồn",
    "windows": "khoảng", "communes": "xã/phường", "aliases": "tên gọi", "examples": "câu hỏi",
}


def label_of(loc: tuple[Any, ...]) -> str:
    """`('documents', 2, 'kind')` -> "loại (thành phần hồ sơ › giấy tờ số 3)"."""
    parts: list[str] = []
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            parts.append(f"{ITEM_WORDS.get(str(previous), 'mục')} số {part + 1}")
        else:
            parts.append(LABELS.get(str(part), str(part)))
        previous = part
    if not parts:
        return "tệp"
    last = parts[-1]
    if len(parts) == 1:
        return f"'{loc[-1]}' ({last})" if not isinstance(loc[-1], int) else last
    context = " › ".join(parts[:-1])
    key = loc[-1]
    named = f"'{key}' ({last})" if not isinstance(key, int) else last
    return f"{named} trong {context}"


def _unwrap(annotation: Any) -> Any:
    """The model class inside `X | None`, `list[X]`, `dict[str, X]`, `Annotated[X, ...]`."""
    seen = 0
    while seen < 8:
        seen += 1
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (list, tuple, set, frozenset):
            annotation = args[0] if args else None
        elif origin is dict:
            annotation = args[1] if len(args) > 1 else None
        elif origin in (typing.Union, types.UnionType):
            models = [_unwrap(a) for a in args if a is not type(None)]
            models = [m for m in models if m is not None]
            return models[0] if models else None
        else:
            return None
    return None


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a civil servant may write at the mapping `loc` of a `model` document."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            info = next((f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return []  # a free mapping (e.g. a procedure id under `procedures:`)
        current = _unwrap(info.annotation)
    if current is None:
        return []
    return [info.alias or name for name, info in current.model_fields.items()]


def suggest(key: str, options: list[str]) -> str | None:
    match = difflib.get_close_matches(key, options, n=1, cutoff=0.5)
    return match[0] if match else None


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def bad_date_message(value: Any) -> str | None:
    """"ngày 31/11/2026 không tồn tại" for a well-formed date that is not on the calendar."""
    match = _ISO_DATE.match(str(value).strip())
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError:
        return f"ngày {day:02d}/{month:02d}/{year} không tồn tại"
    return None


def _enum_options(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: Any = model
    info = None
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(str(part)) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return []
        current = _unwrap(info.annotation) or info.annotation
    annotation = info.annotation if info is not None else None
    for candidate in (annotation, *typing.get_args(annotation or object)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return [str(m.value) for m in candidate]
    return []


def explain(err: dict[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """One Vietnamese sentence for one pydantic error at `loc` (relative to `model`)."""
    kind = err["type"]
    value = err.get("input")
    where = label_of(loc)
    key = loc[-1] if loc else ""
    if kind == "missing":
        return f"thiếu khóa bắt buộc {where}"
    if kind == "extra_forbidden":
        parent = tuple(p for p in loc[:-1])
        hint = suggest(str(key), allowed_keys(model, parent))
        text = f"khóa '{key}' không hợp lệ"
        if hint:
            return f"{text} — có phải ý bạn là '{hint}'?"
        options = allowed_keys(model, parent)
        return f"{text} (các khóa dùng được: {', '.join(options)})" if options else text
    if key == "level" and value == "district":
        return ("cấp thực hiện 'district' (cấp huyện) không còn: cấp huyện đã bỏ từ ngày 1/7/2025 "
                "(công an cấp huyện từ 1/3/2025). Hãy ghi 'commune' (cấp xã), 'province' (cấp tỉnh) "
                "hoặc 'central' (trung ương)")
    if kind == "enum":
        options = _enum_options(model, loc)
        hint = suggest(str(value), options) if options else None
        text = f"{where}: giá trị '{value}' không hợp lệ"
        if options:
            text += f" (chỉ dùng: {', '.join(options)})"
        return text + (f" — có phải ý bạn là '{hint}'?" if hint else "")
    if kind.startswith("date") or kind.startswith("datetime"):
        bad = bad_date_message(value)
        if bad:
            return f"{where}: {bad}"
        return f"{where}: '{value}' không phải ngày hợp lệ; hãy viết dạng NĂM-THÁNG-NGÀY, ví dụ 2026-01-31"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{where}: cần một số nguyên (đang ghi '{value}')"
    if kind in ("float_parsing", "float_type"):
        return f"{where}: cần một con số (đang ghi '{value}')"
    if kind in ("bool_parsing", "bool_type"):
        return f"{where}: chỉ ghi true hoặc false (đang ghi '{value}')"
    if kind in ("string_type",):
        return f"{where}: cần một đoạn chữ"
    if kind == "string_too_short":
        return f"{where}: không được để trống"
    if kind == "string_pattern_mismatch":
        return f"{where}: '{value}' chỉ được gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ: khai-sinh)"
    if kind == "string_too_long":
        return f"{where}: quá dài"
    if kind == "too_short":
        return f"{where}: cần ít nhất một mục"
    if kind == "list_type":
        return f"{where}: cần một danh sách (mỗi mục một dòng bắt đầu bằng '- ')"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        hint = {"legal_basis": " — viết dạng '- instrument: 123/2015/NĐ-CP' (số hiệu có trong instruments/) "
                               "và 'articles: Điều 22' nếu cần",
                "time_limit": " — viết dạng 'value: 3' và 'unit: working_days'",
                "fees": " — viết dạng 'set_by: national' và 'windows:' (xem docs/catalog.md)",
                "reviewed": " — chỉ lệnh 'python -m assistant catalog review ID --by \"Họ tên\"' ghi khóa này"}
        return f"{where}: cần một nhóm khóa (key: giá trị){hint.get(str(loc[0]) if loc else '', '')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{where}: phải lớn hơn{' hoặc bằng' if kind.endswith('equal') else ''} {err.get('ctx', {}).get('ge', err.get('ctx', {}).get('gt', 0))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{where}: quá lớn (tối đa {err.get('ctx', {}).get('le', err.get('ctx', {}).get('lt', ''))})"
    if kind == "value_error":
        message = str(err.get("ctx", {}).get("error", err.get("msg", "")))
        return f"{where}: {message}" if loc else message
    return f"{where}: giá trị '{value}' không hợp lệ"
