"""`python -m assistant db upgrade`: create or migrate the database.

The bot applies the migrations at start-up too; this command exists for deployments that
migrate before rolling out new workers, and for staff who want to see where the database is.
"""

from __future__ import annotations

import argparse
import sys

from assistant.config import Settings


def cmd_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.store import current_revision, make_engine, upgrade

    settings = Settings.from_env()
    engine = make_engine(settings.effective_database_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    except SQLAlchemyError as exc:
        print(f"database {where} is unreachable or refused the migration: {exc.__class__.__name__}: "
              f"{str(exc).splitlines()[0][:300]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    change = "already up to date" if before == after else f"upgraded {before or 'empty'} -> {after}"
    print(f"database {where}: {change} (revision {after})")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """Delete what is past its retention period (the server does this daily by itself)."""
    from sqlalchemy.exc import SQLAlchemyError

    from assistant.handoff.retention import run_retention as run_handoff_retention
    from assistant.store import make_engine, upgrade
    from assistant.store.retention import run_retention

    settings = Settings.from_env()
    engine = make_engine(settings.effective_database_url)
    days = args.days or settings.transcript_retention_days
    try:
        upgrade(engine)
        report = run_retention(engine, settings)
        transcripts = run_handoff_retention(engine, days)
    except SQLAlchemyError as exc:
        print(f"Chưa xóa được dữ liệu quá hạn: không kết nối được cơ sở dữ liệu ({exc.__class__.__name__}).",
              file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{report.summary()} Hội thoại và nhật ký câu hỏi giữ {settings.retention_days} ngày, thông báo web "
          f"chưa đọc {settings.web_notification_days} ngày.")
    print(f"Đã xóa {transcripts} yêu cầu gặp cán bộ (kèm trao đổi) không còn hoạt động quá {days} ngày.")
    return 0


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (creates the database)").set_defaults(func=cmd_upgrade)
    retention = subparsers.add_parser("retention", help="delete data past its retention period")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_sub.add_parser("run", help="delete conversations, question log, expired notifications and "
                                               "handoff transcripts past their periods, now")
    run.add_argument("--days", type=int, help="override the handoff transcripts' period (days)")
    run.set_defaults(func=cmd_retention)
