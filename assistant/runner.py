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

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from assistant.app import build_assistant, open_database
from assistant.catalog.watch import CatalogWatcher
from assistant.config import Settings
from assistant.core import VN_TZ, Assistant

log = logging.getLogger("assistant")


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


def has_web() -> bool:
    return importlib.util.find_spec("assistant.web") is not None


async def serve(settings: Settings) -> None:
    engine = open_database(settings)
    assistant = build_assistant(settings, engine)
    seed_if_empty(engine, assistant)
    watcher = CatalogWatcher(settings.catalog_dir, assistant.reload, staff_notifier(settings, engine))
    watcher.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks = []
    if settings.telegram_token and not settings.telegram_webhook_url:
        from assistant.channels.telegram import run_polling

        tasks.append(asyncio.create_task(run_polling(settings, assistant, engine, stop), name="telegram"))
        log.info("Telegram: polling")
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
        engine.dispose()


def main() -> int:
    logging.basicConfig(level=os.environ.get("ASSISTANT_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    if not has_web() and not settings.telegram_token:
        from assistant.cli import main as cli_main

        engine = open_database(settings)
        seed_if_empty(engine, build_assistant(settings, engine))
        return cli_main(["chat"])
    asyncio.run(serve(settings))
    return 0
