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
        print(f"database {where} is unreachable or refused the migration: {exc.__class__.__name__}: "
              f"{str(exc).splitlines()[0][:300]}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    change = "already up to date" if before == after else f"upgraded {before or 'empty'} -> {after}"
    print(f"database {where}: {change} (revision {after})")
    return 0


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (creates the database)").set_defaults(func=cmd_upgrade)
