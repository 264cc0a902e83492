"""`python -m assistant dossier show|list|import` for staff.

    dossier show CODE                       the status card a citizen would see
    dossier list [--status S] [--limit N]   newest receipts first, one per line, code first
    dossier import FILE.csv|.xlsx [--dry-run]   all-or-nothing import of a one-stop export

Exit codes: 0 done, 1 refused or not found (details on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from assistant.cli._common import Context, guard, now


@guard
def cmd_show(args: argparse.Namespace) -> int:
    """The citizen's status card for one code."""
    from assistant.dossiers.codes import find_dossier_code
    from assistant.dossiers.desk import DossierDesk

    code = find_dossier_code(args.code)
    if not code:
        print(f"{args.code!r} không phải mã hồ sơ (mã in trên phiếu tiếp nhận có dạng 000.00.10.H32-231116-0001).",
              file=sys.stderr)
        return 2
    ctx = Context(args)
    desk = DossierDesk(ctx.engine, ctx.catalog, ctx.calendar(), hotline=ctx.settings.hotline,
                       portal_url=ctx.settings.portal_url)
    record = desk.find(code)
    if record is None:
        print(f"Không có hồ sơ {code}.", file=sys.stderr)
        return 1
    reply = desk.card(record, now())
    # The card's text starts with its title ("Hồ sơ …") for plain-text channels: print it once.
    if reply.title and not reply.text.startswith(reply.title):
        print(reply.title)
    print(reply.text)
    return 0


@guard
def cmd_list(args: argparse.Namespace) -> int:
    """Newest receipts first: code, status, label, received, due, procedure (tab-separated)."""
    from assistant.dossiers.statuses import LABELS, OPEN, DossierStatus, parse_status
    from assistant.store import DossierStore

    status = None
    if args.status:
        status = parse_status(args.status)
        if status is None:
            known = "; ".join(f"{s.value} ({LABELS[s]})" for s in DossierStatus)
            print(f"Không nhận ra trạng thái {args.status!r}. Dùng một trong các trạng thái: {known}. "
                  "Gõ tên tiếng Việt (ví dụ \"Yêu cầu bổ sung\") cũng được.", file=sys.stderr)
            return 2
    if args.limit < 0:
        print("--limit không được là số âm.", file=sys.stderr)
        return 2
    ctx = Context(args, need_catalog=False)
    today = now().date()
    for d in DossierStore(ctx.engine).list(status.value if status else None, args.limit):
        state = DossierStatus(d.status)
        label = LABELS[state]
        if state in OPEN and state != DossierStatus.supplement_requested:
            label += " – trễ hạn" if today > (d.new_due_date or d.due_date) else " – trong hạn"
        print(f"{d.code}\t{d.status}\t{label}\t{d.received_at:%d/%m/%Y}\t{d.due_date:%d/%m/%Y}\t{d.procedure_id}")
    return 0


@guard
def cmd_import(args: argparse.Namespace) -> int:
    """Import an export; any bad row refuses the whole file."""
    from tqdm import tqdm

    from assistant.dossiers.importer import DossierImportError, ProcedureIndex, estimate_rows, import_dossiers

    path = Path(args.file)
    if not path.is_file():
        print(f"{path}: không có tệp này.", file=sys.stderr)
        return 2
    if path.suffix.lower() not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        print(f"{path}: cần tệp xuất từ hệ thống một cửa dạng .csv hoặc .xlsx.", file=sys.stderr)
        return 2
    ctx = Context(args)
    catalog, calendar = ctx.catalog, ctx.calendar()

    def due_for(procedure_id: str, received: dt.datetime) -> dt.date | None:
        proc = catalog.get(procedure_id)
        return calendar.due_date(received, proc.time_limit) if proc else None

    total = estimate_rows(path)
    bars: dict[str, tqdm] = {}
    captions = {"check": "Đang kiểm tra", "write": "Đang ghi"}

    def progress(phase: str, rows: int) -> None:
        if phase not in bars:
            for bar in bars.values():
                bar.close()
            # disable=None: no bar when stderr is not a terminal (cron, CI logs)
            bars[phase] = tqdm(total=total, desc=captions.get(phase, phase), unit=" dòng", file=sys.stderr,
                               disable=None, leave=False)
        bars[phase].update(rows)

    try:
        report = import_dossiers(
            ctx.engine, path, dry_run=args.dry_run, procedures=ProcedureIndex.from_catalog(catalog),
            due_for=due_for, procedure_name=lambda pid: p.display_name if (p := catalog.get(pid)) else None,
            progress=progress, now=now())
    except DossierImportError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(refused_line(len(exc.problems)), file=sys.stderr)
        return 1
    finally:
        for bar in bars.values():
            bar.close()
    print(report.summary())
    return 0


def refused_line(problems: int) -> str:
    """The last line of a refused import: nothing of the file reached the database."""
    return f"Không nhập tệp: có {problems} lỗi ở trên; chưa ghi gì vào cơ sở dữ liệu. Sửa các dòng đó rồi nhập lại."


def register(subparsers) -> None:
    dossier = subparsers.add_parser("dossier", help="công cụ hồ sơ cho cán bộ")
    sub = dossier.add_subparsers(dest="dossier_command", required=True)
    show = sub.add_parser("show", help="xem thẻ tình trạng của một hồ sơ (như người dân thấy)")
    show.add_argument("code")
    show.set_defaults(func=cmd_show)
    lst = sub.add_parser("list", help="liệt kê hồ sơ, mới nhất trước, mỗi hồ sơ một dòng (mã hồ sơ đầu dòng)")
    lst.add_argument("--status", help="received, in_progress, ... hoặc tên tiếng Việt, ví dụ \"Yêu cầu bổ sung\"")
    lst.add_argument("--limit", type=int, default=50, help="số hồ sơ tối đa (mặc định 50)")
    lst.set_defaults(func=cmd_list)
    imp = sub.add_parser("import", help="nhập tệp CSV/XLSX xuất từ hệ thống một cửa (một dòng lỗi thì không nhập gì)")
    imp.add_argument("file", help="tệp .csv hoặc .xlsx")
    imp.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và báo kết quả, không ghi gì")
    imp.set_defaults(func=cmd_import)
