"""Reading a national-database spreadsheet (.xlsx or .csv): header aliases, rows, multi-line cells.

One job: find our columns among the export's Vietnamese headers and hand over rows of cell
values with their spreadsheet line numbers, so every problem can be reported as
`SPREADSHEET:LINE: reason`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant.staff.cells import cell_text
from assistant.text.normalize import fold

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
