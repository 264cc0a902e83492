"""`python -m assistant db upgrade`."""

from __future__ import annotations

import argparse

from assistant.config import Settings


def cmd_upgrade(args: argparse.Namespace) -> int:
    from assistant.store import make_engine, upgrade

    settings = Settings.from_env()
    upgrade(make_engine(settings.effective_database_url))
    print(f"database is up to date ({make_engine(settings.effective_database_url).url.render_as_string()})")
    return 0


def register(subparsers) -> None:
    db = subparsers.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (creates the database)").set_defaults(func=cmd_upgrade)
