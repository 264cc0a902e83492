"""Staff commands for authoring the catalogue: `catalog import`, `catalog new`, `catalog review`.

They hang under the existing `catalog` command (next to `catalog check`) because staff think
of them as one toolbox; assistant/cli.py calls `register` with the top-level subparsers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _catalog_dir(args: argparse.Namespace) -> Path:
    if args.dir:
        return Path(args.dir)
    from assistant.config import Settings

    return Settings.from_env().catalog_dir


def _utf8_streams(*streams: object) -> None:
    """Vietnamese text must survive a Windows console or a C locale."""
    for stream in streams:
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_import import run_import

    _utf8_streams(sys.stdout, sys.stderr)
    return run_import(Path(args.file), _catalog_dir(args), dry_run=args.dry_run)


def cmd_catalog_new(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_new import run_new

    # Answers are piped in tests and by scripts; read them as UTF-8 whatever the locale says.
    _utf8_streams(sys.stdin, sys.stdout, sys.stderr)
    return run_new(_catalog_dir(args), sys.stdin, sys.stdout)


def cmd_catalog_review(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_review import run_review

    _utf8_streams(sys.stdout, sys.stderr)
    return run_review(_catalog_dir(args), args.id, args.by)


def _catalog_subparsers(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    catalog = subparsers.choices.get("catalog")
    if catalog is None:  # the core CLI always defines it; keep working if it ever does not
        catalog = subparsers.add_parser("catalog", help="catalogue tools")
        return catalog.add_subparsers(dest="catalog_command", required=True)
    for action in catalog._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return catalog.add_subparsers(dest="catalog_command", required=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    catalog_sub = _catalog_subparsers(subparsers)

    imp = catalog_sub.add_parser(
        "import",
        help="build or update procedure files from a national-database spreadsheet (.xlsx/.csv)",
        description="Create or update YAML procedure files from a spreadsheet exported from the national "
                    "database of administrative procedures. All-or-nothing: one bad row writes nothing.",
    )
    imp.add_argument("file", help="spreadsheet (.xlsx or .csv), one row per procedure")
    imp.add_argument("--dir", help="catalogue directory (default: ASSISTANT_CATALOG_DIR or procedures_catalog)")
    imp.add_argument("--dry-run", action="store_true", help="print a unified diff and write nothing")
    imp.set_defaults(func=cmd_catalog_import)

    new = catalog_sub.add_parser("new", help="answer questions (in Vietnamese) to write a new procedure file")
    new.add_argument("--dir", help="catalogue directory (default: ASSISTANT_CATALOG_DIR or procedures_catalog)")
    new.set_defaults(func=cmd_catalog_new)

    review = catalog_sub.add_parser("review", help="record that a person checked a procedure (who and when)")
    review.add_argument("id", help="procedure id")
    review.add_argument("--by", required=True, help="full name of the person who checked the facts")
    review.add_argument("--dir", help="catalogue directory (default: ASSISTANT_CATALOG_DIR or procedures_catalog)")
    review.set_defaults(func=cmd_catalog_review)
