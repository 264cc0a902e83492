"""Reading an export file (CSV in any of the encodings one-stop systems produce, or XLSX) into
header positions and raw rows with their line numbers.

The header row is searched in the first HEADER_SEARCH_ROWS rows (real exports start with a title
and a date line), as the catalogue import does; a missing column is named as staff see it. Every
message is in Vietnamese: staff read them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.dossiers.import_model import _DATE_FIELDS, HEADERS, DossierImportError
from assistant.text.normalize import fold

HEADER_SEARCH_ROWS = 20  # real exports start with a title and a date line; the catalogue import looks as far
REQUIRED_FIELDS = ("code", "procedure", "received_at", "status")
# How staff see the required columns in their exports (for "missing column" messages).
FIELD_HEADERS = {"code": "Mã hồ sơ", "procedure": "Mã thủ tục (hoặc Tên thủ tục)",
                 "received_at": "Ngày tiếp nhận", "status": "Trạng thái"}
SAVE_AS_UTF8 = "hãy lưu lại tệp xuất dưới dạng “CSV UTF-8”"


def _header_field(name: object) -> str | None:
    text = fold(str(name or ""))
    text = re.sub(r"\(.*?\)|\*", " ", text)  # "Mã hồ sơ (*)", "Ngày hẹn trả (dd/mm/yyyy)"
    return HEADERS.get(" ".join(re.sub(r"[^0-9a-z]+", " ", text).split()))


def _header_mapping(header: Sequence[object]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_field(name)
        if key and key not in mapping:
            mapping[key] = index
    return mapping


def _missing(mapping: dict[str, int]) -> list[str]:
    have = set(mapping) | ({"procedure"} if "procedure_name" in mapping else set())
    return [f for f in REQUIRED_FIELDS if f not in have]


def _find_header(rows: Iterator[tuple[int, Sequence[object]]],
                 path: Path) -> tuple[int, Sequence[object], dict[str, int]]:
    """The header row among the first HEADER_SEARCH_ROWS rows, as the catalogue import finds it:
    the first row naming every required column. Otherwise the error names the columns still
    missing from the row that came closest, by the headers staff see."""
    best: tuple[int, int, list[str]] | None = None  # (recognised columns, line, missing)
    for line, values in rows:
        mapping = _header_mapping(values)
        missing = _missing(mapping)
        if not missing:
            return line, values, mapping
        if mapping and (best is None or len(mapping) > best[0]):
            best = (len(mapping), line, missing)
        if line >= HEADER_SEARCH_ROWS:
            break
    line, missing = (best[1], best[2]) if best else (1, list(REQUIRED_FIELDS))
    names = ", ".join(f"“{FIELD_HEADERS[f]}”" for f in missing)
    raise DossierImportError([f"{path}:{line}: thiếu cột {names} (tìm dòng tiêu đề trong {HEADER_SEARCH_ROWS} "
                              "dòng đầu; các tên cột được chấp nhận: xem docs/dossiers.md)"])


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            newline = "\n".encode("utf-16-be" if raw.startswith(b"\xfe\xff") else "utf-16-le")
            line = raw[: exc.start].count(newline) + 1
            raise DossierImportError([f"{path}:{line}: văn bản UTF-16 bị hỏng; {SAVE_AS_UTF8}"]) from exc
    else:
        try:
            text = unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise DossierImportError([f"{path}:{line}: tệp không phải văn bản UTF-8; {SAVE_AS_UTF8}"]) from exc
    if "\x00" in text:  # PostgreSQL cannot store it, and no spreadsheet writes it into a CSV
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DossierImportError([f"{path}:{line}: tệp có ký tự NUL; có đúng là tệp CSV xuất từ hệ thống "
                                  f"không? Nếu đúng, {SAVE_AS_UTF8}"])
    return text


def read_table(path: Path) -> tuple[dict[str, int], Iterator[tuple[int, list[Any]]]]:
    """The header mapping ({field: column index}) and (line number, cells) for each data row.

    Every row comes back as a list padded to the header's width plus one trailing empty cell,
    so a column the file lacks (index -1) reads as "". Text cells are str; date cells may also
    be spreadsheet dates or Excel serial numbers."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise DossierImportError([f"{path}:1: không đọc được tệp XLSX ({exc.__class__.__name__})"]) from exc
        try:
            rows = book.active.iter_rows(values_only=True)
            header_line, header, mapping = _find_header(
                ((n, values or ()) for n, values in enumerate(rows, start=1)), path)
        except DossierImportError:
            book.close()
            raise
        except Exception as exc:  # no worksheet, or a damaged one
            book.close()
            raise DossierImportError([f"{path}:1: không đọc được tệp XLSX ({exc.__class__.__name__})"]) from exc
        width = len(header)
        date_columns = {mapping[f] for f in _DATE_FIELDS if f in mapping}

        def xlsx_rows() -> Iterator[tuple[int, list[Any]]]:
            number = 1
            try:
                # Rows are parsed lazily, so a damaged sheet fails here rather than at open.
                for number, values in enumerate(rows, start=header_line + 1):
                    if not values or all(v is None or v == "" for v in values):
                        continue
                    cells = [_xlsx_cell(v, i in date_columns) for i, v in enumerate(values)]
                    cells.extend([""] * (width - len(cells) + 1))
                    yield number, cells
            except Exception as exc:
                raise DossierImportError([f"{path}:{number + 1}: không đọc được dòng XLSX "
                                          f"({exc.__class__.__name__})"]) from exc
            finally:
                book.close()

        return mapping, xlsx_rows()
    text = _decode(path.read_bytes(), path)
    head = text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS]
    delimiter = max(",;\t", key=lambda d: sum(line.count(d) for line in head))
    # strict: a quote still open at the end of the file is an error, not one giant last cell.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)

    def leading_rows() -> Iterator[tuple[int, list[str]]]:
        for values in reader:
            yield reader.line_num, values

    try:
        _, header, mapping = _find_header(leading_rows(), path)
    except csv.Error as exc:
        raise DossierImportError([f"{path}:{reader.line_num or 1}: không đọc được dòng tiêu đề CSV "
                                  f"({_csv_reason(exc)})"]) from exc
    width = len(header)
    physical_lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)

    def csv_rows() -> Iterator[tuple[int, list[Any]]]:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # e.g. an unclosed quote swallowing the rest of the file
                raise DossierImportError([f"{path}:{start}: không đọc được dòng CSV ({_csv_reason(exc)})"]) from exc
            if not any(values) or (not values[0].strip() and not "".join(values).strip()):
                continue  # blank lines and the empty rows spreadsheets leave at the end
            _check_record(path, start, reader.line_num, values, width, delimiter)
            values.append("")
            yield start, values
        if reader.line_num != physical_lines:  # records must account for every line of the file
            raise DossierImportError([f"{path}:{reader.line_num}: tệp có {physical_lines} dòng nhưng các bản ghi "
                                      f"kết thúc ở dòng {reader.line_num}; kiểm tra các dấu ngoặc kép"])

    return mapping, csv_rows()


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return "dấu ngoặc kép (\") mở ở đây không bao giờ được đóng, nên cả phần còn lại của tệp sẽ thành một ô"
    return text


def _check_record(path: Path, start: int, end: int, values: list[str], width: int, delimiter: str) -> None:
    """Refuse a record whose shape shows that quoting went wrong: a cell count that differs
    from the header's, or a quoted cell whose line breaks hide what look like whole rows (a
    stray quote that closes many lines later swallows the rows in between)."""
    extra = values[width:]
    if len(values) < width or any(cell.strip() for cell in extra):
        raise DossierImportError([f"{path}:{start}: dòng có {len(values)} ô nhưng dòng tiêu đề có {width} cột; "
                                  "kiểm tra dấu phân cách và dấu ngoặc kép trên dòng này"])
    del values[width:]
    if end == start:
        return
    inner_lines = sum(cell.count("\n") for cell in values)
    if inner_lines != end - start:
        raise DossierImportError([f"{path}:{start}: bản ghi này kéo dài từ dòng {start} đến {end} nhưng các ô "
                                  f"chỉ có {inner_lines} lần xuống dòng; kiểm tra các dấu ngoặc kép"])
    for cell in values:
        if "\n" in cell and any(line.count(delimiter) >= max(width - 1, 1) for line in cell.split("\n")):
            raise DossierImportError([f"{path}:{start}: một ô trong ngoặc kép kéo dài từ dòng {start} đến {end}, "
                                      "gồm những dòng trông như các hàng riêng; kiểm tra dấu ngoặc kép (\") "
                                      "chưa được đóng"])


def _xlsx_cell(value: object, is_date: bool) -> object:
    """A spreadsheet cell as the parser expects: text as str, dates as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date | dt.time):
        return value if is_date else str(value)
    if isinstance(value, float):
        if is_date:
            return value
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value if is_date else str(value)
    return str(value)


def estimate_rows(path: Path) -> int | None:
    """Data rows in the file, for a progress bar (cheap; quoted line breaks may overcount)."""
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            try:
                return max(0, (book.active.max_row or 1) - 1)
            finally:
                book.close()
        data = path.read_bytes()
        return max(0, data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1))
    except Exception:  # a broken file (BadZipFile, ...) is reported by the import itself as FILE:1
        return None
