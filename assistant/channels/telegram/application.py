"""Build and run the Telegram bot inside an asyncio loop someone else owns.

The web server process runs the bot next to uvicorn, so nothing here blocks or installs
signal handlers: `run_polling` takes an `asyncio.Event` to stop, and webhook mode exposes
`start_webhook`/`stop_application` for the server's lifespan plus `handle_webhook` (see
`webhook.py`) for its route.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import importlib.util
import logging
import sys
from typing import Any

from sqlalchemy import Engine
from telegram import BotCommand
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseRateLimiter

from assistant.channels.ratelimit import SlidingWindowLimiter
from assistant.channels.telegram import texts
from assistant.channels.telegram.channel import ALLOWED_UPDATES, BOT_DATA_KEY, CHANNEL, TelegramChannel
from assistant.channels.telegram.processor import PerChatUpdateProcessor
from assistant.channels.telegram.request import JsonHTTPXRequest
from assistant.config import Settings
from assistant.core import Assistant

log = logging.getLogger(__name__)

_DEFAULT: Any = object()
STARTUP_RETRY_CAP = 60.0
# Connections for sending: one per chat processed at once, so requests never queue inside
# httpcore, whose pool bookkeeping grows with (queued requests × connections). Sixteen at a
# ~200 ms round trip to Telegram already exceed its ~30 messages/s per bot.
SEND_CONNECTIONS = 16


def default_rate_limiter() -> AIORateLimiter:
    """Telegram's documented limits (~30 messages/s overall, 20/min per group), retrying a 429
    up to three times after the retry-after Telegram gives."""
    return AIORateLimiter(max_retries=3)


def quiet_library_logs() -> None:
    """Keep secrets and citizens' words out of the logs. At DEBUG, python-telegram-bot logs the
    Bot API URL (which contains the token) and every message text, and httpx logs request URLs
    at INFO. Raise those loggers unless the operator configured them deliberately."""
    for name, level in (("httpx", logging.WARNING), ("httpcore", logging.WARNING), ("telegram", logging.INFO)):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(level)


@functools.cache
def _fast_fail_missing_sniffio() -> None:
    """httpcore asks `import sniffio` on every request to learn which async library runs it;
    when sniffio is not installed (recent anyio no longer pulls it in) that failed import
    searches sys.path each time: a fifth of the bot's CPU under load in our profile. Recording the
    absence once makes the import fail immediately, with the same result (asyncio)."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]  # Python's "known missing" marker


def build_application(
    settings: Settings,
    assistant: Assistant,
    engine: Engine | None,
    *,
    base_url: str | None = None,
    rate_limiter: BaseRateLimiter | None = _DEFAULT,
    limiter: SlidingWindowLimiter | None = None,
    max_concurrent_updates: int = 16,
    turn_threads: int | None = None,
    request_timeout: float = 10.0,
    reply_attempts: int = 3,
    reply_retry_delay: float = 0.5,
    outbox_batch: int = 20,
    outbox_interval: float = 2.0,
    worker_id: str | None = None,
) -> Application:
    """The PTB `Application` for the assistant, not yet started.

    `base_url` follows PTB's convention (`https://api.telegram.org/bot`, the token is appended);
    default TELEGRAM_API_BASE (a self-hosted Bot API server), else Telegram's. Tests and
    benchmarks point it at a fake Bot API server. `rate_limiter=None` disables PTB's send limiter
    (benchmarks only); `limiter` is the per-chat flood guard (20 messages a minute by default).
    `max_concurrent_updates` chats are served at once (one update at a time per chat);
    `turn_threads` run the synchronous core and store (default 1 on SQLite, 4 otherwise).
    `engine=None` keeps conversations in process memory and disables outbox delivery.
    """
    token = settings.telegram_token
    if not token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_library_logs()
    _fast_fail_missing_sniffio()
    builder = (
        ApplicationBuilder()
        .token(token)
        .concurrent_updates(PerChatUpdateProcessor(max_concurrent_updates))
        .request(JsonHTTPXRequest(SEND_CONNECTIONS, request_timeout))
        .get_updates_request(JsonHTTPXRequest(1, request_timeout))
    )
    base_url = base_url or settings.telegram_api_base
    if base_url:
        builder = builder.base_url(base_url)
    if rate_limiter is _DEFAULT:
        rate_limiter = default_rate_limiter()
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    application = builder.build()
    channel = TelegramChannel(
        settings, assistant, engine, limiter=limiter, reply_attempts=reply_attempts,
        reply_retry_delay=reply_retry_delay, outbox_batch=outbox_batch, outbox_interval=outbox_interval,
        worker_id=worker_id, turn_threads=turn_threads)
    channel.register(application)
    return application


def channel_of(application: Application) -> TelegramChannel:
    """The adapter state attached to an application built by `build_application`."""
    return application.bot_data[BOT_DATA_KEY]


async def _set_commands(application: Application) -> None:
    """The command menu next to the input box; cosmetic, so failures are only logged."""
    try:
        await application.bot.set_my_commands([BotCommand(name, text) for name, text in texts.COMMANDS])
    except TelegramError as exc:
        log.info("command menu not set: %s", exc.__class__.__name__)


async def start_polling(application: Application, *, poll_timeout: float = 10.0,
                        drop_pending_updates: bool = False) -> None:
    """Initialise, start processing, long-poll getUpdates and deliver the outbox. Returns once
    running; raises the Bot API error when Telegram cannot be reached at all."""
    channel = channel_of(application)
    await application.initialize()
    await _set_commands(application)
    await application.start()
    assert application.updater is not None

    def polling_error(exc: TelegramError) -> None:  # PTB retries polling by itself; keep logs short
        channel.stats["polling_errors"] += 1
        log.warning("polling getUpdates failed: %s", exc.__class__.__name__)

    await application.updater.start_polling(
        timeout=dt.timedelta(seconds=poll_timeout), allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=drop_pending_updates, error_callback=polling_error)
    channel.start_outbox()
    channel.turns.serve_exclusively(CHANNEL)  # Telegram gives a bot's updates to one poller only
    log.info("telegram bot @%s polling", application.bot.username)


async def start_webhook(application: Application, *, url: str | None = None) -> None:
    """Initialise, start processing updates queued by `handle_webhook`, register the webhook
    with its secret token, and deliver the outbox."""
    from assistant.channels.telegram.webhook import webhook_secret

    channel = channel_of(application)
    url = url or channel.settings.telegram_webhook_url
    if not url:
        raise ValueError("TELEGRAM_WEBHOOK_URL is not set")
    await application.initialize()
    await _set_commands(application)
    await application.start()
    await application.bot.set_webhook(url=url, secret_token=webhook_secret(channel.settings),
                                      allowed_updates=ALLOWED_UPDATES)
    channel.start_outbox()
    log.info("telegram bot @%s receiving webhooks", application.bot.username)


async def stop_application(application: Application) -> None:
    """Stop fetching, finish in-flight updates and the current notification, then shut down.
    Safe to call on a partly started application."""
    channel = channel_of(application)
    await channel.stop_outbox()
    try:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
    finally:
        try:
            await application.shutdown()
        except Exception as exc:  # a half-initialised application may refuse; nothing left to free
            log.debug("shutdown: %s", exc.__class__.__name__)
        channel.close()


async def run_polling(settings: Settings, assistant: Assistant, engine: Engine | None, stop: asyncio.Event,
                      *, poll_timeout: float = 10.0, **build_options: Any) -> None:
    """Run the bot by long polling until `stop` is set, inside the caller's event loop.

    When Telegram is unreachable at startup we retry with a growing pause instead of taking the
    web server down with us; a rejected token is logged once and the bot stays off.
    """
    application = build_application(settings, assistant, engine, **build_options)
    pause = 1.0
    started = False
    while not stop.is_set() and not started:
        try:
            await start_polling(application, poll_timeout=poll_timeout)
            started = True
        except InvalidToken:
            log.error("telegram rejected the bot token; the Telegram channel stays off")
            await stop_application(application)
            return
        except (TelegramError, OSError) as exc:
            log.warning("telegram unreachable at startup (%s); retrying in %.0fs", exc.__class__.__name__, pause)
            await stop_application(application)
            application = build_application(settings, assistant, engine, **build_options)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = min(STARTUP_RETRY_CAP, pause * 2)
    if not started:
        return
    try:
        await stop.wait()
    finally:
        await stop_application(application)

__all__ = [
    "build_application", "channel_of", "default_rate_limiter", "run_polling", "start_polling", "start_webhook",
    "stop_application",
]
