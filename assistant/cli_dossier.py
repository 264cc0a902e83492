"""`python -m assistant dossier show|list|import` for staff."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import select

from assistant.config import Settings


def _context():
    from assistant.app import open_database
    from assistant.catalog.loader import load_catalog

    settings = Settings.from_env()
    return settings, open_database(settings), load_catalog(settings.catalog_dir, settings.locality)


def cmd_show(args: argparse.Namespace) -> int:
    from assistant.core import VN_TZ
    from assistant.dossiers.codes import find_dossier_code
    from assistant.dossiers.desk import DossierDesk
    from assistant.workdays import WorkCalendar

    _settings, engine, catalog = _context()
    code = find_dossier_code(args.code)
    if not code:
        print(f"not a dossier code: {args.code!r}", file=sys.stderr)
        return 2
    desk = DossierDesk(engine, lambda: catalog, WorkCalendar())
    dossier = desk._find(code)
    if dossier is None:
        print(f"no dossier {code}", file=sys.stderr)
        return 1
    print(desk.card(dossier, dt.datetime.now(VN_TZ).replace(tzinfo=None)).text)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from assistant.dossiers.statuses import LABELS, DossierStatus, parse_status
    from assistant.store.models import Dossier

    _settings, engine, _catalog = _context()
    query = select(Dossier.code, Dossier.procedure_id, Dossier.status, Dossier.received_at, Dossier.due_date)
    if args.status:
        status = parse_status(args.status)
        if status is None:
            print(f"unknown status {args.status!r}; one of: {', '.join(s.value for s in DossierStatus)}",
                  file=sys.stderr)
            return 2
        query = query.where(Dossier.status == status.value)
    query = query.order_by(Dossier.received_at.desc()).limit(args.limit)
    with engine.connect() as conn:
        for code, proc, status, received, due in conn.execute(query):
            print(f"{code}\t{status}\t{LABELS[DossierStatus(status)]}\t{received:%d/%m/%Y}\t{due:%d/%m/%Y}\t{proc}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from assistant.dossiers.importer import ImportError_, import_dossiers

    _settings, engine, catalog = _context()
    from assistant.workdays import WorkCalendar

    calendar = WorkCalendar(catalog.locality.extra_days_off if catalog.locality else ())

    def due_for(procedure_id: str, received: dt.datetime) -> dt.date | None:
        proc = catalog.get(procedure_id)
        return calendar.due_date(received, proc.time_limit) if proc else None

    path = Path(args.file)
    if not path.exists():
        print(f"{path}: no such file", file=sys.stderr)
        return 2
    bar = tqdm(desc="import", unit="row", file=sys.stderr, disable=None)
    try:
        report = import_dossiers(engine, path, dry_run=args.dry_run, known_procedures=set(catalog.procedures),
                                 due_for=due_for, procedure_name=lambda pid: (catalog.get(pid).display_name
                                                                              if catalog.get(pid) else None),
                                 progress=bar.update)
    except ImportError_ as exc:
        bar.close()
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"import refused: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    bar.close()
    print(report.summary())
    return 0


def register(subparsers) -> None:
    dossier = subparsers.add_parser("dossier", help="dossier tools for staff")
    sub = dossier.add_subparsers(dest="dossier_command", required=True)
    show = sub.add_parser("show", help="show one dossier's status card")
    show.add_argument("code")
    show.set_defaults(func=cmd_show)
    lst = sub.add_parser("list", help="list dossiers, newest first, one per line (code first)")
    lst.add_argument("--status")
    lst.add_argument("--limit", type=int, default=50)
    lst.set_defaults(func=cmd_list)
    imp = sub.add_parser("import", help="import a CSV/XLSX export (all-or-nothing)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true")
    imp.set_defaults(func=cmd_import)
