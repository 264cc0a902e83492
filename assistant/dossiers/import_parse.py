"""Parsing and checking every row of an export: codes, procedures, dates, statuses, channels.

Nothing is written here: the result is the parsed rows and the list of problems, each tied to
its line, so the whole file can be refused at once. Parsing uses caches for the few distinct
values a column holds (an export can hold a year of a province's dossiers). Reasons are in
Vietnamese (staff read them); a date such as 31/11/2026 is a day that does not exist, not a
format problem."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from assistant.dossiers.codes import _CANONICAL as _CANONICAL_CODE
from assistant.dossiers.codes import find_dossier_code
from assistant.dossiers.import_model import (
    _HEADER_WORDS,
    CHANNELS,
    DELIVERY,
    PROCEDURE_ID_MAX,
    ParsedFile,
    ProcedureIndex,
)
from assistant.dossiers.import_read import read_table
from assistant.dossiers.notes import citizen_note
from assistant.dossiers.statuses import (
    parse_export_status,
)
from assistant.store.repos import contact_hash
from assistant.text.normalize import fold
from assistant.workdays import VN_TZ

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
        raise ValueError(f"ngày {_cell_text(value)!r} không hợp lý (năm ngoài khoảng {MIN_YEAR}–{MAX_YEAR})")
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
        raise ValueError(f"không đọc được ngày {value!r}")
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
            raise ValueError("ô có ký tự NUL (tệp có thể bị hỏng)")
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
                raise ValueError(f"mã hồ sơ không hợp lệ: {text_of(raw_code)!r}")

            pkey = (values[i_proc], values[i_pname])
            procedure_id = procs.get(pkey, "")
            if procedure_id == "":
                texts = [t for t in map(text_of, pkey) if t]
                if not texts:
                    raise ValueError("thiếu mã thủ tục (hoặc tên thủ tục)")
                if procedures is None:
                    procedure_id = texts[0]
                    if len(procedure_id) > PROCEDURE_ID_MAX:
                        raise ValueError(f"mã thủ tục dài quá {PROCEDURE_ID_MAX} ký tự")
                else:
                    procedure_id = next((pid for t in texts if (pid := procedures.resolve(t))), None)
                procs[pkey] = procedure_id
            if procedure_id is None:
                raise ValueError(f"mã thủ tục không có trong danh mục: {next(t for t in map(text_of, pkey) if t)!r}")

            received = date_of(values[i_recv])
            if received is None:
                raise ValueError("thiếu ngày tiếp nhận")

            raw_status = values[i_status]
            status = statuses.get(raw_status, "")
            if status == "":
                status = statuses[raw_status] = parse_export_status(text_of(raw_status))
            if status is None:
                text = text_of(raw_status)
                raise ValueError(f"trạng thái không nhận ra: {text!r}" if text else "thiếu trạng thái")

            due_at = date_of(values[i_due])
            due = due_at.date() if due_at is not None else None
            if due is not None and due < received.date():
                raise ValueError(f"ngày hẹn trả {due:%d/%m/%Y} sớm hơn ngày tiếp nhận {received:%d/%m/%Y}")
            new_due_at = date_of(values[i_new])
            resolved = date_of(values[i_res])
            returned = date_of(values[i_ret])

            raw_channel = values[i_channel]
            channel = channels.get(raw_channel, "")
            if channel == "":
                text = text_of(raw_channel)
                channel = channels[raw_channel] = CHANNELS.get(_folded(text)) if text else "in_person"
            if channel is None:
                raise ValueError(f"hình thức nộp không nhận ra: {text_of(raw_channel)!r}")
            raw_delivery = values[i_deliv]
            delivery = deliveries.get(raw_delivery, "")
            if delivery == "":
                delivery = deliveries[raw_delivery] = DELIVERY.get(_folded(text_of(raw_delivery)))
            if delivery is None:
                raise ValueError(f"hình thức nhận kết quả không nhận ra: {text_of(raw_delivery)!r}")

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
            problems.append((line, f"hồ sơ {code} xuất hiện hai lần (lần đầu ở dòng {first})"))
            continue
        rows_out.append((line, code, (
            procedure_id, locality, received, channel if i_channel >= 0 else None, due,
            new_due_at.date() if new_due_at is not None else None, status, note, resolved, returned,
            delivery if i_deliv >= 0 else None, contact)))
    if progress:
        progress(count % 5000)
    return parsed, problems
