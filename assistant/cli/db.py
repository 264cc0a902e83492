"""`python -m assistant db upgrade`: create or migrate the database.

The bot applies the migrations at start-up too; this command exists for deployments that
migrate before rolling out new workers, and for staff who want to see where the database is.
"""

from __future__ import annotations

import argparse
import sys

from assistant.cli._common import settings


def cmd_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.store import current_revision, make_engine, upgrade

    engine = make_engine(settings(args).effective_database_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    except SQLAlchemyError as exc:
        print(f"Cơ sở dữ liệu {where} không kết nối được hoặc từ chối nâng cấp: {exc.__class__.__name__}: "
              f"{str(exc).splitlines()[0][:300]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    change = "đã ở phiên bản mới nhất" if before == after else f"đã nâng cấp {before or 'trống'} -> {after}"
    print(f"Cơ sở dữ liệu {where}: {change} (phiên bản {after})")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """Delete what is past its retention period (the server does this daily by itself)."""
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.handoff.retention import run_retention as run_handoff_retention
    from assistant.store import make_engine, upgrade
    from assistant.store.retention import run_retention

    current = settings(args)
    engine = make_engine(current.effective_database_url)
    days = args.days or current.transcript_retention_days
    try:
        upgrade(engine)
        report = run_retention(engine, current)
        transcripts = run_handoff_retention(engine, days)
    except SQLAlchemyError as exc:
        print(f"Chưa xóa được dữ liệu quá hạn: không kết nối được cơ sở dữ liệu ({exc.__class__.__name__}).",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{report.summary()} Hội thoại và nhật ký câu hỏi giữ {current.retention_days} ngày, thông báo web "
          f"chưa đọc {current.web_notification_days} ngày.")
    print(f"Đã xóa {transcripts} yêu cầu gặp cán bộ (kèm trao đổi) không còn hoạt động quá {days} ngày.")
    return 0


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="công cụ cơ sở dữ liệu")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="nâng cấp cấu trúc cơ sở dữ liệu (tạo mới nếu chưa có)").set_defaults(func=cmd_upgrade)
    retention = subparsers.add_parser("retention", help="xóa dữ liệu đã quá thời hạn lưu giữ")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_sub.add_parser("run", help="xóa ngay hội thoại, nhật ký câu hỏi, thông báo hết hạn và "
                                               "trao đổi gặp cán bộ đã quá thời hạn lưu giữ")
    run.add_argument("--days", type=int, help="thời hạn lưu trao đổi gặp cán bộ (số ngày), thay cho cấu hình")
    run.set_defaults(func=cmd_retention)
