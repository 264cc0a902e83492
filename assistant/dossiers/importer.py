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
was rolled back).

Speed matters (an export can hold a year of a province's dossiers): parsing uses caches for
the few distinct values a column holds, and writing uses DB-API executemany with values
pre-converted to what the driver stores, not ORM objects.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from assistant.dossiers.codes import find_dossier_code
from assistant.dossiers.statuses import (
    LABELS,
    RESOLVED,
    RESOLVED_UNSPECIFIED,
    DossierStatus,
    classify_resolution,
    parse_export_status,
)
from assistant.store.db import write_transaction
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
# File fields that feed each column: a column whose fields are absent keeps its stored value.
_SOURCES = {"procedure_id": ("procedure", "procedure_name"), "received_at": ("received_at",),
            "locality": ("locality",), "channel": ("channel",), "due_date": ("due_date",),
            "new_due_date": ("new_due_date",), "status": ("status",), "note": ("note",),
            "resolved_at": ("resolved_at",), "returned_at": ("returned_at",),
            "result_delivery": ("result_delivery",), "contact_hash": ("contact",)}
CHUNK = 500  # codes per IN (...) query: under every driver's parameter limit
_PG_IMPORT_LOCK = 7_300_522


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


@dataclass(frozen=True)
class ParsedRow:
    """One valid export row: `values` in COLUMNS order, as Python objects (None = not given)."""

    line: int
    code: str
    values: tuple


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


def _map_headers(header: Sequence[object], path: Path) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _header_field(name)
        if key and key not in mapping:
            mapping[key] = index
    have = set(mapping) | ({"procedure"} if "procedure_name" in mapping else set())
    missing = [f for f in ("code", "procedure", "received_at", "status") if f not in have]
    if missing:
        raise DossierImportError([f"{path}:1: missing column(s): {', '.join(missing)} "
                                  "(see docs/dossiers.md for the accepted headers)"])
    return mapping


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return raw.decode("utf-16")
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DossierImportError([f"{path}:{line}: not UTF-8 text; save the export as \"CSV UTF-8\""]) from exc


def read_table(path: Path) -> tuple[dict[str, int], Iterator[tuple[int, Sequence[Any]]]]:
    """The header mapping ({field: column index}) and (line number, cells) for each data row."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise DossierImportError([f"{path}:1: not a readable XLSX file ({exc.__class__.__name__})"]) from exc
        rows = book.active.iter_rows(values_only=True)
        mapping = _map_headers(next(rows, None) or (), path)

        def xlsx_rows() -> Iterator[tuple[int, Sequence[Any]]]:
            try:
                for number, values in enumerate(rows, start=2):
                    if values and any(v not in (None, "") for v in values):
                        yield number, values
            finally:
                book.close()

        return mapping, xlsx_rows()
    text = _decode(path.read_bytes(), path)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    mapping = _map_headers(next(reader, None) or [], path)

    def csv_rows() -> Iterator[tuple[int, Sequence[Any]]]:
        for values in reader:
            if any(v.strip() for v in values):
                yield reader.line_num, values

    return mapping, csv_rows()


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
    except (OSError, ValueError):
        return None


# -- parsing -------------------------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_HMDMY = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?[ ,]+(\d{1,2})/(\d{1,2})/(\d{4})$")  # "08:30 16/11/2026"
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def parse_datetime(value: object) -> dt.datetime | None:
    """dd/mm/yyyy[ HH:MM[:SS]], yyyy-mm-dd[ HH:MM[:SS]], HH:MM dd/mm/yyyy, a spreadsheet date
    or an Excel serial number. None for an empty cell; ValueError for anything else."""
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
        raise ValueError(f"unreadable date {text!r} (use dd/mm/yyyy or yyyy-mm-dd)")
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise ValueError(f"unreadable date {text!r} (use dd/mm/yyyy or yyyy-mm-dd)") from None


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

    # The few distinct values of a column are parsed once.
    dates: dict[object, dt.datetime | ValueError | None] = {}
    procs: dict[tuple[str, str], str | None] = {}
    statuses: dict[str, str | None] = {}
    channels: dict[str, str | None] = {}
    deliveries: dict[str, str | None] = {}
    missing = object()

    def date_of(value: object) -> dt.datetime | None:
        result = dates.get(value, missing)  # cells are str, numbers or datetimes: hashable
        if result is missing:
            try:
                result = parse_datetime(value)
            except ValueError as exc:
                result = exc
            dates[value] = result
        if isinstance(result, ValueError):
            raise result
        return result  # type: ignore[return-value]

    def cell(values: Sequence[Any], index: int) -> Any:
        return values[index] if 0 <= index < len(values) else None

    count = 0
    for line, values in rows:
        count += 1
        if progress and count % 5000 == 0:
            progress(5000)
        try:
            raw_code = _cell_text(cell(values, i_code))
            code = find_dossier_code(raw_code)
            if not code:
                raise ValueError(f"invalid dossier code {raw_code!r}")

            proc_text, pname_text = _cell_text(cell(values, i_proc)), _cell_text(cell(values, i_pname))
            pkey = (proc_text, pname_text)
            if pkey not in procs:
                candidates = [t for t in pkey if t]
                if procedures is None:
                    procs[pkey] = candidates[0] if candidates else None
                else:
                    procs[pkey] = next((pid for t in candidates if (pid := procedures.resolve(t))), None)
            procedure_id = procs[pkey]
            if procedure_id is None:
                if not proc_text and not pname_text:
                    raise ValueError("missing procedure")
                raise ValueError(f"unknown procedure {(proc_text or pname_text)!r}")

            received = date_of(cell(values, i_recv))
            if received is None:
                raise ValueError("missing received date (ngày tiếp nhận)")

            status_text = _cell_text(cell(values, i_status))
            if status_text not in statuses:
                statuses[status_text] = parse_export_status(status_text)
            status = statuses[status_text]
            if status is None:
                raise ValueError(f"unknown status {status_text!r}" if status_text else "missing status")

            due_at = date_of(cell(values, i_due))
            due = due_at.date() if due_at else None
            if due is not None and due < received.date():
                raise ValueError(f"due date {due:%d/%m/%Y} is before the received date {received:%d/%m/%Y}")
            new_due_at = date_of(cell(values, i_new))
            resolved = date_of(cell(values, i_res))
            returned = date_of(cell(values, i_ret))

            channel = None
            if i_channel >= 0:
                channel_text = _cell_text(cell(values, i_channel))
                if channel_text not in channels:
                    channels[channel_text] = CHANNELS.get(_folded(channel_text)) if channel_text else "in_person"
                channel = channels[channel_text]
                if channel is None:
                    raise ValueError(f"unknown submission channel {channel_text!r}")
            delivery = None
            if i_deliv >= 0:
                delivery_text = _cell_text(cell(values, i_deliv))
                if delivery_text not in deliveries:
                    deliveries[delivery_text] = DELIVERY.get(_folded(delivery_text))
                delivery = deliveries[delivery_text]
                if delivery is None:
                    raise ValueError(f"unknown result delivery {delivery_text!r}")

            if due is None and due_for is not None:
                due = due_for(procedure_id, received)

            note = (_cell_text(cell(values, i_note))[:500] or None) if i_note >= 0 else None
            locality = (_cell_text(cell(values, i_loc))[:60] or None) if i_loc >= 0 else None
            contact = contact_hash(_cell_text(cell(values, i_contact))) if i_contact >= 0 else None
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        if code in seen:
            problems.append((line, f"dossier {code} appears twice (first at line {seen[code]})"))
            continue
        seen[code] = line
        parsed.rows.append(ParsedRow(line, code, (
            procedure_id, locality, received, channel, due, new_due_at.date() if new_due_at else None, status, note,
            resolved, returned, delivery, contact)))
    if progress:
        progress(count % 5000)
    return parsed, problems


# -- writing -------------------------------------------------------------------------------------


def _sqlite_value(value: object) -> object:
    """What SQLAlchemy's SQLite types store, so ORM reads and string comparisons agree."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def notification_text(code: str, status: DossierStatus, note: str | None, procedure_name: str | None,
                      due: dt.date | None = None, new_due: dt.date | None = None) -> str:
    """The message a subscriber receives when an import records a new status."""
    head = f"🔔 Hồ sơ {code}" + (f" ({procedure_name})" if procedure_name else "") + " có cập nhật."
    lines = [head, f"Tình trạng mới: {LABELS[status]}."]
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
    undated = [r for r in parsed.rows if r.values[_INDEX["due_date"]] is None]
    if undated:  # fine for a dossier already stored (it keeps its date), not for a new one
        known = _existing_codes(engine, [r.code for r in undated])
        problems += [(r.line, "missing due date (ngày hẹn trả) and no time limit to compute it")
                     for r in undated if r.code not in known]
    if problems:
        raise DossierImportError([f"{parsed.path}:{line}: {reason}" for line, reason in sorted(problems)])

    now = now or _vn_now()
    report = ImportReport(rows=len(parsed.rows), dry_run=dry_run)
    if dry_run:
        with engine.connect() as conn:
            _apply(conn, parsed, report, now, procedure_name, None, write=False)
        return report
    with write_transaction(engine) as conn:
        _apply(conn, parsed, report, now, procedure_name, progress, write=True)
    return report


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


def _existing_codes(engine: Engine, codes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    with engine.connect() as conn:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        for chunk in _chunks(codes, CHUNK):
            sql = f"SELECT code FROM dossiers WHERE code IN ({', '.join([mark] * len(chunk))})"
            found.update(code for (code,) in conn.exec_driver_sql(sql, tuple(chunk)))
    return found


def _apply(conn, parsed: ParsedFile, report: ImportReport, now: dt.datetime,
           procedure_name: Callable[[str], str | None] | None,
           progress: Callable[[str, int], None] | None, write: bool) -> None:
    sqlite = conn.dialect.name == "sqlite"
    if write and conn.dialect.name == "postgresql":
        # Imports queue behind each other (SQLite's BEGIN IMMEDIATE does the same), so two staff
        # importing overlapping exports cannot both insert a dossier or both notify a change.
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_IMPORT_LOCK})")
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    db = _sqlite_value if sqlite else (lambda v: v)
    defaults = {"channel": "in_person", "result_delivery": "counter"}
    given = [any(f in parsed.fields for f in _SOURCES[c]) for c in COLUMNS]
    cols = ", ".join(COLUMNS)

    # What is stored now, in the driver's own representation.
    stored: dict[str, tuple] = {}
    for chunk in _chunks([r.code for r in parsed.rows], CHUNK):
        sql = f"SELECT code, {cols} FROM dossiers WHERE code IN ({', '.join([mark] * len(chunk))})"
        for row in conn.exec_driver_sql(sql, tuple(chunk)):
            stored[row[0]] = tuple(row[1:])

    inserts: list[tuple] = []  # (code, *values)
    updates: list[tuple] = []  # (*values, code): the UPDATE's parameter order minus the stamp
    changed: list[tuple[ParsedRow, tuple]] = []  # status changes: (row, values as stored now)
    for r in parsed.rows:
        old = stored.get(r.code)
        if old is None:
            row = _resolve_status(r.values, None)
            inserts.append((r.code, *(db(defaults[c] if v is None and c in defaults else v)
                                      for c, v in zip(COLUMNS, row, strict=True))))
            continue
        # Columns the file does not have keep their stored value; so does an empty due date.
        row = _resolve_status(r.values, old)
        values = tuple(db(v) if keep and not (v is None and c == "due_date") else o
                       for c, v, o, keep in zip(COLUMNS, row, old, given, strict=True))
        if values == old:
            report.unchanged += 1
            continue
        updates.append((*values, r.code))
        if values[_INDEX["status"]] != old[_INDEX["status"]]:
            changed.append((r, values))
    report.created, report.updated, report.status_changes = len(inserts), len(updates), len(changed)

    subscribers: dict[str, list[tuple[str, str]]] = {}
    for chunk in _chunks([r.code for r, _ in changed], CHUNK):
        sql = (f"SELECT dossier_code, channel, chat_id FROM subscriptions "
               f"WHERE dossier_code IN ({', '.join([mark] * len(chunk))}) ORDER BY id")
        for code, channel, chat_id in conn.exec_driver_sql(sql, tuple(chunk)):
            subscribers.setdefault(code, []).append((channel, chat_id))
    report.notifications = sum(len(subscribers.get(r.code, ())) for r, _ in changed)
    if not write:
        return

    stamp = db(now)
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
    event_sql = (f"INSERT INTO status_events (dossier_id, status, at, note) "
                 f"SELECT id, status, {mark}, note FROM dossiers WHERE code = {mark}")
    event_codes = [row[0] for row in inserts] + [r.code for r, _ in changed]
    for chunk in _chunks(event_codes, 20_000):
        conn.exec_driver_sql(event_sql, [(stamp, code) for code in chunk])

    outbox_rows = []
    queued_at = db(utcnow())  # the outbox, like the channels, keeps naive UTC
    for r, values in changed:
        status = DossierStatus(values[_INDEX["status"]])
        text = notification_text(r.code, status, values[_INDEX["note"]],
                                 procedure_name(values[0]) if procedure_name else None,
                                 _as_date(values[_INDEX["due_date"]]), _as_date(values[_INDEX["new_due_date"]]))
        for channel, chat_id in subscribers.get(r.code, ()):
            outbox_rows.append((channel, chat_id, r.code, text, queued_at, 0, queued_at))
    if outbox_rows:
        conn.exec_driver_sql(
            f"INSERT INTO outbox (channel, chat_id, dossier_code, text, created_at, attempts, next_attempt_at) "
            f"VALUES ({', '.join([mark] * 7)})", outbox_rows)

