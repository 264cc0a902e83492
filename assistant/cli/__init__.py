"""`python -m assistant ...`: the command line other tools rely on.

One module per command group, each with `register(subparsers)`; `COMMANDS` lists them all, so
a module that cannot be imported is an error, never a silently missing command. The JSON shape
printed by `ask --json/--jsonl` is a contract (see README): status, procedure_id, facet, score,
candidates, reply.
"""

from __future__ import annotations

import argparse
import sys

from assistant.cli import ask, catalog, db, demo, dossier, handoff, report, serve, vietnamese
from assistant.cli._common import silence_stdout
from assistant.logsafety import install_from_env as install_log_redaction_from_env

COMMANDS = (ask, catalog, db, dossier, demo, serve, report, handoff)


def build_parser() -> argparse.ArgumentParser:
    vietnamese.install()
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Trợ lý thủ tục hành chính")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
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
        # `... | head`: the reader has what it wanted. End quietly, like a command cut off by its pipe.
        silence_stdout()
        return 141


__all__ = ["COMMANDS", "build_parser", "main"]
