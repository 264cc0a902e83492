"""Import dossier exports (CSV or XLSX) from one-stop systems.

Staff export the dossier list from the province's one-stop system (Hệ thống thông tin giải
quyết TTHC) and import it here. Headers are matched loosely (Vietnamese with or without
diacritics, or English; see HEADERS and docs/dossiers.md); columns holding names, addresses or
ID numbers are ignored, never stored.

All-or-nothing per file: every row is parsed and checked first; any bad row is reported as
`FILE:LINE: reason` and nothing is written. Re-importing an updated export is idempotent: rows
that did not change are not touched, a status event is recorded only when a status changed,
and each status change queues exactly one notification per subscriber in the outbox, in the
same transaction as the change (so a notification is never lost nor sent for a change that
was rolled back). PostgreSQL writes the file in one transaction; SQLite, which has one writer
at a time, writes it in short slices so that citizens' writes are not held up for seconds
(see `_apply_in_slices`).

Speed matters (an export can hold a year of a province's dossiers): parsing uses caches for
the few distinct values a column holds, and writing uses DB-API executemany with values
pre-converted to what the driver stores, not ORM objects.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import datetime as dt
import io
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: imports are not serialised across processes
    fcntl = None  # type: ignore[assignment]

from assistant.dossiers.codes import _CANONICAL as _CANONICAL_CODE
from assistant.dossiers.codes import find_dossier_code
from assistant.dossiers.notes import citizen_note
from assistant.dossiers.statuses import (
    LABELS,
    RESOLVED,
    RESOLVED_UNSPECIFIED,
    DossierStatus,
    classify_resolution,
    parse_export_status,
)
from assistant.store.db import retry_locked, write_transaction
from assistant.store.repos import contact_hash, utcnow
from assistant.text.normalize import fold
from assistant.workdays import VN_TZ

# Column header (folded, punctuation removed) -> our field.
HEADERS: dict[str, str] = {}
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("ma ho so", "so ho so", "ma so ho so", "so bien nhan", "ma bien nhan", "code", "dossier code",
             "dossier"),
    "procedure": ("ma thu tuc", "ma tthc", "ma thu tuc hanh chinh", "procedure id", "procedure code", "procedure"),
    "procedure_name": ("thu tuc", "ten thu tuc", "ten thu tuc hanh chinh", "thu tuc hanh chinh", "procedure name"),
    "received_at": ("ngay tiep nhan", "ngay nhan", "thoi gian tiep nhan", "ngay gio tiep nhan", "ngay nop",
                    "received at", "received", "received date"),
    "due_date": ("ngay hen tra", "ngay hen tra ket qua", "han xu ly", "han giai quyet", "ngay hen", "due date", "due"),
    "new_due_date": ("ngay hen tra moi", "ngay hen lai", "hen lai", "ngay hen tra lai", "new due date"),
    "status": ("trang thai", "tinh trang", "trang thai ho so", "trang thai xu ly", "status"),
    "channel": ("hinh thuc nop", "kenh nop", "hinh thuc tiep nhan", "kenh tiep nhan", "channel",
                "submission channel"),
    "resolved_at": ("ngay co ket qua", "ngay giai quyet", "ngay hoan thanh", "ngay xu ly xong", "resolved at",
                    "resolved"),
    "returned_at": ("ngay tra ket qua", "ngay tra", "returned at", "returned"),
    "result_delivery": ("hinh thuc nhan ket qua", "nhan ket qua", "hinh thuc tra ket qua", "result delivery",
                        "delivery"),
    "note": ("ghi chu", "noi dung", "noi dung yeu cau bo sung", "ly do", "note", "notes"),
    "locality": ("dia ban", "don vi", "don vi tiep nhan", "locality"),
    "contact": ("so dien thoai", "dien thoai", "sdt", "lien he", "email", "contact", "phone"),
}
for _field, _words in _HEADER_WORDS.items():
    for _word in _words:
        HEADERS[_word] = _field

CHANNELS: dict[str, str] = {}
for _value, _words in {
    "in_person": ("truc tiep", "nop truc tiep", "tai quay", "tai bo phan mot cua", "in person", "in_person", "counter"),
    "postal": ("buu chinh", "buu chinh cong ich", "qua buu chinh", "qua buu dien", "buu dien", "postal", "post"),
    "online_full": ("truc tuyen toan trinh", "toan trinh", "dvc toan trinh", "truc tuyen", "online",
                    "online full", "online_full"),
    "online_partial": ("truc tuyen mot phan", "mot phan", "dvc mot phan", "online partial", "online_partial"),
}.items():
    for _word in _words:
        CHANNELS[_word] = _value

DELIVERY: dict[str, str] = {"": "counter"}
for _value, _words in {
    "counter": ("truc tiep", "nhan truc tiep", "tai quay", "tai bo phan mot cua", "counter", "in person"),
    "post": ("buu dien", "buu chinh", "qua buu dien", "qua buu chinh", "buu chinh cong ich", "post", "postal"),
    "online": ("truc tuyen", "ban dien tu", "ket qua dien tu", "qua vneid", "online", "electronic"),
}.items():
    for _word in _words:
        DELIVERY[_word] = _value

# Dossier columns written by an import, in this order (code is the key, updated_at is stamped).
COLUMNS = ("procedure_id", "locality", "received_at", "channel", "due_date", "new_due_date", "status", "note",
           "resolved_at", "returned_at", "result_delivery", "contact_hash")
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_DUE, _NEW_DUE, _STATUS, _NOTE = _INDEX["due_date"], _INDEX["new_due_date"], _INDEX["status"], _INDEX["note"]
# File fields that feed each column: a column whose fields are absent keeps its stored value.
_SOURCES = {"procedure_id": ("procedure", "procedure_name"), "received_at": ("received_at",),
            "locality": ("locality",), "channel": ("channel",), "due_date": ("due_date",),
            "new_due_date": ("new_due_date",), "status": ("status",), "note": ("note",),
            "resolved_at": ("resolved_at",), "returned_at": ("returned_at",),
            "result_delivery": ("result_delivery",), "contact_hash": ("contact",)}
CHUNK = 500  # codes per IN (...) query: under every driver's parameter limit
_PG_IMPORT_LOCK = 7_300_522
PROCEDURE_ID_MAX = 80  # dossiers.procedure_id
_DATE_FIELDS = ("received_at", "due_date", "new_due_date", "resolved_at", "returned_at")


class DossierImportError(Exception):
    """The file was refused; `problems` lists every `FILE:LINE: reason`."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


ImportError_ = DossierImportError  # the name earlier callers use


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0  # rows whose stored data changed
    unchanged: int = 0
    status_changes: int = 0
    notifications: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        head = "Dry run (nothing written): " if self.dry_run else ""
        return (f"{head}{self.rows} rows: {self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.status_changes} status changes, {self.notifications} notifications queued")


# One valid export row: (line, code, values in COLUMNS order as Python objects, None = not given).
ParsedRow = tuple[int, str, tuple]


@dataclass
class ParsedFile:
    path: Path
    fields: frozenset[str]  # which of our fields the file has
    rows: list[ParsedRow] = field(default_factory=list)


# -- procedures ----------------------------------------------------------------------------------


def _key(text: object) -> str:
    return " ".join(re.sub(r"[^0-9a-z.]+", " ", fold(str(text))).split())


class ProcedureIndex:
    """What exports put in the procedure column, resolved to our procedure ids: our id, the
    national procedure code (mã TTHC, e.g. 1.004873, also as Excel turned it into a number) or
    the procedure's name / short name, compared without diacritics or case."""

    def __init__(self, entries: Iterable[tuple[str, str | None, Sequence[str]]] = ()) -> None:
        self._keys: dict[str, str] = {}
        self._ids: set[str] = set()
        for procedure_id, national_code, names in entries:
            self.add(procedure_id, national_code, names)

    def add(self, procedure_id: str, national_code: str | None = None, names: Sequence[str] = ()) -> None:
        self._ids.add(procedure_id)
        self._keys.setdefault(_key(procedure_id), procedure_id)
        if national_code:
            code = national_code.strip()
            self._keys.setdefault(_key(code), procedure_id)
            if "." in code:
                self._keys.setdefault(_key(code.rstrip("0").rstrip(".")), procedure_id)
        for name in names:
            if name:
                self._keys.setdefault(_key(name), procedure_id)

    @classmethod
    def from_catalog(cls, catalog) -> ProcedureIndex:
        return cls((p.id, p.code, [p.name, p.short_name or "", *p.aliases]) for p in catalog.procedures.values())

    @classmethod
    def of_ids(cls, ids: Iterable[str]) -> ProcedureIndex:
        return cls((i, None, ()) for i in ids)

    def resolve(self, raw: str) -> str | None:
        if raw in self._ids:
            return raw
        return self._keys.get(_key(raw))


# -- reading -------------------------------------------------------------------------------------


def _header_field(name: object) -> str | None:
    text = fold(str(name or ""))
    text = re.sub(r"\(.*?\)|\*", " ", text)  # "Mã hồ sơ (*)", "Ngày hẹn trả (dd/mm/yyyy)"
    return HEADERS.get(" ".join(re.sub(r"[^0-9a-z]+", " ", text).split()))


HEADER_SEARCH_ROWS = 20  # real exports start with a title and a date line; the catalogue import looks as far
REQUIRED_FIELDS = ("code", "procedure", "received_at", "status")
# How staff see the required columns in their exports (for "missing column" messages).
FIELD_HEADERS = {"code": "Mã hồ sơ", "procedure": "Mã thủ tục (hoặc Tên thủ tục)",
                 "received_at": "Ngày tiếp nhận", "status": "Trạng thái"}


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


def _find_header(rows: Iterator[tuple[int, Sequence[object]]], path: Path) -> tuple[int, Sequence[object], dict[str, int]]:
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
            raise DossierImportError([f"{path}:{line}: broken UTF-16 text; save the export as \"CSV UTF-8\""]) from exc
    else:
        try:
            text = unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise DossierImportError([f"{path}:{line}: not UTF-8 text; save the export as \"CSV UTF-8\""]) from exc
    if "\x00" in text:  # PostgreSQL cannot store it, and no spreadsheet writes it into a CSV
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DossierImportError([f"{path}:{line}: NUL character in the file; is it really a CSV export? "
                                  "Save it again as \"CSV UTF-8\""])
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
            raise DossierImportError([f"{path}:1: not a readable XLSX file ({exc.__class__.__name__})"]) from exc
        try:
            rows = book.active.iter_rows(values_only=True)
            header_line, header, mapping = _find_header(
                ((n, values or ()) for n, values in enumerate(rows, start=1)), path)
        except DossierImportError:
            book.close()
            raise
        except Exception as exc:  # no worksheet, or a damaged one
            book.close()
            raise DossierImportError([f"{path}:1: not a readable XLSX file ({exc.__class__.__name__})"]) from exc
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
                raise DossierImportError([f"{path}:{number + 1}: unreadable XLSX row "
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
        raise DossierImportError([f"{path}:{reader.line_num or 1}: unreadable CSV header ({exc})"]) from exc
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
                raise DossierImportError([f"{path}:{start}: unreadable CSV row ({_csv_reason(exc)})"]) from exc
            if not any(values) or (not values[0].strip() and not "".join(values).strip()):
                continue  # blank lines and the empty rows spreadsheets leave at the end
            _check_record(path, start, reader.line_num, values, width, delimiter)
            values.append("")
            yield start, values
        if reader.line_num != physical_lines:  # records must account for every line of the file
            raise DossierImportError([f"{path}:{reader.line_num}: the file has {physical_lines} lines but its "
                                      f"records end at line {reader.line_num}; check the quotes"])

    return mapping, csv_rows()


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return "a quote (\") opened here is never closed, so the rest of the file would become one cell"
    return text


def _check_record(path: Path, start: int, end: int, values: list[str], width: int, delimiter: str) -> None:
    """Refuse a record whose shape shows that quoting went wrong: a cell count that differs
    from the header's, or a quoted cell whose line breaks hide what look like whole rows (a
    stray quote that closes many lines later swallows the rows in between)."""
    extra = values[width:]
    if len(values) < width or any(cell.strip() for cell in extra):
        raise DossierImportError([f"{path}:{start}: {len(values)} cells but the header has {width}; "
                                  "check the delimiters and quotes on this line"])
    del values[width:]
    if end == start:
        return
    inner_lines = sum(cell.count("\n") for cell in values)
    if inner_lines != end - start:
        raise DossierImportError([f"{path}:{start}: this record spans lines {start}–{end} but its cells hold "
                                  f"{inner_lines} line breaks; check the quotes"])
    for cell in values:
        if "\n" in cell and any(line.count(delimiter) >= max(width - 1, 1) for line in cell.split("\n")):
            raise DossierImportError([f"{path}:{start}: a quoted cell spans lines {start}–{end} that look like "
                                      "rows of their own; check for a quote (\") that is not closed"])


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


# -- parsing -------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_HMDMY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?[ ,]+(\d{1,2})/(\d{1,2})/(\d{4})$")  # "08:30 16/11/2026"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2200


def parse_datetime(value: object) -> dt.datetime | None:
    """dd/mm/yyyy[ HH:MM[:SS]], yyyy-mm-dd[ HH:MM[:SS]], HH:MM dd/mm/yyyy, a spreadsheet date
    or an Excel serial number. None for an empty cell; ValueError for anything else, including
    a year outside MIN_YEAR..MAX_YEAR (a typo such as 31/12/9999 would otherwise overflow the
    working-day arithmetic)."""
    result = _parse_datetime(value)
    if result is not None and not MIN_YEAR <= result.year <= MAX_YEAR:
        raise ValueError(f"implausible date {_cell_text(value)!r} (year outside {MIN_YEAR}–{MAX_YEAR})")
    return result


def _parse_datetime(value: object) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(VN_TZ).replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 < value < 80_000:  # Excel serial day number (1954–2119)
            return _EXCEL_EPOCH + dt.timedelta(days=float(value))
        raise ValueError(f"unreadable date {value!r}")
    text = str(value).strip()
    if not text:
        return None
    match = _DMY.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
    elif match := _YMD.match(text):
        year, month, day, hour, minute, second = match.groups()
    elif match := _HMDMY.match(text):
        hour, minute, second, day, month, year = match.groups()
    else:
        raise ValueError(f"không đọc được ngày {text!r} (viết theo dd/mm/yyyy hoặc yyyy-mm-dd)")
    return _existing_datetime(text, int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                              int(second or 0))


def _existing_datetime(text: str, year: int, month: int, day: int, hour: int, minute: int,
                       second: int) -> dt.datetime:
    """The date, or a message saying what is wrong with it: "31/11/2026" is a day that does not
    exist (November has 30), not a format problem."""
    if not 1 <= year <= 9999:
        raise ValueError(f"ngày {text!r} không hợp lệ: năm {year}")
    if not 1 <= month <= 12:
        raise ValueError(f"ngày {text!r} không hợp lệ: không có tháng {month}")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"ngày không tồn tại: {text!r} (tháng {month}/{year} có "
                         f"{calendar.monthrange(year, month)[1]} ngày)")
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise ValueError(f"giờ không hợp lệ trong {text!r}") from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.strip() if isinstance(value, str) else str(value).strip()


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z_]+", " ", fold(text)).split())


DueFor = Callable[[str, dt.datetime], dt.date | None]


def parse_file(path: Path | str, procedures: ProcedureIndex | None = None, due_for: DueFor | None = None,
               progress: Callable[[int], None] | None = None) -> tuple[ParsedFile, list[tuple[int, str]]]:
    """Every row of the file checked; returns the parsed rows and the problems, (line, reason)."""
    path = Path(path)
    mapping, rows = read_table(path)
    parsed = ParsedFile(path, frozenset(mapping))
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    get = {name: mapping.get(name, -1) for name in _HEADER_WORDS}
    i_code, i_proc, i_pname, i_recv, i_due = (get["code"], get["procedure"], get["procedure_name"],
                                              get["received_at"], get["due_date"])
    i_new, i_status, i_channel, i_res, i_ret = (get["new_due_date"], get["status"], get["channel"],
                                                get["resolved_at"], get["returned_at"])
    i_deliv, i_note, i_loc, i_contact = get["result_delivery"], get["note"], get["locality"], get["contact"]

    # The few distinct values of a column are parsed once; the loop reads cells directly (a
    # missing column has index -1, the empty cell every row ends with).
    dates: dict[object, dt.datetime | ValueError | None] = {}
    procs: dict[tuple[object, object], str | None] = {}
    statuses: dict[object, str | None] = {}
    channels: dict[object, str | None] = {"": "in_person"}
    deliveries: dict[object, str | None] = {"": "counter"}

    unseen = object()

    def date_of(value: object) -> dt.datetime | None:
        if value == "":
            return None
        result = dates.get(value, unseen)
        if result is unseen:
            try:
                result = parse_datetime(value)
            except ValueError as exc:
                result = exc
            dates[value] = result
        if result.__class__ is ValueError:
            raise result
        return result

    def text_of(value: object) -> str:
        text = value.strip() if isinstance(value, str) else str(value).strip()
        if "\x00" in text:  # only a damaged spreadsheet has one; PostgreSQL cannot store it
            raise ValueError("NUL character in a cell")
        return text

    rows_out = parsed.rows
    canonical = _CANONICAL_CODE.fullmatch
    count = 0
    for line, values in rows:
        count += 1
        if progress and count % 5000 == 0:
            progress(5000)
        try:
            raw_code = values[i_code]
            if canonical(raw_code):  # exports hold canonical codes: skip the tolerant search
                code = raw_code
            elif not (code := find_dossier_code(text_of(raw_code))):
                raise ValueError(f"invalid dossier code {text_of(raw_code)!r}")

            pkey = (values[i_proc], values[i_pname])
            procedure_id = procs.get(pkey, "")
            if procedure_id == "":
                texts = [t for t in map(text_of, pkey) if t]
                if not texts:
                    raise ValueError("missing procedure")
                if procedures is None:
                    procedure_id = texts[0]
                    if len(procedure_id) > PROCEDURE_ID_MAX:
                        raise ValueError(f"procedure id longer than {PROCEDURE_ID_MAX} characters")
                else:
                    procedure_id = next((pid for t in texts if (pid := procedures.resolve(t))), None)
                procs[pkey] = procedure_id
            if procedure_id is None:
                raise ValueError(f"unknown procedure {next(t for t in map(text_of, pkey) if t)!r}")

            received = date_of(values[i_recv])
            if received is None:
                raise ValueError("missing received date (ngày tiếp nhận)")

            raw_status = values[i_status]
            status = statuses.get(raw_status, "")
            if status == "":
                status = statuses[raw_status] = parse_export_status(text_of(raw_status))
            if status is None:
                text = text_of(raw_status)
                raise ValueError(f"unknown status {text!r}" if text else "missing status")

            due_at = date_of(values[i_due])
            due = due_at.date() if due_at is not None else None
            if due is not None and due < received.date():
                raise ValueError(f"due date {due:%d/%m/%Y} is before the received date {received:%d/%m/%Y}")
            new_due_at = date_of(values[i_new])
            resolved = date_of(values[i_res])
            returned = date_of(values[i_ret])

            raw_channel = values[i_channel]
            channel = channels.get(raw_channel, "")
            if channel == "":
                text = text_of(raw_channel)
                channel = channels[raw_channel] = CHANNELS.get(_folded(text)) if text else "in_person"
            if channel is None:
                raise ValueError(f"unknown submission channel {text_of(raw_channel)!r}")
            raw_delivery = values[i_deliv]
            delivery = deliveries.get(raw_delivery, "")
            if delivery == "":
                delivery = deliveries[raw_delivery] = DELIVERY.get(_folded(text_of(raw_delivery)))
            if delivery is None:
                raise ValueError(f"unknown result delivery {text_of(raw_delivery)!r}")

            if due is None and due_for is not None:
                due = due_for(procedure_id, received)
            note = values[i_note]
            note = (citizen_note(text_of(note))[:500] or None) if note != "" else None
            locality = values[i_loc]
            locality = (text_of(locality)[:60] or None) if locality != "" else None
            contact = values[i_contact]
            contact = contact_hash(text_of(contact)) if contact != "" else None
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        first = seen.setdefault(code, line)
        if first != line:
            problems.append((line, f"dossier {code} appears twice (first at line {first})"))
            continue
        rows_out.append((line, code, (
            procedure_id, locality, received, channel if i_channel >= 0 else None, due,
            new_due_at.date() if new_due_at is not None else None, status, note, resolved, returned,
            delivery if i_deliv >= 0 else None, contact)))
    if progress:
        progress(count % 5000)
    return parsed, problems


# -- writing -------------------------------------------------------------------------------------


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def notification_text(code: str, status: DossierStatus, note: str | None, procedure_name: str | None,
                      due: dt.date | None = None, new_due: dt.date | None = None) -> str:
    """The message a subscriber receives when an import records a new status."""
    head = f"🔔 Hồ sơ {code}" + (f" ({procedure_name})" if procedure_name else "") + " có cập nhật."
    lines = [head, f"Tình trạng mới: {LABELS[status]}."]
    # Only the supplement request is written for the citizen; other notes are for colleagues.
    note = citizen_note(note) if status == DossierStatus.supplement_requested else None
    if status == DossierStatus.supplement_requested:
        lines.append("Vui lòng bổ sung giấy tờ" + (f": {note.rstrip('.')}" if note else " theo yêu cầu") + ".")
    elif status in RESOLVED:
        if status == DossierStatus.resolved_late:
            lines.append("Chúng tôi thành thật xin lỗi vì kết quả có trễ so với ngày hẹn.")
        lines.append("Kết quả đã có. Gửi mã hồ sơ cho mình để xem nơi và cách nhận kết quả.")
    elif status == DossierStatus.returned:
        lines.append("Kết quả đã được trả. Cảm ơn bạn đã sử dụng dịch vụ.")
    elif status in (DossierStatus.received, DossierStatus.in_progress):
        if new_due:
            lines.append(f"Ngày hẹn trả mới: {new_due:%d/%m/%Y}.")
        elif due:
            lines.append(f"Ngày hẹn trả: {due:%d/%m/%Y}.")
    elif note:
        lines.append(f"Lý do: {note.rstrip('.')}.")
    return "\n".join(lines)


def _vn_now() -> dt.datetime:
    return dt.datetime.now(VN_TZ).replace(tzinfo=None)


def import_dossiers(engine: Engine, path: Path | str, *, dry_run: bool = False,
                    known_procedures: Iterable[str] | None = None, procedures: ProcedureIndex | None = None,
                    due_for: DueFor | None = None, procedure_name: Callable[[str], str | None] | None = None,
                    progress: Callable[[str, int], None] | None = None,
                    now: dt.datetime | None = None) -> ImportReport:
    """Check the whole file, then write it in one transaction.

    `procedures` (or just `known_procedures` ids) restricts and resolves the procedure column;
    `due_for(procedure_id, received)` computes a missing appointment date; `procedure_name`
    names procedures in notifications; `progress(phase, rows)` reports "check" and "write"
    progress; `now` (Vietnam local time) stamps the change. Raises DossierImportError listing
    every bad row; nothing is written then, nor on a dry run."""
    if procedures is None and known_procedures is not None:
        procedures = ProcedureIndex.of_ids(known_procedures)
    parsed, problems = parse_file(path, procedures, due_for,
                                  (lambda n: progress("check", n)) if progress else None)
    undated = [(line, code) for line, code, values in parsed.rows if values[_DUE] is None]
    if undated:  # fine for a dossier already stored (it keeps its date), not for a new one
        known = _existing_codes(engine, [code for _, code in undated])
        problems += [(line, "missing due date (ngày hẹn trả) and no time limit to compute it")
                     for line, code in undated if code not in known]
    if problems:
        raise DossierImportError([f"{parsed.path}:{line}: {reason}" for line, reason in sorted(problems)])

    now = now or _vn_now()
    report = ImportReport(rows=len(parsed.rows), dry_run=dry_run)
    if dry_run:
        with engine.connect() as conn:
            _apply(conn, parsed, report, now, procedure_name, None, write=False)
        return report
    if engine.dialect.name != "sqlite":
        with write_transaction(engine) as conn:
            _apply(conn, parsed, report, now, procedure_name, progress, write=True)
        return report
    with sqlite_import_lock(engine):
        _apply_in_slices(engine, parsed, report, now, procedure_name, progress)
    return report


SQLITE_SLICE = 2000  # rows per write transaction on SQLite: tens of milliseconds of write lock
SQLITE_PAUSE = 0.02  # seconds between slices, for the web path's writes waiting on the lock


@contextlib.contextmanager
def sqlite_import_lock(engine: Engine) -> Iterator[None]:
    """One import at a time per SQLite database, across processes: a second `dossier import`
    waits here (as it does on PostgreSQL's advisory lock) instead of failing on the busy timeout."""
    database = engine.url.database
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    with open(f"{database}.import-lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # queues behind a running import
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _apply_in_slices(engine: Engine, parsed: ParsedFile, report: ImportReport, now: dt.datetime,
                     procedure_name: Callable[[str], str | None] | None,
                     progress: Callable[[str, int], None] | None) -> None:
    """SQLite has one writer at a time: one transaction for a 500,000-row file held the lock for
    seconds and citizens' writes failed behind it. The file was checked as a whole already;
    it is written in slices of SQLITE_SLICE rows, each a short transaction carrying its own
    status events and notifications (so each slice is consistent), with a pause between
    slices for other writers. Imports are serialised by `sqlite_import_lock`, and re-importing
    the same file is idempotent, so an import interrupted between slices is completed by
    running it again."""
    rows = parsed.rows
    for start in range(0, len(rows), SQLITE_SLICE):
        piece = ParsedFile(parsed.path, parsed.fields, rows[start:start + SQLITE_SLICE])
        part = ImportReport(rows=len(piece.rows))

        def write(piece: ParsedFile = piece, part: ImportReport = part) -> None:
            with write_transaction(engine) as conn:
                _apply(conn, piece, part, now, procedure_name, progress, write=True)

        retry_locked(write)
        report.created += part.created
        report.updated += part.updated
        report.unchanged += part.unchanged
        report.status_changes += part.status_changes
        report.notifications += part.notifications
        if start + SQLITE_SLICE < len(rows):
            time.sleep(SQLITE_PAUSE)


def _as_date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    return dt.date.fromisoformat(str(value)[:10])  # SQLite's stored text


def _resolve_status(values: tuple, stored: tuple | None) -> tuple:
    """Turn an export's plain "đã giải quyết" into early / on time / late, from the resolution
    date and the appointment date (the stored one when the file has none). Without a resolution
    date an already resolved dossier keeps its stored verdict."""
    status = values[_INDEX["status"]]
    if status != RESOLVED_UNSPECIFIED:
        return values
    resolved = values[_INDEX["resolved_at"]]
    if stored is not None and resolved is None and stored[_INDEX["status"]] in {s.value for s in RESOLVED}:
        status = stored[_INDEX["status"]]
    else:
        due = values[_INDEX["due_date"]] or (_as_date(stored[_INDEX["due_date"]]) if stored else None)
        status = classify_resolution(resolved.date() if resolved else None,
                                     due or values[_INDEX["received_at"]].date()).value
    return (*values[:_INDEX["status"]], status, *values[_INDEX["status"] + 1:])


def _select_in(conn, sql: str, column: str, values: Sequence[str]) -> Iterator[tuple]:
    """Rows of `sql` (which ends in WHERE) for `column` in `values`, in chunks. PostgreSQL gets
    one array parameter: a long IN list of parameters gets a generic plan that may scan."""
    if conn.dialect.name == "postgresql":
        for chunk in _chunks(values, 10_000):
            yield from conn.exec_driver_sql(f"{sql} {column} = ANY(%s)", (list(chunk),))
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for chunk in _chunks(values, CHUNK):
        yield from conn.exec_driver_sql(f"{sql} {column} IN ({', '.join([mark] * len(chunk))})", tuple(chunk))


def _existing_codes(engine: Engine, codes: Sequence[str]) -> set[str]:
    with engine.connect() as conn:
        return {code for (code,) in _select_in(conn, "SELECT code FROM dossiers WHERE", "code", codes)}


def _converter(sqlite: bool) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(datetime, date) converters to what the driver stores. SQLite keeps text in SQLAlchemy's
    format (so ORM reads and comparisons with stored rows agree); exports repeat the same
    dates, so conversions are memoised."""
    if not sqlite:
        return (lambda v: v), (lambda v: v)
    stamps: dict[dt.datetime, str] = {}
    days: dict[dt.date, str] = {}

    def stamp(v: dt.datetime | None) -> str | None:
        if v is None:
            return None
        text = stamps.get(v)
        if text is None:
            text = stamps[v] = v.isoformat(" ", "microseconds")
        return text

    def day(v: dt.date | None) -> str | None:
        if v is None:
            return None
        text = days.get(v)
        if text is None:
            text = days[v] = v.isoformat()
        return text

    return stamp, day


def _apply(conn, parsed: ParsedFile, report: ImportReport, now: dt.datetime,
           procedure_name: Callable[[str], str | None] | None,
           progress: Callable[[str, int], None] | None, write: bool) -> None:
    sqlite = conn.dialect.name == "sqlite"
    if write and conn.dialect.name == "postgresql":
        # Imports queue behind each other (SQLite's BEGIN IMMEDIATE does the same), so two staff
        # importing overlapping exports cannot both insert a dossier or both notify a change.
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_IMPORT_LOCK})")
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    stamp_of, day_of = _converter(sqlite)
    given = tuple(any(f in parsed.fields for f in _SOURCES[c]) for c in COLUMNS)
    all_given = all(given)
    cols = ", ".join(COLUMNS)

    # What is stored now, in the driver's own representation.
    stored: dict[str, tuple] = {
        row[0]: tuple(row[1:])
        for row in _select_in(conn, f"SELECT code, {cols} FROM dossiers WHERE", "code",
                              [code for _, code, _ in parsed.rows])}

    inserts: list[tuple] = []  # (code, *values)
    updates: list[tuple] = []  # (*values, code): the UPDATE's parameter order minus the stamp
    changed: list[tuple[str, tuple]] = []  # status changes: (code, values as stored now)
    for _line, code, v in parsed.rows:
        old = stored.get(code)
        if v[_STATUS] == RESOLVED_UNSPECIFIED:
            v = _resolve_status(v, old)
        (pid, locality, received, channel, due, new_due, status, note, resolved, returned, delivery,
         contact) = v
        new = (pid, locality, stamp_of(received), channel, day_of(due), day_of(new_due), status, note,
               stamp_of(resolved), stamp_of(returned), delivery, contact)
        if old is None:
            inserts.append((code, pid, locality, new[2], channel or "in_person", new[4], new[5], status, note,
                            new[8], new[9], delivery or "counter", contact))
            continue
        # Columns the file does not have keep their stored value; so does an empty due date.
        if all_given and due is not None:
            values = new
        else:
            values = tuple(n if keep and not (n is None and i == _DUE) else o
                           for i, (n, o, keep) in enumerate(zip(new, old, given, strict=True)))
        if values == old:
            report.unchanged += 1
            continue
        updates.append((*values, code))
        if values[_STATUS] != old[_STATUS]:
            changed.append((code, values))
    report.created, report.updated, report.status_changes = len(inserts), len(updates), len(changed)

    subscribers: dict[str, list[tuple[str, str]]] = {}
    for _id, code, channel, chat_id in sorted(_select_in(
            conn, "SELECT id, dossier_code, channel, chat_id FROM subscriptions WHERE", "dossier_code",
            [code for code, _ in changed])):
        subscribers.setdefault(code, []).append((channel, chat_id))
    report.notifications = sum(len(subscribers.get(code, ())) for code, _ in changed)
    if not write:
        return

    stamp = stamp_of(now)
    max_id = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM dossiers").scalar()
    insert_sql = (f"INSERT INTO dossiers (code, {cols}, updated_at) "
                  f"VALUES ({', '.join([mark] * (len(COLUMNS) + 2))})")
    for chunk in _chunks(inserts, 20_000):
        conn.exec_driver_sql(insert_sql, [(*row, stamp) for row in chunk])
        if progress:
            progress("write", len(chunk))
    update_sql = (f"UPDATE dossiers SET {', '.join(f'{c} = {mark}' for c in COLUMNS)}, updated_at = {mark} "
                  f"WHERE code = {mark}")
    for chunk in _chunks(updates, 20_000):
        conn.exec_driver_sql(update_sql, [(*row[:-1], stamp, row[-1]) for row in chunk])
        if progress:
            progress("write", len(chunk))
    if progress and report.unchanged:
        progress("write", report.unchanged)

    # One status event per new dossier and per status change.
    event = f"INSERT INTO status_events (dossier_id, status, at, note) SELECT id, status, {mark}, note FROM dossiers"
    if inserts and sqlite:
        # BEGIN IMMEDIATE holds the only write lock: every id above the old maximum is ours.
        conn.exec_driver_sql(f"{event} WHERE id > {mark}", (stamp, max_id))
    elif inserts:
        for chunk in _chunks([row[0] for row in inserts], 20_000):
            conn.exec_driver_sql(f"{event} WHERE code = ANY({mark})", (stamp, list(chunk)))
    if changed:
        conn.exec_driver_sql(f"{event} WHERE code = {mark}", [(stamp, code) for code, _ in changed])

    outbox_rows = []
    queued_at = stamp_of(utcnow())  # the outbox, like the channels, keeps naive UTC
    for code, values in changed:
        text = notification_text(code, DossierStatus(values[_STATUS]), values[_NOTE],
                                 procedure_name(values[0]) if procedure_name else None,
                                 _as_date(values[_DUE]), _as_date(values[_NEW_DUE]))
        for channel, chat_id in subscribers.get(code, ()):
            outbox_rows.append((channel, chat_id, code, text, queued_at, 0, queued_at))
    if outbox_rows:
        conn.exec_driver_sql(
            f"INSERT INTO outbox (channel, chat_id, dossier_code, text, created_at, attempts, next_attempt_at) "
            f"VALUES ({', '.join([mark] * 7)})", outbox_rows)
    if conn.dialect.name == "postgresql" and len(inserts) > 10_000:
        conn.exec_driver_sql("ANALYZE dossiers")  # fresh statistics for lookups and reports
