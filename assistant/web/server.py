"""Running the web server: inside a caller's event loop (`serve`) or as uvicorn workers.

`serve(settings, assistant, engine, stop)` is what `make run` / `bot.py` use (through
`assistant.runner`): uvicorn runs inside the caller's asyncio loop and stops when `stop` is set;
signals stay with the caller. `create_worker_app(settings)` is the factory each worker process
calls when `python -m assistant serve --workers N` starts several (the command hands it the
settings); `create_app_from_env` is the same for a uvicorn started by other means.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette

from assistant.config import Settings
from assistant.core import Assistant
from assistant.logsafety import configure as configure_logging
from assistant.web.app import create_app

log = logging.getLogger(__name__)

GRACEFUL_SHUTDOWN = 10  # seconds in-flight requests get to finish
# Workers serve Telegram only by webhook: long polling must run in exactly one process, and a
# worker cannot know whether it is the only one.
TELEGRAM_NEEDS_WEBHOOK = (
    "TELEGRAM_BOT_TOKEN is set without TELEGRAM_WEBHOOK_URL: web workers do not poll Telegram, so "
    "Telegram chats get no answers and Telegram notifications wait in the outbox until a single "
    "polling process (python bot.py or serve --workers 1) runs; set TELEGRAM_WEBHOOK_URL for workers")


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process that embeds it owns signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def server_config(app: Starlette | str, host: str, port: int, **options) -> uvicorn.Config:
    """uvicorn settings shared by every way of starting the server. No access log: request lines
    carry session ids and the log would grow with every message; /metrics counts requests.
    X-Forwarded-For is believed only from FORWARDED_ALLOW_IPS (uvicorn's default: 127.0.0.1, the
    reverse proxy on the same host), so the client address the throttles see cannot be forged."""
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, server_header=False,
        proxy_headers=True, lifespan="on", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN, **options)


async def serve(settings: Settings, assistant: Assistant, engine: Engine | None, stop: asyncio.Event, *,
                app: Starlette | None = None, started: asyncio.Event | None = None) -> None:
    """Serve the web chat (and the Zalo/Telegram webhooks) until `stop` is set.

    Raises OSError when the address cannot be bound (uvicorn would otherwise exit the process)."""
    app = app or create_app(settings, assistant, engine)
    server = _EmbeddedServer(server_config(app, settings.web_host, settings.web_port))

    async def run() -> None:
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits on bind or lifespan failure
            raise OSError(f"web server could not start on {settings.web_host}:{settings.web_port}") from exc

    task = asyncio.create_task(run(), name="uvicorn")
    waiter = asyncio.create_task(stop.wait(), name="web-stop")
    try:
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started and started is not None:
            started.set()
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        waiter.cancel()
        await task  # graceful: in-flight requests finish, lifespan shutdown stops Zalo/Telegram


def create_app_from_env() -> Starlette:
    """The application for one worker process (uvicorn factory), with settings from the
    environment. `serve --workers N` hands each worker its settings explicitly instead
    (`create_worker_app`); this stays for deployments that run uvicorn themselves."""
    return create_worker_app(Settings.from_env())


def create_worker_app(settings: Settings) -> Starlette:
    """The application for one worker process of `serve --workers N`.

    Each worker opens its own engine and assistant and hot-reloads the catalogue itself; they
    share conversations, dossiers and the outbox through the database. Each worker also runs the
    outbox dispatchers of its channels (Zalo; Telegram in webhook mode): the outbox's claims make
    that safe with any number of workers (see assistant.channels.delivery)."""
    from assistant.app import build_assistant
    from assistant.heap import settle
    from assistant.startup import open_database_degraded
    from assistant.store.question_buffer import QuestionLogBuffer
    from assistant.workdays import warm_up

    configure_logging(settings)
    if settings.telegram_token and not settings.telegram_webhook_url:
        log.warning(TELEGRAM_NEEDS_WEBHOOK)
    # A database that is down must not keep a worker down (uvicorn would stop the whole server):
    # answer from the catalogue and migrate once it is back.
    engine, migrated = open_database_degraded(settings)
    questions = QuestionLogBuffer(engine)
    assistant = build_assistant(settings, engine, question_log=questions, keep_last_good=True)
    app = create_app(settings, assistant, engine, watch_catalog=True, question_log=questions,
                     migrate_later=not migrated)
    warm_up()
    settle()  # what start-up built lives as long as the worker: out of the collector's full passes
    return app


__all__ = ["TELEGRAM_NEEDS_WEBHOOK", "create_app_from_env", "create_worker_app", "serve", "server_config"]
