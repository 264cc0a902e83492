"""Telegram as a `channels.base.Channel`, hosted by the web server, in either mode.

Webhook mode (`TelegramWebhookChannel`, any number of workers): the server mounts `routes()`
(the path of TELEGRAM_WEBHOOK_URL), calls `start()` in its lifespan and `stop()` on shutdown.
Registering the webhook with Telegram is retried in the background with a growing pause while
Telegram is unreachable, so the web chat never waits for it.

Polling mode (`TelegramPollingChannel`): long polling must run in exactly one process, so only
the single-process runner (`make run`, `serve --workers 1`) hosts it; it serves no route.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from telegram.ext import Application

from assistant.channels.delivery import DeliveryError
from assistant.channels.telegram.application import channel_of, run_polling, start_webhook, stop_application
from assistant.channels.telegram.channel import CHANNEL
from assistant.channels.telegram.webhook import handle_webhook, webhook_path
from assistant.config import Settings
from assistant.core import Assistant

log = logging.getLogger(__name__)

RETRY_CAP = 60.0


class TelegramWebhookChannel:
    """One PTB `Application` (built by `build_application`) receiving updates by webhook."""

    name = CHANNEL

    def __init__(self, application: Application) -> None:
        self.application = application
        self.channel = channel_of(application)
        self._task: asyncio.Task[None] | None = None

    def routes(self) -> list[BaseRoute]:
        return [Route(webhook_path(self.channel.settings), self.endpoint, methods=["POST"])]

    async def endpoint(self, request: Request) -> Response:
        status = await handle_webhook(self.application, request.headers, await request.body())
        return Response(status_code=status)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._register(), name="telegram-webhook")

    async def _register(self) -> None:
        pause = 1.0
        while True:
            try:
                await start_webhook(self.application)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("telegram webhook not registered (%s); retrying in %.0fs", exc.__class__.__name__, pause)
                with contextlib.suppress(Exception):
                    await stop_application(self.application)
                await asyncio.sleep(pause)
                pause = min(RETRY_CAP, pause * 2)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None
        try:
            await stop_application(self.application)
        except Exception as exc:
            log.debug("telegram stop: %s", exc.__class__.__name__)

    async def deliver(self, chat_id: str, text: str) -> None:
        await self.channel.deliver(chat_id, text)

    def health(self) -> dict[str, Any]:
        return {"mode": "webhook", "running": bool(self.application.running)}


class TelegramPollingChannel:
    """Long polling (`run_polling`) for the lifetime of the server: retried while Telegram is
    unreachable, off (logged once) when the token is refused."""

    name = CHANNEL
    STOP_TIMEOUT = 10.0

    def __init__(self, settings: Settings, assistant: Assistant, engine: Engine | None) -> None:
        self.settings = settings
        self.assistant = assistant
        self.engine = engine
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def routes(self) -> list[BaseRoute]:
        return []

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(run_polling(self.settings, self.assistant, self.engine, self._stop),
                                         name="telegram")
        log.info("Telegram: polling")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, timeout=self.STOP_TIMEOUT)
            self._task = None

    async def deliver(self, chat_id: str, text: str) -> None:
        """Notifications are delivered by the application's own dispatcher while it polls."""
        raise DeliveryError("telegram: delivered by the polling application's dispatcher")

    def health(self) -> dict[str, Any]:
        return {"mode": "polling", "running": self._task is not None and not self._task.done()}


__all__ = ["TelegramPollingChannel", "TelegramWebhookChannel"]
