"""`python -m assistant catalog check|import|new`: the catalogue toolbox for staff.

`check` validates (non-zero exit on errors); `import` builds or updates procedure files from a
national-database spreadsheet; `new` asks questions to write a new procedure file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli._common import settings, utf8_streams


def _catalog_dir(args: argparse.Namespace) -> Path:
    return Path(args.dir) if args.dir else settings(args).catalog_dir


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from assistant.catalog.loader import check_catalog

    directory = _catalog_dir(args)
    problems = check_catalog(directory)
    if not problems:
        from assistant.catalog.loader import load_catalog
        from assistant.staff.catalog_lint import lint_catalog

        # Regression examples and warnings run on the statutory catalogue once it loads.
        problems = lint_catalog(load_catalog(directory))
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        print(problem)
    if errors:
        print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)", file=sys.stderr)
        return 1
    print(f"OK: catalogue {directory} is valid ({len(problems)} warning(s))", file=sys.stderr)
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_import import run_import

    utf8_streams(sys.stdout, sys.stderr)
    return run_import(Path(args.file), _catalog_dir(args), dry_run=args.dry_run)


def cmd_catalog_new(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_new import run_new

    # Answers are piped in tests and by scripts; read them as UTF-8 whatever the locale says.
    utf8_streams(sys.stdin, sys.stdout, sys.stderr)
    return run_new(_catalog_dir(args), sys.stdin, sys.stdout)


def register(subparsers: argparse._SubParsersAction) -> None:
    catalog = subparsers.add_parser("catalog", help="catalogue tools")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    check = catalog_sub.add_parser("check", help="validate the catalogue; non-zero exit on errors")
    check.add_argument("dir", nargs="?")
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


__all__ = ["cmd_catalog_check", "cmd_catalog_import", "cmd_catalog_new", "register"]
