"""`python -m assistant demo seed`: demo dossiers for demonstrations.

One dossier per catalogue procedure, in every status, some late, with fixed codes (listed
after seeding and in docs/dossiers.md). Idempotent: run it again to refresh the dates.
"""

from __future__ import annotations

import argparse

from assistant.cli._common import guard, now, settings


@guard
def cmd_seed(args: argparse.Namespace) -> int:
    from assistant.catalog.loader import load_catalog
    from assistant.dossiers.seed import DEMOS, seed_demo
    from assistant.store import make_engine, upgrade

    current = settings(args)
    catalog = load_catalog(current.catalog_dir, current.locality)
    engine = make_engine(current.effective_database_url)
    upgrade(engine)
    report = seed_demo(engine, catalog, now())
    print(report.summary())
    print("Mã hồ sơ để thử (gửi cho trợ lý, ví dụ: python -m assistant ask \"hồ sơ <mã>\"):")
    for demo in DEMOS:
        if catalog.get(demo.procedure_id) is not None:
            name = catalog.get(demo.procedure_id).display_name
            print(f"  {demo.code}  {name} — {demo.status}")
    return 0


def register(subparsers) -> None:
    demo = subparsers.add_parser("demo", help="công cụ trình diễn")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    demo_sub.add_parser("seed", help="thêm hồ sơ mẫu vào cơ sở dữ liệu (chạy lại không tạo trùng)").set_defaults(func=cmd_seed)
