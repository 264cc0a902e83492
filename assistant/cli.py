"""`python -m assistant ...`: the command line other tools rely on.

The JSON shape printed by `ask --json/--jsonl` is a contract (see README): status,
procedure_id, facet, score, candidates, reply.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
from pathlib import Path

from assistant.catalog.loader import CatalogError
from assistant.config import Settings
from assistant.dialogue.conversation import Conversation, Requester
from assistant.logsafety import install_from_env as install_log_redaction_from_env

# Subcommand modules contributed by other parts of the package; each has register(subparsers).
PLUGINS = [
    "assistant.cli_db",
    "assistant.cli_dossier",
    "assistant.cli_demo",
    "assistant.cli_web",
    "assistant.cli_staff",
    "assistant.cli_report",
    "assistant.cli_handoff",
]


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    changes = {}
    if getattr(args, "catalog", None):
        changes["catalog_dir"] = Path(args.catalog)
    if getattr(args, "locality", None) is not None:
        changes["locality"] = None if args.locality in ("", "none", "-") else args.locality
    return dataclasses.replace(settings, **changes)


def _assistant(args: argparse.Namespace):
    """The assistant for these arguments, or None after printing why the catalogue was refused."""
    from assistant.app import build_assistant

    try:
        return build_assistant(_settings(args))
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return None


def _print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    if assistant is None:
        return 2
    requester = Requester("cli", "local")
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\n")
            reply = assistant.handle(question, Conversation(), requester)
            _print_json(reply.to_json())
            sys.stdout.flush()
        return 0
    question = " ".join(args.question)
    if not question:
        print("Cần một câu hỏi, ví dụ: python -m assistant ask \"giấy độc thân mất bao lâu\"", file=sys.stderr)
        return 2
    reply = assistant.handle(question, Conversation(), requester)
    if args.json:
        _print_json(reply.to_json())
    else:
        print(reply.text)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """An interactive terminal chat with follow-up context, for demos."""
    assistant = _assistant(args)
    if assistant is None:
        return 2
    conversation = Conversation()
    requester = Requester("cli", "terminal")
    buttons: list = []
    print("Trợ lý thủ tục hành chính — gõ câu hỏi, Enter để gửi; gõ 'thoát' hoặc Ctrl-D để kết thúc.")
    while True:
        try:
            line = input("\nBạn: ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line.strip().lower() in ("thoát", "thoat", "exit", "quit"):
            return 0
        choice = int(line) - 1 if line.strip().isdigit() else -1
        if buttons and not conversation.pending_candidates and 0 <= choice < len(buttons):
            # A number picks one of the suggestions printed under the last answer.
            reply = assistant.handle_action(buttons[choice].action, conversation, requester)
        else:
            reply = assistant.handle(line, conversation, requester)
        print(f"\nTrợ lý: {reply.text}")
        buttons = reply.buttons if reply.status.value == "answer" else []
        if buttons:
            print("  Gợi ý: " + " | ".join(f"[{i}] {b.label}" for i, b in enumerate(buttons, 1)))


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from assistant.staff.catalog_lint import check_directory, format_report

    directory = Path(args.dir) if args.dir else _settings(args).catalog_dir
    text, code = format_report(check_directory(directory, args.today), directory)
    print(text)
    return code


def _iso_day(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (viết dạng NĂM-THÁNG-NGÀY)") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Trợ lý thủ tục hành chính")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question", nargs="*")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="read questions from stdin, one JSON object per line")
    ask.add_argument("--catalog", help="catalogue directory")
    ask.add_argument("--locality", help="locality slug ('none' for the statutory catalogue)")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive terminal chat")
    chat.add_argument("--catalog")
    chat.add_argument("--locality")
    chat.set_defaults(func=cmd_chat)

    catalog = sub.add_parser("catalog", help="catalogue tools")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    check = catalog_sub.add_parser("check", help="validate the catalogue; non-zero exit on errors")
    check.add_argument("dir", nargs="?")
    check.add_argument("--today", type=_iso_day, default=None,
                       help="check date YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh)")
    check.set_defaults(func=cmd_catalog_check)
    parser.catalog_subparsers = catalog_sub  # type: ignore[attr-defined]

    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    install_log_redaction_from_env()  # staff commands may log database errors with the URL in them
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # `... | head`: the reader has what it wanted. Point stdout at /dev/null so the final
        # flush at exit stays quiet too, and end like a command cut off by its pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
