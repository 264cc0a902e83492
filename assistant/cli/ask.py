"""`python -m assistant ask` and `chat`: questions from the command line.

The JSON shape printed by `ask --json/--jsonl` is a contract (see README): status,
procedure_id, facet, score, candidates, reply.
"""

from __future__ import annotations

import argparse
import sys

from assistant.catalog.loader import CatalogError
from assistant.cli._common import print_json, settings
from assistant.dialogue.conversation import Conversation, Requester


def _assistant(args: argparse.Namespace):
    """The assistant for these arguments, or None after printing why the catalogue was refused."""
    from assistant.app import build_assistant

    try:
        return build_assistant(settings(args))
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return None


def cmd_ask(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    if assistant is None:
        return 2
    requester = Requester("cli", "local")
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\n")
            reply = assistant.handle(question, Conversation(), requester)
            print_json(reply.to_json())
            sys.stdout.flush()
        return 0
    question = " ".join(args.question)
    if not question:
        print("Cần một câu hỏi, ví dụ: python -m assistant ask \"giấy độc thân mất bao lâu\"", file=sys.stderr)
        return 2
    reply = assistant.handle(question, Conversation(), requester)
    if args.json:
        print_json(reply.to_json())
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


def register(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="trả lời một câu hỏi (như người dân hỏi)")
    ask.add_argument("question", nargs="*")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="in kết quả dạng một đối tượng JSON")
    mode.add_argument("--jsonl", action="store_true", help="đọc câu hỏi từ đầu vào chuẩn, in mỗi câu trả lời một dòng JSON")
    ask.add_argument("--catalog", help="thư mục danh mục thủ tục")
    ask.add_argument("--locality", help="mã địa phương ('none': chỉ quy định chung, không áp dụng quy định riêng)")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="trò chuyện với trợ lý ngay trong cửa sổ dòng lệnh")
    chat.add_argument("--catalog")
    chat.add_argument("--locality")
    chat.set_defaults(func=cmd_chat)


__all__ = ["cmd_ask", "cmd_chat", "register"]
