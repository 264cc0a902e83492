"""`python -m assistant catalog check|import|new|review`: the catalogue toolbox for staff.

`check` validates (non-zero exit on errors); `import` builds or updates procedure files from a
national-database spreadsheet; `new` asks questions to write a new procedure file; `review`
records who checked a procedure and when.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli._common import settings, utf8_streams


def _catalog_dir(args: argparse.Namespace) -> Path:
    return Path(args.dir) if args.dir else settings(args).catalog_dir


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_lint import check_directory, format_report

    directory = _catalog_dir(args)
    text, code = format_report(check_directory(directory, args.today), directory)
    print(text)
    return code


def _iso_day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (viết dạng NĂM-THÁNG-NGÀY)") from exc


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_import import run_import

    utf8_streams(sys.stdout, sys.stderr)
    return run_import(Path(args.file), _catalog_dir(args), dry_run=args.dry_run)


def cmd_catalog_new(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_new import run_new

    # Answers are piped in tests and by scripts; read them as UTF-8 whatever the locale says.
    utf8_streams(sys.stdin, sys.stdout, sys.stderr)
    return run_new(_catalog_dir(args), sys.stdin, sys.stdout)


def cmd_catalog_review(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_review import run_review

    utf8_streams(sys.stdout, sys.stderr)
    return run_review(_catalog_dir(args), args.id, args.by)


def register(subparsers: argparse._SubParsersAction) -> None:
    catalog = subparsers.add_parser("catalog", help="catalogue tools")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    check = catalog_sub.add_parser("check", help="validate the catalogue; non-zero exit on errors")
    check.add_argument("dir", nargs="?")
    check.add_argument("--today", type=_iso_day, default=None,
                       help="check date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)")
    check.set_defaults(func=cmd_catalog_check)

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


__all__ = ["cmd_catalog_check", "cmd_catalog_import", "cmd_catalog_new", "cmd_catalog_review", "register"]
