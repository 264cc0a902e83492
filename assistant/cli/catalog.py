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
    catalog = subparsers.add_parser("catalog", help="công cụ danh mục thủ tục")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    check = catalog_sub.add_parser("check", help="kiểm tra danh mục; có lỗi thì trả mã thoát khác 0")
    check.add_argument("dir", nargs="?")
    check.add_argument("--today", type=_iso_day, default=None,
                       help="ngày kiểm tra, dạng NĂM-THÁNG-NGÀY (mặc định: hôm nay theo giờ Việt Nam)")
    check.set_defaults(func=cmd_catalog_check)

    imp = catalog_sub.add_parser(
        "import",
        help="tạo hoặc cập nhật tệp thủ tục từ bảng tính xuất từ Cơ sở dữ liệu quốc gia về TTHC (.xlsx/.csv)",
        description="Tạo hoặc cập nhật các tệp YAML thủ tục từ bảng tính xuất từ Cơ sở dữ liệu quốc gia về "
                    "thủ tục hành chính. Một dòng lỗi thì không ghi gì.",
    )
    imp.add_argument("file", help="bảng tính (.xlsx hoặc .csv), mỗi thủ tục một dòng")
    imp.add_argument("--dir", help="thư mục danh mục (mặc định: ASSISTANT_CATALOG_DIR hoặc procedures_catalog)")
    imp.add_argument("--dry-run", action="store_true", help="in các thay đổi sẽ làm, không ghi gì")
    imp.set_defaults(func=cmd_catalog_import)

    new = catalog_sub.add_parser("new", help="trả lời từng câu hỏi để soạn tệp thủ tục mới")
    new.add_argument("--dir", help="thư mục danh mục (mặc định: ASSISTANT_CATALOG_DIR hoặc procedures_catalog)")
    new.set_defaults(func=cmd_catalog_new)

    review = catalog_sub.add_parser("review", help="ghi nhận người đã rà soát một thủ tục (ai, ngày nào)")
    review.add_argument("id", help="mã thủ tục trong danh mục")
    review.add_argument("--by", required=True, help="họ tên người đã rà soát thông tin")
    review.add_argument("--dir", help="thư mục danh mục (mặc định: ASSISTANT_CATALOG_DIR hoặc procedures_catalog)")
    review.set_defaults(func=cmd_catalog_review)


__all__ = ["cmd_catalog_check", "cmd_catalog_import", "cmd_catalog_new", "cmd_catalog_review", "register"]
