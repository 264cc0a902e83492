"""Applying a checked export in one transaction: dossiers inserted or updated, one status event
per new dossier and per status change, and one outbox notification per subscriber of a changed
dossier (through `Outbox.add_many`, in the same transaction).

Writing uses DB-API executemany with values pre-converted to what the driver stores, not ORM
objects: an import of a year of dossiers must take seconds."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: imports are not serialised across processes
    fcntl = None  # type: ignore[assignment]

from assistant.dossiers.import_model import (
    _DUE,
    _INDEX,
    _NEW_DUE,
    _NOTE,
    _PG_IMPORT_LOCK,
    _SOURCES,
    _STATUS,
    CHUNK,
    COLUMNS,
    ImportReport,
    ParsedFile,
)
from assistant.dossiers.notes import citizen_note
from assistant.dossiers.statuses import (
    LABELS,
    RESOLVED,
    RESOLVED_UNSPECIFIED,
    DossierStatus,
    classify_resolution,
)
from assistant.store.db import retry_locked, write_transaction
from assistant.store.repos import Outbox, utcnow
from assistant.workdays import VN_TZ


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

    notifications = []
    for code, values in changed:
        text = notification_text(code, DossierStatus(values[_STATUS]), values[_NOTE],
                                 procedure_name(values[0]) if procedure_name else None,
                                 _as_date(values[_DUE]), _as_date(values[_NEW_DUE]))
        for channel, chat_id in subscribers.get(code, ()):
            notifications.append((channel, chat_id, text, code))
    # The outbox, like the channels, keeps naive UTC.
    Outbox(conn.engine).add_many(notifications, conn=conn, now=utcnow())
    if conn.dialect.name == "postgresql" and len(inserts) > 10_000:
        conn.exec_driver_sql("ANALYZE dossiers")  # fresh statistics for lookups and reports
