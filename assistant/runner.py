"""Start the assistant's channels in one process: what `make run` and `bot.py` do.

Embedded defaults: SQLite under the data directory (created and migrated on first run, demo
dossiers seeded when empty), the web chat on 127.0.0.1, Telegram polling when
TELEGRAM_BOT_TOKEN is set (long polling must run in exactly one process, so only this runner
hands the web server a `TelegramPollingChannel`; workers use webhook mode), catalogue hot reload
that tells staff about a refused edit. Every channel starts and stops in the server's lifespan.
At start-up it prints one line per channel (on, or off and why); a taken web port is one line
with a free port to use instead, not a traceback (wording in `first_run`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from assistant.app import build_assistant
from assistant.catalog.watch import CatalogWatcher
from assistant.config import Settings
from assistant.first_run import channel_lines, port_free, port_in_use_line
from assistant.heap import settle, settling
from assistant.logsafety import configure as configure_logging
from assistant.startup import open_database_degraded, seed_if_empty, staff_notifier
from assistant.store.question_buffer import QuestionLogBuffer
from assistant.web.app import AUTO, create_app
from assistant.web.server import serve as serve_web
from assistant.workdays import warm_up

log = logging.getLogger("assistant")


class PortInUse(OSError):
    """The web port is taken; the message is the one line to show."""


async def serve(settings: Settings) -> None:
    if not port_free(settings.web_host, settings.web_port):
        raise PortInUse(port_in_use_line(settings.web_host, settings.web_port))
    engine, migrated = open_database_degraded(settings)
    # The question log is statistics: written in batches, off the message path (flushed on stop).
    questions = QuestionLogBuffer(engine).start()
    assistant = build_assistant(settings, engine, question_log=questions, keep_last_good=True)
    if migrated:
        seed_if_empty(engine, assistant)
    watcher = CatalogWatcher(settings.catalog_dir, settling(assistant.reload), staff_notifier(settings, engine))
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
    warm_up()
    settle()  # what start-up built lives as long as the process (assistant.heap)
    for line in channel_lines(settings, web=True):  # which channels are on, and why the others are off
        print(line, flush=True)
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
    try:
        asyncio.run(serve(settings))
    except PortInUse as exc:
        print(exc, flush=True)
        return 2
    except OSError as exc:
        if "could not start" not in str(exc):
            raise
        # Bound between our check and uvicorn's bind, or refused for another reason: one line either way.
        if port_free(settings.web_host, settings.web_port):
            print(f"Không mở được trang trò chuyện trên {settings.web_host}:{settings.web_port}: "
                  f"{exc.__cause__ or exc}", flush=True)
        else:
            print(port_in_use_line(settings.web_host, settings.web_port), flush=True)
        return 2
    return 0
