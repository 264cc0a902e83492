"""`python -m assistant staff add NAME`, `handoff list|reply|close` and `retention run`: the
handoff to a civil servant from a terminal, for scripts and for a civil servant on duty."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from assistant.cli._common import settings as current_settings
from assistant.cli._common import utf8_streams


def _engine():
    from assistant.app import open_database

    return open_database(current_settings())


def _store():
    from assistant.handoff.store import HandoffStore

    settings = current_settings()
    from assistant.app import open_database

    group = settings.handoff_chat_id if settings.telegram_token else None
    return HandoffStore(open_database(settings), group=group)


def _utf8() -> None:
    utf8_streams(sys.stdin, sys.stdout, sys.stderr)


def _read_password() -> str | None:
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            print("Hai lần nhập mật khẩu không khớp.", file=sys.stderr)
            return None
        return first
    return sys.stdin.readline().rstrip("\r\n")  # scripts pipe it in; never on the command line


def _set_password(name: str, store: str, done: str) -> int:
    """Read a password and hand it to StaffAccounts.<store>; shared by `staff add` and `staff password`."""
    from assistant.handoff.accounts import AccountError, StaffAccounts

    _utf8()
    password = _read_password()
    if password is None:
        return 2
    try:
        getattr(StaffAccounts(_engine()), store)(name, password)
    except AccountError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(done)
    return 0


def cmd_staff_add(args: argparse.Namespace) -> int:
    return _set_password(args.name, "add", f"Đã tạo tài khoản cán bộ {args.name}. Đăng nhập tại /staff.")


def cmd_staff_password(args: argparse.Namespace) -> int:
    return _set_password(args.name, "set_password",
                         f"Đã đổi mật khẩu của {args.name}; các phiên đăng nhập cũ đã kết thúc.")


def cmd_staff_disable(args: argparse.Namespace) -> int:
    from assistant.handoff.accounts import StaffAccounts

    _utf8()
    if not StaffAccounts(_engine()).disable(args.name):
        print(f"Không có tài khoản {args.name}.", file=sys.stderr)
        return 1
    print(f"Đã khóa tài khoản {args.name}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from assistant.handoff.desk import to_local
    from assistant.handoff.texts import CHANNEL_NAMES

    _utf8()
    store = _store()
    requests = store.list("closed" if args.closed else "open")
    if args.json:
        items = []
        for r in requests:
            item = r.to_json()
            item["transcript"] = [{"author": m.author, "staff": m.staff_name, "text": m.text,
                                   "at": m.at.isoformat(timespec="seconds") + "Z"} for m in store.transcript(r.id)]
            items.append(item)
        sys.stdout.write(json.dumps(items, ensure_ascii=False) + "\n")
        return 0
    if not requests:
        print("Không có yêu cầu nào đang mở." if not args.closed else "Chưa có yêu cầu nào kết thúc.")
        return 0
    for r in requests:
        state = "đã kết thúc" if not r.is_open else ("đã trả lời" if r.first_reply_at else "chờ trả lời")
        print(f"#{r.id}  {CHANNEL_NAMES.get(r.channel, r.channel)}  {r.locality or '—'}  "
              f"mở {to_local(r.opened_at):%H:%M %d/%m/%Y}  {state}"
              + (f"  ({r.claimed_by})" if r.claimed_by else ""))
        for m in store.transcript(r.id)[-4:]:
            who = {"citizen": "Người dân", "bot": "Trợ lý", "staff": f"Cán bộ {m.staff_name or ''}".strip()}
            print(f"    {who.get(m.author, m.author)}: {m.text[:200]}")
    return 0


def cmd_reply(args: argparse.Namespace) -> int:
    _utf8()
    text = " ".join(args.text).strip()
    if not text:
        print("Câu trả lời đang trống.", file=sys.stderr)
        return 2
    outcome = _store().reply(args.id, args.as_, text, key=args.key, via="dòng lệnh")
    messages = {"sent": f"Đã gửi câu trả lời cho yêu cầu #{args.id}.",
                "duplicate": "Câu trả lời với khóa này đã được gửi trước đó (không gửi lại).",
                "closed": f"Yêu cầu #{args.id} đã kết thúc.", "missing": f"Không có yêu cầu #{args.id}."}
    print(messages[outcome], file=sys.stdout if outcome in ("sent", "duplicate") else sys.stderr)
    return 0 if outcome in ("sent", "duplicate") else 1


def cmd_close(args: argparse.Namespace) -> int:
    _utf8()
    if _store().close(args.id, args.as_, via="dòng lệnh"):
        print(f"Đã kết thúc yêu cầu #{args.id}; người dân được báo là trợ lý trả lời tiếp.")
        return 0
    print(f"Yêu cầu #{args.id} không có hoặc đã kết thúc.", file=sys.stderr)
    return 1


def cmd_retention(args: argparse.Namespace) -> int:
    from assistant.handoff.retention import run_retention

    _utf8()
    settings = current_settings()
    days = args.days or settings.transcript_retention_days
    deleted = run_retention(_engine(), days)
    print(f"Đã xóa {deleted} yêu cầu gặp cán bộ (kèm trao đổi) không còn hoạt động quá {days} ngày.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    default_staff = getpass.getuser() if hasattr(getpass, "getuser") else "cán bộ"
    staff = subparsers.choices.get("staff") or subparsers.add_parser("staff", help="tài khoản cán bộ của hộp thư gặp cán bộ")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="tạo tài khoản (mật khẩu nhập từ bàn phím hoặc stdin)")
    add.add_argument("name")
    add.set_defaults(func=cmd_staff_add)
    pw = staff_sub.add_parser("password", help="đặt mật khẩu mới (đăng xuất mọi phiên của tài khoản)")
    pw.add_argument("name")
    pw.set_defaults(func=cmd_staff_password)
    off = staff_sub.add_parser("disable", help="khóa tài khoản (đăng xuất mọi phiên)")
    off.add_argument("name")
    off.set_defaults(func=cmd_staff_disable)

    handoff = subparsers.add_parser("handoff", help="yêu cầu gặp cán bộ: xem, trả lời, kết thúc")
    sub = handoff.add_subparsers(dest="handoff_command", required=True)
    ls = sub.add_parser("list", help="các yêu cầu đang mở, cũ nhất trước, kèm các tin nhắn cuối")
    ls.add_argument("--json", action="store_true", help="in một mảng JSON kèm toàn bộ trao đổi")
    ls.add_argument("--closed", action="store_true", help="xem các yêu cầu đã kết thúc")
    ls.set_defaults(func=cmd_list)
    rp = sub.add_parser("reply", help="trả lời người dân trên kênh họ đã nhắn")
    rp.add_argument("id", type=int)
    rp.add_argument("text", nargs="+")
    rp.add_argument("--as", dest="as_", default=default_staff, help="tên cán bộ ghi trong trao đổi")
    rp.add_argument("--key", help="khóa chống gửi trùng: cùng một khóa không bao giờ gửi hai lần (cho kịch bản tự gửi lại)")
    rp.set_defaults(func=cmd_reply)
    cl = sub.add_parser("close", help="kết thúc yêu cầu; người dân được báo là trợ lý trả lời tiếp")
    cl.add_argument("id", type=int)
    cl.add_argument("--as", dest="as_", default=default_staff)
    cl.set_defaults(func=cmd_close)

    if "retention" not in subparsers.choices:
        retention = subparsers.add_parser("retention", help="xóa dữ liệu cá nhân đã quá thời hạn lưu giữ")
        rsub = retention.add_subparsers(dest="retention_command", required=True)
        run = rsub.add_parser("run", help="xóa trao đổi gặp cán bộ cũ hơn ASSISTANT_TRANSCRIPT_DAYS")
        run.add_argument("--days", type=int, help="thời hạn lưu giữ (số ngày), thay cho cấu hình")
        run.set_defaults(func=cmd_retention)
