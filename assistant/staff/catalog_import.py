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

from assistant.catalog.loader import FIELDS_FILE, LOCALITIES_DIR, check_catalog, procedure_files
from assistant.catalog.schema import Procedure
from assistant.catalog.yamlsource import YamlSyntaxError, read_yaml
from assistant.staff.resolution import vn_today
from assistant.text.normalize import fold

NATIONAL_PORTAL = "https://dichvucong.gov.vn"

# Canonical key order, used when creating files and when inserting a key an old file lacks.
PROCEDURE_ORDER = list(Procedure.model_fields)
NESTED_ORDER: dict[str, list[str]] = {
    "time_limit": ["summary", "working_days", "same_day", "cutoff", "note"],
    "fees": ["summary", "free", "amount", "set_by", "note"],
    "channels": ["in_person", "postal", "online", "online_url", "note"],
    "documents": ["name", "copies", "kind", "required", "condition", "form", "template_url", "note"],
    "where": ["name", "address", "hours", "phone", "note"],
}
# Sub-keys the spreadsheet is authoritative for; the others (note, cutoff, set_by...) are hand-written.
OWNED_SUBKEYS: dict[str, set[str]] = {
    "time_limit": {"summary", "working_days", "same_day"},
    "fees": {"summary", "free", "amount"},
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
    "reviewed": ["Ngày rà soát", "reviewed"],
}
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
    ("commune", r"\bxa\b|\bphuong\b|\bthi tran\b|\bcommune\b"),
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
        raise RowError("level", f"cannot read level '{text}' (expected cấp xã, cấp huyện, cấp tỉnh or trung ương)")
    return min(found)[1]


_SAME_DAY = re.compile(r"\btrong ngay\b|\bngay trong\b|\bgiai quyet ngay\b|\bngay sau khi\b|\bngay khi\b|\bsame day\b")
_DURATION = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ngay lam viec|ngay|gio lam viec|gio|tuan|thang|nam)\b")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_time_limit(text: str) -> dict[str, Any]:
    """'03 ngày làm việc' -> working_days 3; 'Trong ngày' -> same_day.

    Calendar periods ('30 ngày') and references to other rules ('Theo ...') keep only the summary;
    any other text without a period is refused, so junk such as 'N/A' never reaches citizens.
    """
    summary = one_line(text)
    if not summary:
        raise RowError("time_limit", "time limit is empty")
    folded = fold(summary)
    if re.fullmatch(r"\d+(?:[.,]\d+)?", folded):
        days = _number(folded)
        days_value = int(days) if days.is_integer() else days
        return {"summary": f"{int(days):02d} ngày làm việc" if days.is_integer() else f"{summary} ngày làm việc",
                "working_days": days_value}
    same_day = _SAME_DAY.search(folded)
    duration = _DURATION.search(folded)
    if same_day and (duration is None or same_day.start() < duration.start()):
        return {"summary": summary, "same_day": True}
    if duration is None and folded.startswith("theo "):
        return {"summary": summary}  # "Theo thời hạn của từng thủ tục...": defers to other rules, no count
    if duration is None:
        raise RowError(
            "time_limit",
            f"cannot read time limit '{summary}' (expected e.g. '03 ngày làm việc', '04 giờ làm việc' or 'Trong ngày')",
        )
    amount, unit = _number(duration.group(1)), duration.group(2)
    result: dict[str, Any] = {"summary": summary}
    if unit == "ngay lam viec":
        result["working_days"] = amount
    elif unit in ("gio lam viec", "gio"):
        result["working_days"] = round(amount / 8, 3)  # an 8-hour working day
    if "working_days" in result:
        days = result["working_days"]
        if days > 365:
            raise RowError("time_limit", f"time limit '{summary}' is longer than a year of working days")
        result["working_days"] = int(days) if float(days).is_integer() else days
    return result


_MONEY = re.compile(r"(\d{1,3}(?:[.,\s]\d{3})+|\d+)\s*(?:đồng|đ\b|vnđ|vnd)", re.IGNORECASE)
_MILLIONS = re.compile(r"(\d+(?:[.,]\d+)?)\s*triệu(?:\s*đồng)?", re.IGNORECASE)
# "thường 100.000 đồng", "tối đa 50.000 đồng", "50.000–75.000 đồng": not one definite amount.
_VAGUE_FEE = re.compile(r"\b(thuong|khoang|toi da|toi thieu|tu \d)")
_FEE_RANGE = re.compile(r"\d\s*(?:–|-|—|đến|tới)\s*\d", re.IGNORECASE)
_FEE_LABEL = re.compile(r"^(?:phi,? le phi|le phi|phi)\s*:?\s*")


def parse_fee(text: str) -> dict[str, Any]:
    """'Miễn lệ phí' / 'Không' -> free; one definite amount in VND -> amount; anything else -> summary only."""
    summary = one_line(text)
    if not summary:
        raise RowError("fees", "fee is empty")
    amounts = {int(re.sub(r"\D", "", m.group(1))) for m in _MONEY.finditer(summary)}
    amounts |= {round(_number(m.group(1)) * 1_000_000) for m in _MILLIONS.finditer(summary)}
    folded = _FEE_LABEL.sub("", fold(summary)).strip()
    result: dict[str, Any] = {"summary": summary}
    vague = _VAGUE_FEE.search(folded) or _FEE_RANGE.search(summary)
    if amounts == {0} or (not amounts and (folded.startswith(("mien", "khong")) or folded in ("0", "free"))):
        result["free"] = True
    elif len(amounts) == 1 and not vague:
        result["amount"] = amounts.pop()
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
        raise RowError("channels", f"cannot read how to apply from '{one_line(text)}' "
                                   "(expected Trực tiếp, Dịch vụ bưu chính, Trực tuyến toàn trình/một phần)")
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
    raise RowError("reviewed", f"cannot read date '{text}' (expected YYYY-MM-DD or DD/MM/YYYY)")


def load_fields(directory: Path) -> dict[str, str]:
    """slug -> Vietnamese name from fields.yaml (empty when missing: the final check reports it)."""
    path = directory / FIELDS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    raise RowError("field", f"unknown field '{text}' (known: {known})")


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
            raise SheetError(path, 1, f"cannot open workbook: {exc}") from exc
        sheet = workbook.active
        for cells in sheet.iter_rows():
            if cells:
                yield cells[0].row, [c.value for c in cells]
        return
    if suffix in (".csv", ".txt"):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SheetError(path, 1, "CSV file is not UTF-8 (save it as 'CSV UTF-8')") from exc
        first = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        start = 1
        for record in reader:
            yield start, list(record)
            start = reader.line_num + 1
        return
    raise SheetError(path, 1, f"unsupported file type '{path.suffix}' (use .xlsx or .csv; save .xls as .xlsx)")


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
                    raise SheetError(path, line, f"two columns map to '{key}': '{columns[key]}' and '{value}'")
                columns[key] = cell_text(value)
                keys[col] = key
            rows = []
            for row_line, row_values in records[index + 1:]:
                cells = {key: row_values[col] for col, key in enumerate(keys) if key and col < len(row_values)}
                if any(cell_text(v) for v in cells.values()):
                    rows.append(Row(row_line, cells))
            return Sheet(path, rows, columns, ignored)
    raise SheetError(path, 1, "no header row found (expected columns such as 'Mã thủ tục', 'Tên thủ tục')")


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
        if key in ("time_limit", "fees") and isinstance(current, CommentedMap) \
                and " ".join(str(current.get("summary", "")).split()) == value["summary"]:
            continue  # same text: keep working_days/amount a person may have set by hand
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
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
        "legal_basis": split_lines,
    }
    for key, raw in row.cells.items():
        if key == "reviewed":
            if cell_text(raw):
                try:
                    values[key] = parse_date(raw)
                except RowError as exc:
                    errors.append(exc)
            continue
        text = _code_text(raw) if key == "code" else cell_text(raw)
        if not text:
            continue
        try:
            values[key] = text if key == "code" else parsers[key](text)
        except RowError as exc:
            errors.append(exc)
    return values, errors


def _column(sheet: Sheet, key: str) -> str:
    return sheet.columns.get(key) or COLUMN_TITLES.get(key, key)


def _validation_messages(sheet: Sheet, exc: ValidationError) -> list[str]:
    messages = []
    for err in exc.errors():
        loc = err["loc"]
        where = ".".join(str(part) for part in loc)
        column = _column(sheet, str(loc[0])) if loc else "?"
        if err["type"] == "missing":
            messages.append(f"missing '{where}' (column '{column}' is absent or empty)")
        else:
            messages.append(f"column '{column}': {where}: {err['msg']}")
    return messages


@dataclass
class Plan:
    changes: list[Change]
    errors: list[str]  # "SHEET:LINE: reason"
    unchanged: int = 0


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

    for row in sheet.rows:
        values, row_errors = row_values(row, fields)
        for exc in row_errors:
            fail(row, f"column '{_column(sheet, exc.column)}': {exc.message}")
        if row_errors:
            continue
        code = values.get("code")
        proc_id = values.get("id")
        old_path: Path | None = None
        if proc_id:
            old_path = existing.by_id.get(proc_id)
            owner = existing.by_code.get(code) if code else None
            if owner is not None and owner != old_path:
                fail(row, f"code '{code}' already belongs to {owner.relative_to(directory)}; "
                          "use that file's id or leave the id cell empty")
                continue
        elif code and code in existing.by_code:
            old_path = existing.by_code[code]
        elif values.get("name"):
            proc_id = slugify(values["name"])
            old_path = existing.by_id.get(proc_id)
        else:
            fail(row, "the row has no id, code or name to identify the procedure")
            continue
        change = _plan_row(sheet, row, values, proc_id, old_path, directory, today, fail)
        if change is None:
            continue
        if change.proc_id in seen:
            fail(row, f"procedure '{change.proc_id}' already comes from line {seen[change.proc_id]}")
            continue
        seen[change.proc_id] = row.line
        changes.append(change)

    if not errors:
        errors.extend(_catalogue_errors(sheet, directory, [c for c in changes if c.changed]))
    plan = Plan([c for c in changes if c.changed], errors)
    plan.unchanged = len(changes) - len(plan.changes)
    return plan


def _plan_row(sheet: Sheet, row: Row, values: dict[str, Any], proc_id: str | None, old_path: Path | None,
              directory: Path, today: dt.date, fail: Callable[[Row, str], None]) -> Change | None:
    if old_path is not None:
        old_text = old_path.read_text(encoding="utf-8")
        try:
            doc = yaml_rt().load(old_text)
        except Exception as exc:  # ruamel raises several error types for broken YAML
            fail(row, f"cannot update {old_path.relative_to(directory)}: {exc}")
            return None
        if not isinstance(doc, CommentedMap):
            fail(row, f"cannot update {old_path.relative_to(directory)}: not a mapping of keys")
            return None
        values.pop("id", None)  # the file keeps its id; a matching code found it
        channels = values.get("channels")
        current = doc.get("channels")
        if (channels and channels["online"] != "none" and "online_url" not in channels
                and not (isinstance(current, dict) and current.get("online_url"))):
            channels["online_url"] = NATIONAL_PORTAL
        snapshot = plain(doc)
        original = yaml_rt().load(old_text)
        update_procedure(doc, values)
        sequence, offset = detect_indent(old_text)
        new_text = old_text
        if plain(doc) != snapshot:
            new_text = splice(old_text, original, snapshot, doc, sequence, offset)
            if yaml.safe_load(new_text) != plain(doc):  # pragma: no cover - a safety net, never seen
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
        values.setdefault("reviewed", today)
        if not values.get("field"):
            fail(row, f"missing 'field' (column '{_column(sheet, 'field')}' is needed to create '{proc_id}')")
            return None
        new_text = dump(new_map(values, PROCEDURE_ORDER))
        path = directory / values["field"] / f"{proc_id}.yaml"
    try:
        Procedure.model_validate(yaml.safe_load(new_text))
    except ValidationError as exc:
        for message in _validation_messages(sheet, exc):
            fail(row, f"{proc_id}: {message}")
        return None
    if old_path is None and path.exists():
        fail(row, f"{path.relative_to(directory)} already exists with another id")
        return None
    return Change(row, str(proc_id), path, old_path, old_text, new_text)


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
            missing = re.match(r"related id '([^']+)' does not exist", text)
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
        print(f"{directory / FIELDS_FILE}:1: catalogue has no {FIELDS_FILE}; check --dir", file=err)
        return 1
    try:
        sheet = read_sheet(file)
    except SheetError as exc:
        print(exc, file=err)
        print("Không ghi tệp nào.", file=err)
        return 1
    except OSError as exc:
        print(f"{file}:1: cannot read file: {exc.strerror}", file=err)
        return 1
    if sheet.ignored:
        print("Bỏ qua các cột không dùng: " + ", ".join(sheet.ignored), file=err)
    plan = plan_import(sheet, directory, today)
    if plan.errors:
        for message in plan.errors:
            print(message, file=err)
        print(f"Không ghi tệp nào vì có {len(plan.errors)} lỗi; hãy sửa bảng tính rồi chạy lại.", file=err)
        return 1
    if dry_run:
        for change in plan.changes:
            out.write(diff(change, directory))
        print(f"Chạy thử: {_summary(plan)}; chưa ghi tệp nào.", file=err)
        return 0
    write_changes(plan.changes)
    for change in plan.changes:
        verb = "Tạo mới" if change.old_path is None else ("Chuyển" if change.old_path != change.path else "Cập nhật")
        print(f"{verb}: {change.path.relative_to(directory)} (dòng {change.row.line})", file=out)
    print(f"Xong: {_summary(plan)}. Nên chạy thêm: python -m assistant catalog check", file=err)
    return 0


def _summary(plan: Plan) -> str:
    created = sum(1 for c in plan.changes if c.old_path is None)
    return f"{created} tệp mới, {len(plan.changes) - created} tệp cập nhật, {plan.unchanged} thủ tục không đổi"
