"""`python -m assistant report unanswered|service` for staff and managers."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

from assistant.cli._common import Context, emit
from assistant.staff.resolution import vn_day_start_utc, vn_today


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (viết dạng NĂM-THÁNG-NGÀY hoặc ngày/tháng/năm)")


def _guard(func):
    """A database that cannot be reached, or a broken catalogue, is one sentence and exit 1."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from assistant.catalog.loader import CatalogError

        try:
            return func(args)
        except SQLAlchemyError as exc:
            print(f"Không lập được báo cáo: không kết nối được cơ sở dữ liệu ({exc.__class__.__name__}); "
                  "kiểm tra DATABASE_URL và máy chủ cơ sở dữ liệu rồi thử lại.", file=sys.stderr)
            return 1
        except CatalogError as exc:
            print(f"Không lập được báo cáo: danh mục thủ tục có lỗi.\n{exc}", file=sys.stderr)
            return 1

    run.__doc__ = func.__doc__
    return run


@_guard
def cmd_unanswered(args: argparse.Namespace) -> int:
    from assistant.staff.reports import format_unanswered, unanswered_report

    ctx = Context()  # --locality here filters the report; the catalogue is the configured one
    since = vn_day_start_utc(args.since) if args.since else None  # a Vietnam day
    emit(format_unanswered(unanswered_report(ctx.engine, ctx.catalog, since)))
    return 0


@_guard
def cmd_service(args: argparse.Namespace) -> int:
    from assistant.staff.reports import format_table, service_report, to_csv, to_html

    if args.to < args.from_:
        print("Ngày kết thúc (--to) sớm hơn ngày bắt đầu (--from); hãy chọn lại khoảng ngày.", file=sys.stderr)
        return 2
    ctx = Context()  # --locality here filters the report; the catalogue is the configured one
    report = service_report(ctx.engine, args.from_, args.to, args.locality)
    emit(format_table(report))
    from assistant.handoff.report import format_figures, handoff_figures, hours_of

    emit("\nGặp cán bộ (trợ lý chuyển câu hỏi):")
    figures = handoff_figures(ctx.engine, args.from_, args.to, hours_of(ctx.catalog, ctx.settings.office_hours),
                              args.locality)
    emit(format_figures(figures))
    if args.csv:
        extra = io.StringIO()
        csv.writer(extra).writerows((a.strip(), b, c) for a, b, c in figures.rows())
        Path(args.csv).write_text(to_csv(report) + extra.getvalue(), encoding="utf-8")
        print(f"CSV: {args.csv}", file=sys.stderr)
    if args.html:
        Path(args.html).write_text(to_html(report, ctx.catalog), encoding="utf-8")
        print(f"HTML: {args.html}", file=sys.stderr)
    return 0


def register(subparsers) -> None:
    report = subparsers.add_parser("report", help="báo cáo cho cán bộ và lãnh đạo")
    sub = report.add_subparsers(dest="report_command", required=True)
    un = sub.add_parser("unanswered", help="nhóm các câu hỏi trợ lý chưa trả lời được, kèm gợi ý")
    un.add_argument("--since", type=_date)
    un.set_defaults(func=cmd_unanswered)
    today = vn_today()
    sv = sub.add_parser("service", help="hồ sơ theo kênh nộp, tỷ lệ đúng hạn, mức độ hài lòng")
    sv.add_argument("--from", dest="from_", type=_date, default=today.replace(day=1))
    sv.add_argument("--to", type=_date, default=today)
    sv.add_argument("--locality")
    sv.add_argument("--csv", help="ghi thêm tệp CSV")
    sv.add_argument("--html", help="ghi thêm trang HTML có biểu đồ")
    sv.set_defaults(func=cmd_service)
