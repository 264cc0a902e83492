"""`python -m assistant demo seed`: demo dossiers for demonstrations."""

from __future__ import annotations

import argparse

from assistant.config import Settings


def cmd_seed(args: argparse.Namespace) -> int:
    from assistant.app import open_database
    from assistant.catalog.loader import load_catalog
    from assistant.core import VN_TZ
    from assistant.dossiers.seed import demo_codes, seed_demo

    settings = Settings.from_env()
    engine = open_database(settings)
    catalog = load_catalog(settings.catalog_dir, settings.locality)
    import datetime as dt

    report = seed_demo(engine, catalog, dt.datetime.now(VN_TZ).replace(tzinfo=None))
    print(report.summary())
    print("Mã hồ sơ để thử:")
    for code in demo_codes():
        print(f"  {code}")
    return 0


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help="demonstration helpers")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    demo_sub.add_parser("seed", help="fill the database with demo dossiers").set_defaults(func=cmd_seed)
