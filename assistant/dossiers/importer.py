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

Layout: `import_model` (headers, columns, report), `import_read` (the file), `import_parse`
(every row parsed and checked), `import_apply` (the transaction); this module validates across
rows and runs the steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Engine

from assistant.dossiers.import_apply import (
    _apply,
    _apply_in_slices,
    _existing_codes,
    _vn_now,
    sqlite_import_lock,
)
from assistant.dossiers.import_model import _DUE, DossierImportError, ImportReport, ProcedureIndex
from assistant.dossiers.import_parse import DueFor, parse_datetime, parse_file
from assistant.dossiers.import_read import estimate_rows
from assistant.store.db import write_transaction


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
        problems += [(line, "thiếu ngày hẹn trả, và thủ tục không có thời hạn giải quyết để tính ngày hẹn")
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


__all__ = ["DossierImportError", "ImportReport", "ProcedureIndex", "estimate_rows", "import_dossiers",
           "parse_datetime", "parse_file"]
