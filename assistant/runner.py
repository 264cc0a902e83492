"""Start the assistant's channels in one process: what `make run` and `bot.py` do.

Embedded defaults: SQLite under the data directory (created and migrated on first run, demo
dossiers seeded when empty), the web chat on 127.0.0.1, Telegram polling when
TELEGRAM_BOT_TOKEN is set, catalogue hot reload. Without a web server module the terminal
chat is started instead, so a laptop demo always works.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib.util
import logging
import os
import signal

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.app import build_assistant, open_database
from assistant.catalog.watch import CatalogWatcher
from assistant.config import Settings
from assistant.core import VN_TZ, Assistant
from assistant.logsafety import install as install_log_redaction
from assistant.store import make_engine, upgrade
from assistant.store.question_buffer import QuestionLogBuffer

log = logging.getLogger("assistant")

MIGRATE_RETRY_FIRST = 2.0  # seconds before retrying a start-up migration the database refused
MIGRATE_RETRY_CAP = 60.0


def seed_if_empty(engine, assistant: Assistant) -> None:
    """Demo dossiers on a fresh embedded database, so `make run` has codes to look up."""
    from assistant.dossiers.seed import seed_demo
    from assistant.store.models import Dossier

    if os.environ.get("ASSISTANT_DEMO", "1") == "0":
        return
    try:
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(Dossier)).scalar()
        if not count:
            report = seed_demo(engine, assistant.catalog, dt.datetime.now(VN_TZ).replace(tzinfo=None))
            log.info("demo dossiers seeded: %s", report.summary())
    except SQLAlchemyError:
        log.warning("could not seed demo dossiers")


def refused_reload_text(problems) -> str:
    shown = [str(p) for p in problems[:15]]
    more = len(problems) - len(shown)
    return ("Danh mục vừa sửa có lỗi nên chưa được nạp; hệ thống vẫn dùng danh mục cũ. Cần sửa:\n"
            + "\n".join(shown) + (f"\n… và {more} lỗi khác." if more > 0 else ""))


def staff_notifier(settings: Settings, engine):
    """Tell staff on Telegram, through the outbox, when an edited catalogue was refused."""
    from assistant.store import Outbox

    def notify(problems) -> None:
        if not settings.telegram_token:
            return
        try:
            outbox = Outbox(engine)
            for chat_id in sorted(settings.staff_chat_ids):
                outbox.add("telegram", chat_id, refused_reload_text(problems))
        except SQLAlchemyError:
            log.warning("could not queue the refused-reload message for staff")

    return notify


def open_database_degraded(settings: Settings) -> tuple[Engine, bool]:
    """The engine, migrated when the database answers. A database that is down at start-up must
    not keep the assistant down: procedures are answered from the catalogue meanwhile and
    dossier lookups say "try again later". Returns (engine, migrated)."""
    try:
        return open_database(settings), True
    except SQLAlchemyError as exc:
        log.warning("database unavailable at start-up (%s); answering from the catalogue, retrying in the "
                    "background", exc.__class__.__name__)
        return make_engine(settings.effective_database_url), False


async def migrate_when_available(engine: Engine, assistant: Assistant, stop: asyncio.Event,
                                 first: float = MIGRATE_RETRY_FIRST, cap: float = MIGRATE_RETRY_CAP) -> None:
    """Retry the start-up migration (and the demo seed) until the database answers or we stop,
    so a database that comes back after the assistant needs no restart."""
    pause = first
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)
        if stop.is_set():
            return
        try:
            await asyncio.to_thread(upgrade, engine)
        except SQLAlchemyError as exc:
            log.info("database still unavailable (%s); next try in %.0fs", exc.__class__.__name__,
                     min(cap, pause * 2))
            pause = min(cap, pause * 2)
            continue
        await asyncio.to_thread(seed_if_empty, engine, assistant)
        log.info("database available again: schema up to date")
        return


def has_web() -> bool:
    return importlib.util.find_spec("assistant.web") is not None


class PortInUse(OSError):
    """The web port is taken; the message is the one line to show."""


async def serve(settings: Settings) -> None:
    from assistant.first_run import channel_lines, port_free, port_in_use_line

    web = has_web()
    if web and not port_free(settings.web_host, settings.web_port):
        raise PortInUse(port_in_use_line(settings.web_host, settings.web_port))
    engine, migrated = open_database_degraded(settings)
    # The question log is statistics: written in batches, off the message path (flushed on stop).
    questions = QuestionLogBuffer(engine).start()
    assistant = build_assistant(settings, engine, question_log=questions, keep_last_good=True)
    if migrated:
        seed_if_empty(engine, assistant)
    watcher = CatalogWatcher(settings.catalog_dir, assistant.reload, staff_notifier(settings, engine))
    watcher.start()
    assistant.watcher = watcher
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = []
    if not migrated:
        tasks.append(asyncio.create_task(migrate_when_available(engine, assistant, stop), name="migrate"))
    if settings.telegram_token and not settings.telegram_webhook_url:
        from assistant.channels.telegram import run_polling

        tasks.append(asyncio.create_task(run_polling(settings, assistant, engine, stop), name="telegram"))
        log.info("Telegram: polling")
    for line in channel_lines(settings, web):
        print(line, flush=True)
    try:
        if has_web():
            from assistant.web import serve as serve_web

            log.info("web chat: http://%s:%s/", settings.web_host, settings.web_port)
            await serve_web(settings, assistant, engine, stop)
        elif tasks:
            await stop.wait()
    finally:
        stop.set()
        for task in tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=10)
        watcher.stop()
        await asyncio.to_thread(questions.close)
        engine.dispose()


def main() -> int:
    logging.basicConfig(level=os.environ.get("ASSISTANT_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    install_log_redaction(settings)
    if not has_web() and not settings.telegram_token:
        from assistant.cli import main as cli_main

        engine = open_database(settings)
        seed_if_empty(engine, build_assistant(settings, engine))
        return cli_main(["chat"])
    try:
        asyncio.run(serve(settings))
    except PortInUse as exc:
        print(exc, flush=True)
        return 2
    except OSError as exc:
        if "could not start" not in str(exc):
            raise
        from assistant.first_run import port_free, port_in_use_line

        if port_free(settings.web_host, settings.web_port):
            print(f"Không mở được trang trò chuyện trên {settings.web_host}:{settings.web_port}: "
                  f"{exc.__cause__ or exc}", flush=True)
        else:
            print(port_in_use_line(settings.web_host, settings.web_port), flush=True)
        return 2
    return 0
