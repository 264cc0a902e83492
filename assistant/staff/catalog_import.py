"""`catalog import`: build or update procedure files from a national-database spreadsheet.

Civil servants receive procedure lists as exports of the Cơ sở dữ liệu quốc gia về thủ tục
hành chính (one row per procedure, Vietnamese column headers, multi-line cells). Retyping
them into YAML is slow and error-prone, so this command maps each row onto our schema.

Two promises shape the design:

* Hand-written work is never lost. Existing files are updated through a round-trip YAML
  library, and only the top-level keys whose value really changes are re-rendered; every
  other line (comments, aliases, examples, notes, odd line wrapping) is kept byte for byte.
* All or nothing. Every resulting file is validated against the schema, and the whole
  catalogue is re-checked in a scratch copy; one bad row means nothing is written, and the
  row is reported as `SPREADSHEET:LINE: reason` so it can be fixed in the spreadsheet.

The text parsers (time limit, fee, level, document lines) are shared with `catalog new`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from assistant.catalog.loader import (
    FIELDS_FILE,
    INSTRUMENTS_DIR,
    LOCALITIES_DIR,
    check_catalog,
    procedure_files,
)
from assistant.catalog.messages import explain
from assistant.catalog.schema import PROCEDURE_FACT_KEYS, Procedure
from assistant.catalog.yamlsource import YamlSyntaxError, load_yaml, read_yaml
from assistant.staff.resolution import vn_today
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
# Column headers


def _header_key(text: str) -> str:
    folded = fold(str(text)).strip().rstrip(":*").strip()
    return " ".join(re.sub(r"[^a-z0-9_,]+", " ", folded).replace(",", " ").split())


# Folded header -> our key. The first entry of each key is the official export header.
HEADERS: dict[str, list[str]] = {
    "id": ["id", "slug", "ma dinh danh"],
    "code": ["Mã thủ tục", "Mã TTHC", "Mã số thủ tục", "Mã số", "code"],
    "name": ["Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "name"],
    "field": ["Lĩnh vực", "Lĩnh vực thực hiện", "field"],
    "level": ["Cấp thực hiện", "Cấp giải quyết", "level"],
    "agency": ["Cơ quan thực hiện", "Cơ quan giải quyết", "agency"],
    "applicants": ["Đối tượng thực hiện", "applicants"],
    "documents": ["Thành phần hồ sơ", "documents"],
    "time_limit": ["Thời hạn giải quyết", "Thời gian giải quyết", "time_limit"],
    "fees": ["Phí, lệ phí", "Phí lệ phí", "Lệ phí", "Phí", "fees"],
    "where": ["Địa chỉ tiếp nhận", "Địa chỉ tiếp nhận hồ sơ", "Nơi tiếp nhận", "where"],
    "channels": ["Cách thức thực hiện", "channels"],
    "steps": ["Trình tự thực hiện", "steps"],
    "result": ["Kết quả thực hiện", "Kết quả", "result"],
    "legal_basis": ["Căn cứ pháp lý", "legal_basis"],
}
# `reviewed` is never imported: only `catalog review` records that a person checked a procedure.
_HEADER_LOOKUP = {_header_key(alias): key for key, aliases in HEADERS.items() for alias in aliases}
COLUMN_TITLES = {key: aliases[0] for key, aliases in HEADERS.items()}


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


# ---------------------------------------------------------------------------------------------
# Spreadsheet reading


@dataclass
class Row:
    line: int  # 1-based line (CSV) or row number (xlsx) where the record starts
    cells: dict[str, object]  # our key -> raw cell value


@dataclass
class Sheet:
    path: Path
    rows: list[Row]
    columns: dict[str, str]  # our key -> header as written in the spreadsheet
    ignored: list[str] = field(default_factory=list)


class SheetError(Exception):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")


def _records(path: Path) -> Iterator[tuple[int, list[object]]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SheetError(path, 1, f"không mở được tệp Excel: {exc}") from exc
        sheet = workbook.active
        for cells in sheet.iter_rows():
            if cells:
                yield cells[0].row, [c.value for c in cells]
        return
    if suffix in (".csv", ".txt"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError(path, 1, "tệp CSV không phải UTF-8 (hãy lưu dạng 'CSV UTF-8')") from exc
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        start = 1
        for record in reader:
            yield start, list(record)
            start = reader.line_num + 1
        return
    raise SheetError(path, 1, f"không hỗ trợ loại tệp '{path.suffix}' (dùng .xlsx hoặc .csv; lưu .xls thành .xlsx)")


def read_sheet(path: Path) -> Sheet:
    """Rows keyed by our field names; the header row is found among the first rows (exports have titles)."""
    records = list(_records(path))
    for index, (line, values) in enumerate(records[:20]):
        keys = [_HEADER_LOOKUP.get(_header_key(v)) if v is not None else None for v in values]
        if "name" in keys or "id" in keys or "code" in keys:
            if sum(k is not None for k in keys) < 2:
                continue
            columns: dict[str, str] = {}
            ignored = []
            for col, (key, value) in enumerate(zip(keys, values, strict=True)):
                if key is None:
                    if cell_text(value):
                        ignored.append(cell_text(value))
                    continue
                if key in columns:
                    raise SheetError(path, line, f"hai cột cùng ứng với khóa '{key}': '{columns[key]}' và '{value}'")
                columns[key] = cell_text(value)
                keys[col] = key
            rows = []
            for row_line, row_values in records[index + 1:]:
                cells = {key: row_values[col] for col, key in enumerate(keys) if key and col < len(row_values)}
                if any(cell_text(v) for v in cells.values()):
                    rows.append(Row(row_line, cells))
            return Sheet(path, rows, columns, ignored)
    raise SheetError(path, 1, "không tìm thấy dòng tiêu đề (cần các cột như 'Mã thủ tục', 'Tên thủ tục')")


# ---------------------------------------------------------------------------------------------
# Round-trip YAML


def yaml_rt(sequence: int = 4, offset: int = 2) -> YAML:
    yaml_ = YAML()
    yaml_.preserve_quotes = True
    yaml_.width = 4096  # never re-wrap long Vietnamese lines
    yaml_.indent(mapping=2, sequence=sequence, offset=offset)
    return yaml_


def detect_indent(text: str) -> tuple[int, int]:
    """(sequence, offset) as the file already writes lists, so re-rendered keys look like their neighbours."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for current, following in itertools.pairwise(lines):
        key = re.match(r"^( *)[^\s\-#][^:]*:\s*(#.*)?$", current)
        dash = re.match(r"^( *)- ", following)
        if key and dash:
            offset = len(dash.group(1)) - len(key.group(1))
            if offset >= 0:
                return offset + 2, offset
    return 4, 2


def dump(data: Any, sequence: int = 4, offset: int = 2) -> str:
    out = io.StringIO()
    yaml_rt(sequence, offset).dump(data, out)
    return out.getvalue()


def plain(value: Any) -> Any:
    """Round-trip nodes as plain Python values, for comparisons."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def _styled(old: Any, new: Any) -> Any:
    """Keep the quoting of the value being replaced ("1.004873" stays double-quoted)."""
    if isinstance(new, str) and isinstance(old, DoubleQuotedScalarString | SingleQuotedScalarString):
        return type(old)(new)
    return new


def _insert(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Insert `key` after the last existing key that precedes it in the canonical order."""
    rank = order.index(key) if key in order else len(order)
    position = 0
    for index, existing in enumerate(mapping):
        if existing in order and order.index(existing) < rank:
            position = index + 1
    mapping.insert(position, key, value)


def _set(mapping: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    if key in mapping:
        if plain(mapping[key]) != plain(value) or type(plain(mapping[key])) is not type(plain(value)):
            mapping[key] = _styled(mapping[key], value)
    else:
        _insert(mapping, key, value, order)


def new_map(values: dict[str, Any], order: list[str]) -> CommentedMap:
    mapping = CommentedMap()
    for key in sorted(values, key=lambda k: order.index(k) if k in order else len(order)):
        value = values[key]
        if isinstance(value, list):
            value = CommentedSeq(new_map(v, NESTED_ORDER.get(key, [])) if isinstance(v, dict) else v for v in value)
        elif isinstance(value, dict):
            value = new_map(value, NESTED_ORDER.get(key, []))
        mapping[key] = value
    return mapping


def _sync_seq(seq: CommentedSeq, items: list[Any]) -> None:
    """Make `seq` hold `items` position by position, so comments on unchanged items stay put."""
    for index, item in enumerate(items):
        if index < len(seq):
            if seq[index] is not item and plain(seq[index]) != plain(item):
                seq[index] = _styled(seq[index], item)
        else:
            seq.append(item)
    while len(seq) > len(items):
        del seq[len(seq) - 1]


def _sync_keyed(seq: CommentedSeq, items: list[dict[str, Any]], order: list[str]) -> None:
    """Documents / places matched by name: a matched entry keeps its hand-written keys (note, form...)."""
    unused = [entry for entry in seq if isinstance(entry, CommentedMap)]
    result = []
    for item in items:
        wanted = document_key(item["name"])
        match = next((e for e in unused if document_key(str(e.get("name", ""))) == wanted), None)
        if match is None:
            result.append(new_map(item, order))
            continue
        unused.remove(match)
        for key, value in item.items():
            if key == "name" and parse_document_line(str(match.get("name", "")))["name"] == value:
                continue  # "Giấy tờ X (nếu có)" written by hand is the same document: keep its wording
            _set(match, key, value, order)
        result.append(match)
    _sync_seq(seq, result)


def update_procedure(doc: CommentedMap, values: dict[str, Any]) -> None:
    """Apply spreadsheet values to a round-trip mapping; keys not in `values` are left alone."""
    for key, value in values.items():
        current = doc.get(key)
        if key == "fees" and isinstance(current, CommentedMap) and _dated(current.get("windows")):
            continue  # dated fee windows are written by a person from the instruments: keep them
        if key in OWNED_SUBKEYS and isinstance(current, CommentedMap):
            order = NESTED_ORDER[key]
            for sub in OWNED_SUBKEYS[key] | set(value):
                if sub in value:
                    _set(current, sub, value[sub], order)
                elif sub in current:
                    del current[sub]
        elif key in ("documents", "where") and isinstance(current, CommentedSeq):
            _sync_keyed(current, value, NESTED_ORDER[key])
        elif isinstance(value, list) and isinstance(current, CommentedSeq):
            _sync_seq(current, list(value))
        elif isinstance(value, list | dict):
            new = new_map({key: value}, PROCEDURE_ORDER)[key]
            if key in doc:
                doc[key] = new
            else:
                _insert(doc, key, new, PROCEDURE_ORDER)
        else:
            _set(doc, key, value, PROCEDURE_ORDER)


def _dated(windows: Any) -> bool:
    return isinstance(windows, list) and any(isinstance(w, dict) and ("from" in w or "until" in w) for w in windows)


def _blocks(lines: list[str], starts: list[tuple[str, int]]) -> dict[str, tuple[list[str], list[str]]]:
    """key -> (its own lines, the comment/blank lines after it that introduce the next key)."""
    result = {}
    for index, (key, start) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else len(lines)
        end = stop
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        result[key] = (lines[start:end], lines[end:stop])
    return result


def _key_starts(data: CommentedMap) -> list[tuple[str, int]]:
    return sorted(((str(k), data.lc.key(k)[0]) for k in data), key=lambda item: item[1])


def splice(original_text: str, original: CommentedMap, snapshot: dict[str, Any], updated: CommentedMap,
           sequence: int, offset: int) -> str:
    """The original text with only the changed top-level keys replaced by their new rendering.

    Keeping untouched keys byte for byte is what makes the diff minimal even when the file was
    wrapped or quoted differently from how the YAML library would write it.
    """
    lines = original_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    starts = _key_starts(original)
    old_blocks = _blocks(lines, starts)
    rendered = dump(updated, sequence, offset)
    new_lines = rendered.splitlines(keepends=True)
    new_blocks = _blocks(new_lines, _key_starts(yaml_rt().load(rendered)))
    out = lines[: starts[0][1]] if starts else []
    pending: list[str] = []
    for key in updated:
        key = str(key)
        if key in old_blocks:
            out += pending
            block, pending = old_blocks[key]
            if plain(updated[key]) != snapshot.get(key):
                trailing = {line.strip() for line in pending if line.strip()}
                block = [line for line in new_blocks[key][0] if not (line.startswith("#") and line.strip() in trailing)]
            out += block
        else:
            out += new_blocks[key][0]
    out += pending
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Planning an import


@dataclass
class Change:
    row: Row
    proc_id: str
    path: Path  # where the file will be
    old_path: Path | None  # the existing file (differs from `path` when the field changed)
    old_text: str | None
    new_text: str

    @property
    def changed(self) -> bool:
        return self.old_text != self.new_text or self.old_path != self.path


@dataclass
class Existing:
    by_id: dict[str, Path]
    by_code: dict[str, Path]


def index_catalog(directory: Path) -> Existing:
    by_id: dict[str, Path] = {}
    by_code: dict[str, Path] = {}
    for path in procedure_files(directory) if directory.is_dir() else []:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        if data.get("id"):
            by_id.setdefault(str(data["id"]), path)
        if data.get("code"):
            by_code.setdefault(str(data["code"]).strip(), path)
    return Existing(by_id, by_code)


def _code_text(value: object) -> str:
    # A national code typed into Excel as a number ("1.004873") comes back as a float.
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.6f}"
    return cell_text(value)


def row_values(row: Row, fields: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    """Our keys from one row; empty cells are left out (they never erase what a file says)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    parsers: dict[str, Callable[[str], Any]] = {
        "id": lambda t: t.strip(),
        "name": one_line,
        "field": lambda t: resolve_field(t, fields),
        "level": parse_level,
        "agency": one_line,
        "applicants": split_lines,
        "documents": lambda t: [parse_document_line(line) for line in split_lines(t)
                                if not fold(line).startswith(("so luong ho so", "thanh phan ho so"))],
        "time_limit": parse_time_limit,
        "fees": parse_fee,
        "where": lambda t: [{"name": line} for line in split_lines(t)],
        "channels": parse_channels,
        "steps": parse_steps,
        "result": one_line,
        "legal_basis": lambda t: [parse_legal_line(line) for line in split_lines(t)],
    }
    for key, raw in row.cells.items():
        text = _code_text(raw) if key == "code" else cell_text(raw)
        if not text:
            continue
        try:
            values[key] = text if key == "code" else parsers[key](text)
        except RowError as exc:
            errors.append(exc)
    if "legal_basis" in values:
        pairs = values.pop("legal_basis")
        values["legal_basis"] = [ref for ref, _ in pairs]
        values[INSTRUMENTS_KEY] = [entry for _, entry in pairs]
    return values, errors


INSTRUMENTS_KEY = "_instruments"  # registry entries found in a row (not a procedure key)
IMPORTED_INSTRUMENTS = "imported.yaml"


def _column(sheet: Sheet, key: str) -> str:
    return sheet.columns.get(key) or COLUMN_TITLES.get(key, key)


def _validation_messages(sheet: Sheet, exc: ValidationError) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        column = _column(sheet, str(loc[0])) if loc else "?"
        text = explain(err, Procedure, loc)
        if err["type"] == "missing":
            messages.append(f"{text} (cột '{column}' không có hoặc để trống)")
        else:
            messages.append(f"cột '{column}': {text}")
    return messages


@dataclass
class Plan:
    changes: list[Change]
    errors: list[str]  # "SHEET:LINE: reason"
    unchanged: int = 0
    registry: Change | None = None  # instruments the rows cite that the registry lacks


def plan_import(sheet: Sheet, directory: Path, today: dt.date | None = None) -> Plan:
    """Everything the import would write, or the reasons it must not write anything."""
    today = today or vn_today()  # the date staff see on their calendar, not the server's UTC day
    fields = load_fields(directory)
    existing = index_catalog(directory)
    errors: list[str] = []
    changes: list[Change] = []
    seen: dict[str, int] = {}

    def fail(row: Row, message: str) -> None:
        errors.append(f"{sheet.path}:{row.line}: {message}")

    known_instruments = registered_instruments(directory)
    new_instruments: dict[str, tuple[Row, dict[str, Any]]] = {}
    for row in sheet.rows:
        values, row_errors = row_values(row, fields)
        for exc in row_errors:
            fail(row, f"cột '{_column(sheet, exc.column)}': {exc.message}")
        if row_errors:
            continue
        for entry in values.pop(INSTRUMENTS_KEY, []):
            if entry["number"] not in known_instruments:
                new_instruments.setdefault(entry["number"], (row, entry))
        code = values.get("code")
        proc_id = values.get("id")
        old_path: Path | None = None
        if proc_id:
            old_path = existing.by_id.get(proc_id)
            owner = existing.by_code.get(code) if code else None
            if owner is not None and owner != old_path:
                fail(row, f"mã thủ tục '{code}' đã thuộc về tệp {owner.relative_to(directory)}; "
                          "hãy dùng id của tệp đó hoặc để trống ô id")
                continue
        elif code and code in existing.by_code:
            old_path = existing.by_code[code]
        elif values.get("name"):
            proc_id = slugify(values["name"])
            old_path = existing.by_id.get(proc_id)
        else:
            fail(row, "dòng này không có id, mã thủ tục hay tên thủ tục để nhận ra thủ tục")
            continue
        change = _plan_row(sheet, row, values, proc_id, old_path, directory, today, fail)
        if change is None:
            continue
        if change.proc_id in seen:
            fail(row, f"thủ tục '{change.proc_id}' đã có ở dòng {seen[change.proc_id]}")
            continue
        seen[change.proc_id] = row.line
        changes.append(change)

    registry = registry_change(directory, new_instruments) if new_instruments else None
    if not errors:
        extra = [registry] if registry else []
        errors.extend(_catalogue_errors(sheet, directory, [c for c in changes if c.changed] + extra))
    plan = Plan([c for c in changes if c.changed], errors, registry=registry)
    plan.unchanged = len(changes) - len(plan.changes)
    return plan


def registered_instruments(directory: Path) -> set[str]:
    numbers: set[str] = set()
    for path in sorted((directory / INSTRUMENTS_DIR).glob("*.y*ml")) if (directory / INSTRUMENTS_DIR).is_dir() else []:
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        numbers |= {str(i["number"]) for i in data or [] if isinstance(i, dict) and i.get("number")}
    return numbers


def registry_change(directory: Path, new: dict[str, tuple[Row, dict[str, Any]]]) -> Change:
    """Instruments cited by the sheet but not registered are added to instruments/imported.yaml,
    with the title as the sheet writes it; staff complete the dates (in_force, replaced_by)."""
    path = directory / INSTRUMENTS_DIR / IMPORTED_INSTRUMENTS
    old_text = path.read_text(encoding="utf-8") if path.exists() else None
    seq = yaml_rt(4, 2).load(old_text) if old_text else None
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq()
    for _, entry in sorted(new.values(), key=lambda item: item[0].line):
        seq.append(new_map(entry, ["number", "title", "short", "in_force", "amended_by", "replaced_by", "expires"]))
    text = dump(seq, 2, 0)
    if old_text is None:
        text = ("# Văn bản do `catalog import` thêm từ bảng tính; cán bộ bổ sung ngày hiệu lực, văn bản thay thế.\n"
                + text)
    row = min((r for r, _ in new.values()), key=lambda r: r.line)
    return Change(row, "instruments", path, path if old_text is not None else None, old_text, text)


def _plan_row(sheet: Sheet, row: Row, values: dict[str, Any], proc_id: str | None, old_path: Path | None,
              directory: Path, today: dt.date, fail: Callable[[Row, str], None]) -> Change | None:
    if old_path is not None:
        old_text = old_path.read_text(encoding="utf-8")
        try:
            doc = yaml_rt().load(old_text)
        except Exception as exc:  # ruamel raises several error types for broken YAML
            fail(row, f"không cập nhật được {old_path.relative_to(directory)}: {exc}")
            return None
        if not isinstance(doc, CommentedMap):
            fail(row, f"không cập nhật được {old_path.relative_to(directory)}: tệp không phải một nhóm khóa")
            return None
        values.pop("id", None)  # the file keeps its id; a matching code found it
        channels = values.get("channels")
        current = doc.get("channels")
        if (channels and channels["online"] != "none" and "online_url" not in channels
                and not (isinstance(current, dict) and current.get("online_url"))):
            channels["online_url"] = NATIONAL_PORTAL
        snapshot = plain(doc)
        original = yaml_rt().load(old_text)
        if not doc.get("sources"):
            values["sources"] = [_sheet_source(sheet, values, today)]
        update_procedure(doc, values)
        sequence, offset = detect_indent(old_text)
        new_text = old_text
        if plain(doc) != snapshot:
            new_text = splice(old_text, original, snapshot, doc, sequence, offset)
            if load_yaml(new_text) != plain(doc):  # pragma: no cover - a safety net, never seen
                new_text = dump(doc, sequence, offset)  # whole-file rendering still keeps comments
        proc_id = str(doc.get("id", proc_id))
        field_slug = str(doc.get("field", ""))
        path = old_path if old_path.parent.name == field_slug or not field_slug else directory / field_slug / old_path.name
    else:
        old_text = None
        values = {"id": proc_id, **values}
        if "where" not in values and values.get("agency"):
            values["where"] = [{"name": values["agency"]}]  # citizens hand in papers at the agency itself
        channels = values.get("channels")
        if channels and channels["online"] != "none" and "online_url" not in channels:
            channels["online_url"] = NATIONAL_PORTAL
        values["sources"] = [_sheet_source(sheet, values, today)]  # never `reviewed`: a person signs that
        if not values.get("field"):
            fail(row, f"thiếu lĩnh vực (cần cột '{_column(sheet, 'field')}' để tạo thủ tục '{proc_id}')")
            return None
        new_text = dump(new_map(values, PROCEDURE_ORDER))
        path = directory / values["field"] / f"{proc_id}.yaml"
    try:
        Procedure.model_validate(load_yaml(new_text))
    except ValidationError as exc:
        for message in _validation_messages(sheet, exc):
            fail(row, f"{proc_id}: {message}")
        return None
    if old_path is None and path.exists():
        fail(row, f"tệp {path.relative_to(directory)} đã có với id khác")
        return None
    return Change(row, str(proc_id), path, old_path, old_text, new_text)


def _sheet_source(sheet: Sheet, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Where the imported facts come from: the national-database export, read today."""
    supports = [key for key in PROCEDURE_ORDER if key in values and key in PROCEDURE_FACT_KEYS]
    return {"supports": supports or ["name"],
            "title": f"Cơ sở dữ liệu quốc gia về thủ tục hành chính (tệp xuất {sheet.path.name})",
            "checked": today}


def _catalogue_errors(sheet: Sheet, directory: Path, changes: list[Change]) -> list[str]:
    """Errors the changes would add to the catalogue (duplicate aliases, broken locality overrides...)."""
    if not changes or not directory.is_dir():
        return []
    before = {(relative_path(p.path, directory), without_root(p.message, directory, directory))
              for p in check_catalog(directory) if p.severity == "error"}
    with tempfile.TemporaryDirectory(prefix="catalog-import-") as scratch:
        copy = Path(scratch) / "catalog"
        shutil.copytree(directory, copy)
        for change in changes:
            if change.old_path is not None and change.old_path != change.path:
                (copy / change.old_path.relative_to(directory)).unlink()
            target = copy / change.path.relative_to(directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(change.new_text, encoding="utf-8")
        after = [p for p in check_catalog(copy) if p.severity == "error"]
        present = set(index_catalog(copy).by_id)
        by_file = {change.path.relative_to(directory): change for change in changes}
        by_id = {change.proc_id: change for change in changes}
        messages = []
        for problem in after:
            rel = relative_path(problem.path, copy)
            text = without_root(problem.message, copy, directory)
            if (rel, text) in before:
                continue
            missing = re.match(r"thủ tục liên quan '([^']+)' không có trong danh mục", text)
            if missing and missing.group(1) in present:
                continue  # the file exists but failed for a reason reported on its own line
            change = (by_file.get(rel) or by_id.get(_override_owner(problem.path, problem.line) or "")
                      or next((c for c in changes if f"'{c.proc_id}'" in text), None))
            line = change.row.line if change else 1
            messages.append(f"{sheet.path}:{line}: {rel}:{problem.line}: {text}")
        return messages


def _override_owner(path: Path, line: int) -> str | None:
    """The procedure whose locality override sits at `line`, so the error names the right row."""
    if LOCALITIES_DIR not in path.parts:
        return None
    try:
        doc = read_yaml(path)
    except YamlSyntaxError:
        return None
    owners = [(start, loc[1]) for loc, start in doc.lines.items()
              if len(loc) == 2 and loc[0] == "procedures" and start <= line]
    return str(max(owners)[1]) if owners else None


def relative_path(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def without_root(message: str, root: Path, real: Path) -> str:
    return message.replace(f"{root}{os.sep}", "").replace(f"{real}{os.sep}", "")


# ---------------------------------------------------------------------------------------------
# Running


def diff(change: Change, directory: Path) -> str:
    old_name = f"a/{change.old_path.relative_to(directory)}" if change.old_path else "/dev/null"
    new_name = f"b/{change.path.relative_to(directory)}"
    old_lines = (change.old_text or "").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old_lines, change.new_text.splitlines(keepends=True), old_name, new_name))


def write_changes(changes: list[Change]) -> None:
    """Each file is replaced atomically, so a reader never sees half a file."""
    for change in changes:
        change.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = change.path.with_name(f".{change.path.name}.tmp")
        temporary.write_text(change.new_text, encoding="utf-8")
        os.replace(temporary, change.path)
        if change.old_path is not None and change.old_path != change.path:
            change.old_path.unlink()


def run_import(file: Path, directory: Path, dry_run: bool = False, out: TextIO | None = None,
               err: TextIO | None = None, today: dt.date | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if not (directory / FIELDS_FILE).is_file():
        print(f"{directory / FIELDS_FILE}:1: danh mục không có {FIELDS_FILE}; hãy kiểm tra --dir", file=err)
        return 1
    try:
        sheet = read_sheet(file)
    except SheetError as exc:
        print(exc, file=err)
        print("Không ghi tệp nào.", file=err)
        return 1
    except OSError as exc:
        print(f"{file}:1: không đọc được tệp: {exc.strerror}", file=err)
        return 1
    if sheet.ignored:
        print("Bỏ qua các cột không dùng: " + ", ".join(sheet.ignored), file=err)
    plan = plan_import(sheet, directory, today)
    if plan.errors:
        for message in plan.errors:
            print(message, file=err)
        print(f"Không ghi tệp nào vì có {len(plan.errors)} lỗi; hãy sửa bảng tính rồi chạy lại.", file=err)
        return 1
    everything = plan.changes + ([plan.registry] if plan.registry else [])
    if dry_run:
        for change in everything:
            out.write(diff(change, directory))
        print(f"Chạy thử: {_summary(plan)}; chưa ghi tệp nào.", file=err)
        return 0
    write_changes(everything)
    if plan.registry:
        print(f"Thêm văn bản vào {plan.registry.path.relative_to(directory)}: hãy bổ sung ngày hiệu lực "
              "(in_force) và văn bản thay thế (replaced_by) nếu có.", file=out)
    for change in plan.changes:
        verb = "Tạo mới" if change.old_path is None else ("Chuyển" if change.old_path != change.path else "Cập nhật")
        print(f"{verb}: {change.path.relative_to(directory)} (dòng {change.row.line})", file=out)
    print(f"Xong: {_summary(plan)}. Nên chạy thêm: python -m assistant catalog check", file=err)
    return 0


def _summary(plan: Plan) -> str:
    created = sum(1 for c in plan.changes if c.old_path is None)
    return f"{created} tệp mới, {len(plan.changes) - created} tệp cập nhật, {plan.unchanged} thủ tục không đổi"
