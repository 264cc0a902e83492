"""Start the assistant's channels in one process: what `make run` and `bot.py` do.

Embedded defaults: SQLite under the data directory (created and migrated on first run, demo
dossiers seeded when empty), the web chat on 127.0.0.1, Telegram polling when
TELEGRAM_BOT_TOKEN is set (long polling must run in exactly one process, so only this runner
hands the web server a `TelegramPollingChannel`; workers use webhook mode), catalogue hot reload
that tells staff about a refused edit. Every channel starts and stops in the server's lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from assistant.app import build_assistant
from assistant.catalog.watch import CatalogWatcher
from assistant.config import Settings
from assistant.logsafety import configure as configure_logging
from assistant.startup import open_database_degraded, seed_if_empty, staff_notifier
from assistant.store.question_buffer import QuestionLogBuffer
from assistant.web.app import AUTO, create_app
from assistant.web.server import serve as serve_web

log = logging.getLogger("assistant")


async def serve(settings: Settings) -> None:
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
    telegram = AUTO  # webhook mode when TELEGRAM_WEBHOOK_URL is set, like every web worker
    if settings.telegram_token and not settings.telegram_webhook_url:
        from assistant.channels.telegram import TelegramPollingChannel

        telegram = TelegramPollingChannel(settings, assistant, engine)  # this process is the only one
    app = create_app(settings, assistant, engine, telegram=telegram, migrate_later=not migrated)
    try:
        log.info("web chat: http://%s:%s/", settings.web_host, settings.web_port)
        await serve_web(settings, assistant, engine, stop, app=app)
    finally:
        stop.set()
        watcher.stop()
        await asyncio.to_thread(questions.close)
        engine.dispose()


def main() -> int:
    settings = Settings.from_env()
    configure_logging(settings)
    asyncio.run(serve(settings))
    return 0
