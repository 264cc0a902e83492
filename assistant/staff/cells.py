"""Cell parsers for procedure text: time limits, fees, levels, document lines, channels, steps.

One job: turn the text of one spreadsheet cell (or one answer to `catalog new`) into the
values of our schema, or a `RowError` naming the column and saying what is wrong. Shared by
`catalog import` (spreadsheets) and `catalog new` (questions).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from assistant.catalog.loader import (
    FIELDS_FILE,
)
from assistant.catalog.schema import Procedure
from assistant.catalog.yamlsource import load_yaml
from assistant.text.normalize import fold

NATIONAL_PORTAL = "https://dichvucong.gov.vn"

# Canonical key order, used when creating files and when inserting a key an old file lacks.
PROCEDURE_ORDER = list(Procedure.model_fields)
NESTED_ORDER: dict[str, list[str]] = {
    "time_limit": ["value", "unit", "cutoff", "extension", "note"],
    "fees": ["set_by", "per", "basis", "windows", "province_range", "exemptions", "note"],
    "windows": ["from", "until", "in_person", "online"],
    "extension": ["value", "unit", "when"],
    "legal_basis": ["instrument", "articles"],
    "sources": ["supports", "title", "url", "checked"],
    "channels": ["in_person", "postal", "online", "online_url", "note"],
    "documents": ["name", "copies", "kind", "required", "condition", "form", "template_url", "note"],
    "where": ["name", "address", "hours", "phone", "note"],
}
# Sub-keys the spreadsheet is authoritative for; the others (note, cutoff, set_by...) are hand-written.
OWNED_SUBKEYS: dict[str, set[str]] = {
    "time_limit": {"value", "unit", "extension"},
    "fees": {"set_by", "windows", "province_range"},
    "channels": {"in_person", "postal", "online"},  # online_url only changes when the cell has a URL
}


class RowError(ValueError):
    """A cell that cannot be mapped; `column` is our key, used to name the spreadsheet column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message



# ---------------------------------------------------------------------------------------------
# Cell parsers (shared with `catalog new`)

_BULLET = re.compile(r"^\s*(?:[-–—•·▪●◦*+]+\s*|\d{1,2}[.)]\s+|[a-zđ]\)\s+)", re.IGNORECASE)
_STEP_PREFIX = re.compile(r"^\s*bước\s*\d+\s*[:.\-–)]?\s*", re.IGNORECASE)


def cell_text(value: object) -> str:
    """A cell as text with Excel's carriage-return escapes turned into real line breaks."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("_x000D_", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def split_lines(text: str) -> list[str]:
    """Non-empty lines of a multi-line cell, list bullets removed."""
    lines = []
    for raw in text.split("\n"):
        line = " ".join(_BULLET.sub("", raw, count=1).split())
        line = line.rstrip(";").strip()
        if line:
            lines.append(line)
    return lines


def one_line(text: str) -> str:
    """Several lines read as one sentence list ("a; b") for keys that hold a single string."""
    return "; ".join(" ".join(line.split()).rstrip(";") for line in text.split("\n") if line.strip())


def slugify(name: str, max_length: int = 60) -> str:
    """An id from a Vietnamese name: 'Đăng ký khai sinh' -> 'dang-ky-khai-sinh'."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug


_LEVEL_WORDS = [
    ("commune", r"\bxa\b|\bphuong\b|\bdac khu\b|\bthi tran\b|\bcommune\b"),
    ("district", r"\bhuyen\b|\bquan\b|\bdistrict\b"),
    ("province", r"\btinh\b|\bprovince\b"),
    ("central", r"\btrung uong\b|\bbo\b|\bnganh\b|\bquoc gia\b|\bcentral\b"),
]


def parse_level(text: str) -> str:
    """'Cấp xã' -> commune ... The first level named wins when a cell lists several."""
    folded = " " + fold(text) + " "
    folded = re.sub(r"\bthi xa\b|\bthanh pho thuoc tinh\b", " huyen ", folded)
    folded = re.sub(r"\bthanh pho truc thuoc trung uong\b", " tinh ", folded)
    found = []
    for level, pattern in _LEVEL_WORDS:
        match = re.search(pattern, folded)
        if match:
            found.append((match.start(), level))
    if not found:
        raise RowError("level", f"không đọc được cấp thực hiện '{text}' (ghi: cấp xã, cấp tỉnh hoặc trung ương)")
    level = min(found)[1]
    if level == "district":
        raise RowError("level", f"cấp thực hiện '{text}' là cấp huyện, đã bỏ từ ngày 1/7/2025; hãy ghi cấp xã "
                                "hoặc cấp tỉnh theo thủ tục đã công bố lại")
    return level


_SAME_DAY = re.compile(r"\btrong ngay\b|\bngay trong\b|\bgiai quyet ngay\b|\bngay sau khi\b|\bngay khi\b|\bsame day\b")
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngay lam viec|ngay|gio lam viec|gio|tuan|thang|nam)\b")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


_UNITS = {"ngay lam viec": "working_days", "ngay": "calendar_days", "gio lam viec": "hours", "gio": "hours"}
_EXTENSION = re.compile(r"xac minh|gia han|keo dai|khong qua|truong hop")


def _duration(amount: float, unit: str, summary: str) -> dict[str, Any]:
    if unit not in _UNITS:
        raise RowError("time_limit", f"thời hạn '{summary}' tính theo tuần/tháng/năm; hãy quy ra ngày làm việc "
                                     "hoặc ngày")
    if amount > 365:
        raise RowError("time_limit", f"thời hạn '{summary}' dài hơn một năm")
    return {"value": int(amount) if float(amount).is_integer() else amount, "unit": _UNITS[unit]}


def parse_time_limit(text: str) -> dict[str, Any]:
    """'03 ngày làm việc' -> {value: 3, unit: working_days}; 'Trong ngày' -> {unit: same_day};
    a second period after "xác minh"/"gia hạn" becomes the extension.

    Text without a period ('Theo quy định', 'N/A') is refused: citizens are told numbers only.
    """
    summary = one_line(text)
    if not summary:
        raise RowError("time_limit", "ô thời hạn đang để trống")
    folded = fold(summary)
    if re.fullmatch(r"\d+(?:[.,]\d+)?", folded):
        return _duration(_number(folded), "ngay lam viec", summary)
    same_day = _SAME_DAY.search(folded)
    durations = list(_DURATION.finditer(folded))
    if same_day and (not durations or same_day.start() < durations[0].start()):
        result: dict[str, Any] = {"unit": "same_day"}
        later = [d for d in durations if d.start() > same_day.start()]
    elif durations:
        first = durations[0]
        result = _duration(_number(first.group(1)), first.group(2), summary)
        later = durations[1:]
    else:
        raise RowError("time_limit", f"không đọc được thời hạn '{summary}' (ví dụ: '03 ngày làm việc', "
                                     "'04 giờ làm việc', 'Trong ngày')")
    if later and _EXTENSION.search(folded[: later[0].start()]):
        ext = _duration(_number(later[0].group(1)), later[0].group(2), summary)
        result["extension"] = {**ext, "when": "nếu cần xác minh"}
    return result


_MONEY = re.compile(r"(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ\b|vnđ|vnd)", re.IGNORECASE)
_MILLIONS = re.compile(r"(\d+(?:[.,]\d+)?)\s*triệu(?:\s*đồng)?", re.IGNORECASE)
# "thường 100.000 đồng", "tối đa 50.000 đồng", "50.000–75.000 đồng": not one definite amount.
_VAGUE_FEE = re.compile(r"\b(thuong|khoang|toi da|toi thieu|tu \d)")
_FEE_RANGE = re.compile(r"\d\s*(?:–|-|—|đến|tới)\s*\d", re.IGNORECASE)
_FEE_LABEL = re.compile(r"^(?:phi,? le phi|le phi|phi)\s*:?\s*")


_RANGE_LOW = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:–|-|—|đến|tới)\s*\d[\d.,]*\s*(?:đồng|đ\b)", re.IGNORECASE)
_ONLINE_WORDS = re.compile(r"truc tuyen|online|dich vu cong")
_PROVINCE_WORDS = re.compile(r"\btinh\b|hdnd|hoi dong nhan dan")


def parse_fee(text: str) -> dict[str, Any]:
    """Fee cell -> v2 `fees`: 'Miễn lệ phí' -> set_by none; one amount -> a window with that amount;
    'X đồng (nộp trực tuyến Y đồng)' -> in person and online; 'theo mức của tỉnh, 50.000–75.000'
    -> set_by province with a range. Anything else keeps the text as a note (no invented number)."""
    summary = one_line(text)
    if not summary:
        raise RowError("fees", "ô lệ phí đang để trống")
    found = [(m.start(), int(re.sub(r"\D", "", m.group(1)))) for m in _MONEY.finditer(summary)]
    found += [(m.start(), int(re.sub(r"\D", "", m.group(1)))) for m in _RANGE_LOW.finditer(summary)]
    found += [(m.start(), round(_number(m.group(1)) * 1_000_000)) for m in _MILLIONS.finditer(summary)]
    found.sort()
    amounts = [a for _, a in found]
    folded = _FEE_LABEL.sub("", fold(summary)).strip()
    province = bool(_PROVINCE_WORDS.search(folded))
    vague = _VAGUE_FEE.search(folded) or _FEE_RANGE.search(summary)
    if set(amounts) == {0} or (not amounts and (folded.startswith(("mien", "khong")) or folded in ("0", "free"))):
        return {"set_by": "none"}
    result: dict[str, Any] = {"set_by": "province" if province else "national"}
    if province and vague and len(amounts) >= 2:
        result["province_range"] = {"min": min(amounts), "max": max(amounts)}
    elif len(amounts) == 1 and not vague:
        result["windows"] = [{"in_person": amounts[0]}]
    elif len(amounts) == 2 and not vague and _ONLINE_WORDS.search(fold(summary[found[0][0]:found[1][0] + 1])):
        result["windows"] = [{"in_person": amounts[0], "online": amounts[1]}]
    else:
        result["note"] = summary
    return result


_KINDS = [  # (folded phrase, kind); longer phrases first so "bản sao có chứng thực" beats "bản sao"
    ("ban sao co chung thuc", "certified_copy"),
    ("ban sao chung thuc", "certified_copy"),
    ("ban sao y", "certified_copy"),
    ("xuat trinh", "present"),
    ("ban chinh", "original"),
    ("ban goc", "original"),
    ("ban sao", "copy"),
    ("ban chup", "copy"),
    ("ban photo", "copy"),
]
_HINT_WORDS = re.compile(r"ban chinh|ban goc|ban sao|ban chup|ban photo|xuat trinh|neu co|\d+\s*ban\b")


def _document_hints(folded: str) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    copies = re.search(r"\b(\d+)\s*ban\b", folded)
    if copies:
        hints["copies"] = int(copies.group(1))
    hits = [(folded.find(phrase), -len(phrase), kind) for phrase, kind in _KINDS if phrase in folded]
    if hits:
        hints["kind"] = min(hits)[2]
    if re.search(r"\bneu co\b", folded):
        hints["required"] = False
    return hints


def parse_document_line(line: str) -> dict[str, Any]:
    """'Tờ khai đăng ký khai sinh (01 bản chính)' -> name, copies 1, kind original.

    Only what the line states is returned, so an update never invents a copy count or kind.
    What the hint part says wins over words of the name: 'Tờ khai cấp bản sao trích lục
    (01 bản chính)' is an original, not a copy.
    """
    text = " ".join(line.split())
    hint_parts: list[str] = []

    def drop_hint(match: re.Match[str]) -> str:
        inner = fold(match.group(1))
        if _HINT_WORDS.search(inner) and len(inner) <= 80:
            hint_parts.append(inner)
            return ""
        return match.group(0)

    name = re.sub(r"\s*\(([^()]*)\)", drop_hint, text)
    tail = re.search(r"\s*[:,;\-–]\s*(\d+\s*)?(bản|bộ)\b[^:]*$", name, re.IGNORECASE)
    if tail and _HINT_WORDS.search(fold(tail.group(0))):
        hint_parts.append(fold(tail.group(0)))
        name = name[: tail.start()]
    name = name.strip(" .;:,-–")
    doc = {**_document_hints(fold(text)), **_document_hints(" ; ".join(hint_parts))}
    return {"name": name or text, **doc}


def document_key(name: str) -> str:
    """How a spreadsheet line and a hand-written entry are recognised as the same document."""
    return " ".join(fold(parse_document_line(name)["name"]).split())


def parse_channels(text: str) -> dict[str, Any]:
    """'Trực tiếp / Dịch vụ bưu chính / Trực tuyến toàn trình' -> in_person, postal, online level, URL."""
    folded = fold(text)
    in_person = bool(re.search(r"truc tiep|in person", folded))
    postal = bool(re.search(r"buu chinh|buu dien|postal", folded))
    if re.search(r"toan trinh|\bfull\b", folded):
        online = "full"
    elif re.search(r"mot phan|\bpartial\b", folded):
        online = "partial"
    elif re.search(r"truc tuyen|dich vu cong|\bonline\b|qua mang|vneid", folded):
        online = "partial"  # online but the level is not stated: claim the smaller one
    else:
        online = "none"
    if not (in_person or postal or online != "none"):
        raise RowError("channels", f"không đọc được cách thức nộp '{one_line(text)}' "
                                   "(ghi: Trực tiếp, Dịch vụ bưu chính, Trực tuyến toàn trình/một phần)")
    result: dict[str, Any] = {"in_person": in_person, "postal": postal, "online": online}
    url = re.search(r"https?://[^\s,;()]+", text)
    if url:
        result["online_url"] = url.group(0).rstrip(".")
    return result


def parse_steps(text: str) -> list[str]:
    """Steps, one per line; when the cell uses 'Bước N' markers, other lines belong to the step above."""
    lines = [line for line in text.split("\n") if line.strip()]
    marked = any(_STEP_PREFIX.match(line) for line in lines)
    steps: list[str] = []
    for raw in lines:
        is_step = bool(_STEP_PREFIX.match(raw))
        line = " ".join(_STEP_PREFIX.sub("", raw).split()) if is_step else " ".join(_BULLET.sub("", raw).split())
        if not line:
            continue
        if marked and not is_step and steps:
            joiner = " " if steps[-1].endswith(":") else "; "
            steps[-1] = f"{steps[-1]}{joiner}{line}"
        else:
            steps.append(line)
    return steps


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError("reviewed", f"không đọc được ngày '{text}' (ghi dạng NĂM-THÁNG-NGÀY hoặc NGÀY/THÁNG/NĂM)")


_INSTRUMENT_NUMBER = re.compile(r"\d+/\d{4}/[A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*")
_ARTICLES = re.compile(r"((?:khoản\s+\d+\s+)?điều\s+\d+[a-z]?(?:\s*(?:,|và)\s*(?:khoản\s+\d+\s+)?(?:điều\s+)?\d+[a-z]?)*)",
                       re.IGNORECASE)


def parse_legal_line(line: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """'Nghị định 123/2015/NĐ-CP, Điều 22' -> ({instrument, articles}, registry entry {number, title}).

    Procedures cite instruments by number (the registry names and dates them)."""
    match = _INSTRUMENT_NUMBER.search(line)
    if match is None:
        raise RowError("legal_basis", f"không thấy số hiệu văn bản trong '{line}' (ví dụ: Nghị định 123/2015/NĐ-CP)")
    number = match.group(0)
    ref: dict[str, Any] = {"instrument": number}
    after = _ARTICLES.search(line, match.end())
    articles = after or _ARTICLES.search(line[: match.start()])
    if articles:
        ref["articles"] = articles.group(1)[0].upper() + articles.group(1)[1:]
    title = line[: after.start()] if after else line
    title = re.sub(r"[,;:\-–\s]+$", "", title).strip() or number
    return ref, {"number": number, "title": title}


def load_fields(directory: Path) -> dict[str, str]:
    """slug -> Vietnamese name from fields.yaml (empty when missing: the final check reports it)."""
    path = directory / FIELDS_FILE
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    if not isinstance(data, list):
        return {}
    return {str(i["slug"]): str(i["name"]) for i in data if isinstance(i, dict) and i.get("slug") and i.get("name")}


def resolve_field(text: str, fields: dict[str, str]) -> str:
    """A field slug from what a spreadsheet or a person writes: slug, name, or one part of the name."""
    wanted = fold(text).strip()
    as_slug = slugify(text)
    for slug, name in fields.items():
        parts = [fold(p).strip() for p in name.split(",")]
        if wanted in (slug, fold(name).strip()) or as_slug == slug or wanted in parts:
            return slug
    known = ", ".join(f"{slug} ({name})" for slug, name in fields.items())
    raise RowError("field", f"lĩnh vực '{text}' không có trong fields.yaml (các lĩnh vực: {known})")
