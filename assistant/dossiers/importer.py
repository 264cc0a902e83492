"""Import dossier exports (CSV or XLSX) from one-stop systems.

All-or-nothing per file: every row is parsed and checked first; any bad row is reported as
`FILE:LINE: reason` and nothing is written. Re-importing an updated export is idempotent: a
status event (and one outbox notification per subscriber) is recorded only when a status
actually changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, func, select

from assistant.dossiers.codes import find_dossier_code
from assistant.dossiers.statuses import LABELS, DossierStatus, parse_status
from assistant.store.models import Dossier, OutboxRow, Subscription
from assistant.store.repos import utcnow
from assistant.text.normalize import fold

# Column header (folded) -> our field. Vietnamese headers as one-stop systems export them.
HEADERS: dict[str, str] = {
    "ma ho so": "code", "so ho so": "code", "code": "code", "dossier code": "code",
    "ma thu tuc": "procedure_id", "thu tuc": "procedure_id", "procedure id": "procedure_id", "procedure": "procedure_id",
    "ngay tiep nhan": "received_at", "ngay nhan": "received_at", "received at": "received_at", "received": "received_at",
    "ngay hen tra": "due_date", "han xu ly": "due_date", "due date": "due_date",
    "ngay hen tra moi": "new_due_date", "ngay hen lai": "new_due_date", "new due date": "new_due_date",
    "trang thai": "status", "tinh trang": "status", "status": "status",
    "hinh thuc nop": "channel", "kenh nop": "channel", "channel": "channel",
    "ngay co ket qua": "resolved_at", "ngay giai quyet": "resolved_at", "resolved at": "resolved_at",
    "ngay tra ket qua": "returned_at", "returned at": "returned_at",
    "hinh thuc nhan ket qua": "result_delivery", "nhan ket qua": "result_delivery", "result delivery": "result_delivery",
    "ghi chu": "note", "noi dung": "note", "note": "note",
    "dia ban": "locality", "don vi": "locality", "locality": "locality",
    "so dien thoai": "contact", "lien he": "contact", "contact": "contact",
}
REQUIRED = ("code", "procedure_id", "received_at", "status")

CHANNELS = {
    "truc tiep": "in_person", "in person": "in_person", "in_person": "in_person",
    "buu chinh": "postal", "buu chinh cong ich": "postal", "qua buu dien": "postal", "postal": "postal",
    "truc tuyen toan trinh": "online_full", "toan trinh": "online_full", "online full": "online_full",
    "online_full": "online_full", "truc tuyen": "online_full",
    "truc tuyen mot phan": "online_partial", "mot phan": "online_partial", "online partial": "online_partial",
    "online_partial": "online_partial",
}
DELIVERY = {"": "counter", "truc tiep": "counter", "tai quay": "counter", "counter": "counter",
            "buu dien": "post", "buu chinh": "post", "qua buu dien": "post", "post": "post"}



class ImportError_(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Row:
    line: int
    code: str
    procedure_id: str
    received_at: dt.datetime
    due_date: dt.date
    status: DossierStatus
    channel: str
    new_due_date: dt.date | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    result_delivery: str
    note: str | None
    locality: str | None
    contact_hash: str | None


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    status_changes: int = 0
    notifications: int = 0
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        head = "Dry run (nothing written): " if self.dry_run else ""
        return (f"{head}{self.rows} rows: {self.created} new, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.status_changes} status changes, {self.notifications} notifications queued")


_DMY = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _parse_datetime(value: object) -> dt.datetime | None:
    """dd/mm/yyyy[ HH:MM[:SS]] or yyyy-mm-dd[ HH:MM[:SS]]; regexes, because strptime with
    several fallbacks dominates the import time of a large export."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return _parse_date_text(str(value).strip())


@lru_cache(maxsize=8192)
def _parse_date_text(text: str) -> dt.datetime:
    """Cached: an export repeats the same dates (and often times) many times."""
    match = _DMY.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
    else:
        match = _YMD.match(text)
        if not match:
            raise ValueError(f"unreadable date {text!r} (use dd/mm/yyyy or yyyy-mm-dd)")
        year, month, day, hour, minute, second = match.groups()
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as exc:
        raise ValueError(f"unreadable date {text!r} (use dd/mm/yyyy or yyyy-mm-dd)") from exc


def contact_hash(contact: str) -> str | None:
    digits = "".join(ch for ch in contact if ch.isdigit())
    if not digits:
        return None
    salt = os.environ.get("ASSISTANT_HASH_SALT", "tthc-assistant")
    return hashlib.sha256(f"{salt}:contact:{digits}".encode()).hexdigest()[:32]


def read_table(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    """(line number, {field: value}) for each data row; headers mapped to our fields."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        mapping = _map_headers([str(h or "") for h in header], path)
        for number, values in enumerate(rows, start=2):
            if values is None or all(v in (None, "") for v in values):
                continue
            yield number, {mapping[i]: v for i, v in enumerate(values) if i in mapping}
        return
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:  # one column, or nothing to guess from
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None) or []
    pairs = list(_map_headers(header, path).items())
    for values in reader:
        if not any(values) or not "".join(values).strip():
            continue
        width = len(values)
        yield reader.line_num, {key: values[i] for i, key in pairs if i < width}


def _map_headers(header: list[str], path: Path) -> dict[int, str]:
    mapping = {}
    for index, name in enumerate(header):
        key = HEADERS.get(" ".join(fold(name).replace("_", " ").split()))
        if key:
            mapping[index] = key
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        raise ImportError_([f"{path}:1: missing column(s): {', '.join(missing)}"])
    return mapping


def parse_rows(path: Path, known_procedures: set[str] | None,
               due_for: Callable[[str, dt.datetime], dt.date | None] | None) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, raw in read_table(path):
        try:
            rows.append(_parse_row(line, raw, known_procedures, due_for))
        except ValueError as exc:
            problems.append(f"{path}:{line}: {exc}")
            continue
        code = rows[-1].code
        if code in seen:
            problems.append(f"{path}:{line}: dossier {code} appears twice (first at line {seen[code]})")
        seen[code] = line
    return rows, problems


@lru_cache(maxsize=256)
def _status(text: str) -> DossierStatus | None:
    return parse_status(text)


def _lookup(table: dict[str, str], text: str) -> str | None:
    return table.get(_folded(text))


@lru_cache(maxsize=256)
def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def _text(raw: dict[str, object], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value).strip()


def _parse_row(line: int, raw: dict[str, object], known: set[str] | None,
               due_for: Callable[[str, dt.datetime], dt.date | None] | None) -> Row:
    code_text = _text(raw, "code")
    code = find_dossier_code(code_text)
    if not code:
        raise ValueError(f"invalid dossier code {code_text!r}")
    procedure_id = _text(raw, "procedure_id")
    if not procedure_id:
        raise ValueError("missing procedure")
    if known is not None and procedure_id not in known:
        raise ValueError(f"unknown procedure {procedure_id!r}")
    received = _parse_datetime(raw.get("received_at"))
    if received is None:
        raise ValueError("missing received date")
    status = _status(_text(raw, "status"))
    if status is None:
        raise ValueError(f"unknown status {_text(raw, 'status')!r}")
    due_dt = _parse_datetime(raw.get("due_date"))
    due = due_dt.date() if due_dt else (due_for(procedure_id, received) if due_for else None)
    if due is None:
        raise ValueError("missing due date (ngày hẹn trả)")
    if due < received.date():
        raise ValueError("due date is before the received date")
    channel = _lookup(CHANNELS, _text(raw, "channel") or "truc tiep")
    if channel is None:
        raise ValueError(f"unknown submission channel {_text(raw, 'channel')!r}")
    delivery = _lookup(DELIVERY, _text(raw, "result_delivery"))
    if delivery is None:
        raise ValueError(f"unknown result delivery {_text(raw, 'result_delivery')!r}")
    new_due = _parse_datetime(raw.get("new_due_date"))
    contact = _text(raw, "contact")
    return Row(
        line=line, code=code, procedure_id=procedure_id, received_at=received, due_date=due, status=status,
        channel=channel, new_due_date=new_due.date() if new_due else None,
        resolved_at=_parse_datetime(raw.get("resolved_at")), returned_at=_parse_datetime(raw.get("returned_at")),
        result_delivery=delivery, note=_text(raw, "note")[:500] or None, locality=_text(raw, "locality") or None,
        contact_hash=contact_hash(contact) if contact else None,
    )


def notification_text(code: str, status: DossierStatus, note: str | None, procedure_name: str | None) -> str:
    lines = [f"🔔 Hồ sơ {code}" + (f" ({procedure_name})" if procedure_name else "") + " có cập nhật:",
             f"Tình trạng mới: {LABELS[status]}."]
    if status == DossierStatus.supplement_requested:
        lines.append("Vui lòng bổ sung giấy tờ theo yêu cầu" + (f": {note}" if note else "") + ".")
    elif status in (DossierStatus.resolved_early, DossierStatus.resolved_on_time, DossierStatus.resolved_late):
        lines.append("Kết quả đã có. Gửi mã hồ sơ để xem cách nhận kết quả.")
    elif note:
        lines.append(note)
    return "\n".join(lines)


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def import_dossiers(engine: Engine, path: Path | str, *, dry_run: bool = False,
                    known_procedures: set[str] | None = None,
                    due_for: Callable[[str, dt.datetime], dt.date | None] | None = None,
                    procedure_name: Callable[[str], str | None] | None = None,
                    progress: Callable[[int], None] | None = None,
                    now: dt.datetime | None = None) -> ImportReport:
    """Validate the whole file, then write it in one transaction. Raises ImportError_ on any bad row."""
    path = Path(path)
    rows, problems = parse_rows(path, known_procedures, due_for)
    if problems:
        raise ImportError_(problems)
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    now = now or utcnow()
    dossiers = Dossier.__table__
    with engine.begin() as conn:
        existing: dict[str, tuple[int, str]] = {}
        for chunk in _chunks([r.code for r in rows], 900):
            for id_, code, status in conn.execute(
                    select(dossiers.c.id, dossiers.c.code, dossiers.c.status).where(dossiers.c.code.in_(chunk))):
                existing[code] = (id_, status)
        new_rows = [r for r in rows if r.code not in existing]
        changed = [r for r in rows if r.code in existing and existing[r.code][1] != r.status.value]
        report.created = len(new_rows)
        report.status_changes = len(changed)
        report.updated = len(rows) - len(new_rows)
        report.unchanged = report.updated - len(changed)
        subscribers: dict[str, list[tuple[str, str]]] = {}
        for chunk in _chunks([r.code for r in changed], 900):
            for code, channel, chat_id in conn.execute(select(
                    Subscription.dossier_code, Subscription.channel, Subscription.chat_id).where(
                    Subscription.dossier_code.in_(chunk))):
                subscribers.setdefault(code, []).append((channel, chat_id))
        report.notifications = sum(len(subscribers.get(r.code, [])) for r in changed)
        if dry_run:
            return report

        # Plain DB-API executemany: an export can hold hundreds of thousands of rows, and the
        # per-row work of a Core/ORM insert would dominate the import time.
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        columns = ("procedure_id", "locality", "received_at", "channel", "due_date", "new_due_date", "status",
                   "note", "resolved_at", "returned_at", "result_delivery", "contact_hash", "updated_at")

        def values(r: Row) -> tuple:
            return (r.procedure_id, r.locality, r.received_at, r.channel, r.due_date, r.new_due_date,
                    r.status.value, r.note, r.resolved_at, r.returned_at, r.result_delivery, r.contact_hash, now)

        insert_sql = (f"INSERT INTO dossiers (code, {', '.join(columns)}) "
                      f"VALUES ({', '.join([mark] * (len(columns) + 1))})")
        update_sql = f"UPDATE dossiers SET {', '.join(f'{c} = {mark}' for c in columns)} WHERE code = {mark}"
        max_id = conn.execute(select(func.coalesce(func.max(dossiers.c.id), 0))).scalar()
        for chunk in _chunks(new_rows, 20_000):
            conn.exec_driver_sql(insert_sql, [(r.code, *values(r)) for r in chunk])
            if progress:
                progress(len(chunk))
        for chunk in _chunks([r for r in rows if r.code in existing], 20_000):
            conn.exec_driver_sql(update_sql, [(*values(r), r.code) for r in chunk])
            if progress:
                progress(len(chunk))
        # Status events: one for each new dossier (all inserted above with this import's
        # timestamp and ids past the previous maximum) and one for each changed status.
        if new_rows:
            conn.exec_driver_sql(
                f"INSERT INTO status_events (dossier_id, status, at, note) SELECT id, status, updated_at, note "
                f"FROM dossiers WHERE id > {mark} AND updated_at = {mark}", (max_id, now))
        event_sql = (f"INSERT INTO status_events (dossier_id, status, at, note) "
                     f"SELECT id, status, updated_at, note FROM dossiers WHERE code = {mark}")
        if changed:
            conn.exec_driver_sql(event_sql, [(r.code,) for r in changed])
        outbox = [
            {"channel": channel, "chat_id": chat_id, "dossier_code": r.code, "created_at": now, "attempts": 0,
             "next_attempt_at": now,
             "text": notification_text(r.code, r.status, r.note, procedure_name(r.procedure_id) if procedure_name else None)}
            for r in changed for channel, chat_id in subscribers.get(r.code, [])
        ]
        if outbox:
            conn.execute(OutboxRow.__table__.insert(), outbox)
    return report
