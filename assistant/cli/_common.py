"""What every command shares: settings from the environment plus its options, logging, the
context a staff command works in (settings, migrated database, catalogue), error guarding, and
output that survives a reader closing the pipe early (`... | head`).

One way to do each: a command never reads the environment or configures logging itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.logsafety import configure

NONE_WORDS = ("", "none", "-")


def settings(args: argparse.Namespace | None = None) -> Settings:
    """Settings from the environment, with the command's options applied (--catalog, --locality,
    --host, --port where the command has them)."""
    base = Settings.from_env()
    if args is None:
        return base
    changes: dict[str, Any] = {}
    if getattr(args, "catalog", None):
        changes["catalog_dir"] = Path(args.catalog)
    if getattr(args, "locality", None) is not None:
        changes["locality"] = None if args.locality in NONE_WORDS else args.locality
    if getattr(args, "host", None):
        changes["web_host"] = args.host
    if getattr(args, "port", None):
        changes["web_port"] = args.port
    return dataclasses.replace(base, **changes)


def configure_logging(current: Settings) -> None:
    """Logging and secret redaction for a command that runs the assistant (serve)."""
    configure(current)


def utf8_streams(*streams: object) -> None:
    """Vietnamese text must survive a Windows console or a C locale."""
    for stream in streams:
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")


def silence_stdout() -> None:
    """After a reader stopped early (`... | head`): point stdout at /dev/null so later output and
    the interpreter's final flush stay quiet instead of raising BrokenPipeError again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def emit(text: str) -> None:
    """Print a report; a reader that stops early (`| head`) ends it quietly, not with a traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        silence_stdout()


def print_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def now() -> dt.datetime:
    """Vietnam local time, naive (the convention of dossier dates)."""
    from assistant.workdays import VN_TZ

    return dt.datetime.now(VN_TZ).replace(tzinfo=None)


class Context:
    """Settings, migrated engine and (unless `need_catalog=False`) the catalogue, loaded once per
    command. Raises CatalogError or SQLAlchemyError; `guard` turns them into one line."""

    def __init__(self, args: argparse.Namespace | None = None, need_catalog: bool = True) -> None:
        from assistant.app import open_database

        self.settings = settings(args)
        self.engine = open_database(self.settings)
        self.catalog = None
        if need_catalog:
            from assistant.catalog.loader import load_catalog

            self.catalog = load_catalog(self.settings.catalog_dir, self.settings.locality)

    def calendar(self):
        from assistant.workdays import WorkCalendar

        locality = self.catalog.locality if self.catalog else None
        return WorkCalendar(locality.extra_days_off if locality else ())


def database_error(exc: Exception) -> str:
    return f"Lỗi cơ sở dữ liệu: {exc.__class__.__name__}: {str(exc).splitlines()[0][:300]}"


def guard(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn an unreachable database or a broken catalogue into one line and exit code 1."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from assistant.catalog.loader import CatalogError

        try:
            return func(args)
        except CatalogError as exc:
            print(exc, file=sys.stderr)
            return 1
        except SQLAlchemyError as exc:
            print(database_error(exc), file=sys.stderr)
            return 1

    return run


__all__ = ["Context", "configure_logging", "database_error", "emit", "guard", "now", "print_json", "settings",
           "silence_stdout", "utf8_streams"]
