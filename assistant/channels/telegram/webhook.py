"""Webhook mode: the web server receives Telegram's POSTs and hands them to the application.

Telegram sends the secret given to setWebhook in the `X-Telegram-Bot-Api-Secret-Token` header
of every request; anything without it is not Telegram and is refused with 401 before its body
is even parsed. The web server owns the route (it already runs uvicorn); this module only turns
headers and body into an HTTP status.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.ext import Application

from assistant.channels.headers import header
from assistant.channels.telegram.channel import BOT_DATA_KEY
from assistant.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000  # Telegram updates are a few KB; refuse anything absurd


def webhook_secret(settings: Settings) -> str:
    """The secret token for setWebhook: TELEGRAM_WEBHOOK_SECRET, or one derived from the bot
    token (stable across workers and restarts, never the token itself). Telegram allows
    1–256 characters of A–Z, a–z, 0–9, _ and -."""
    secret = settings.effective_telegram_webhook_secret
    if secret is None:
        raise ValueError("webhook mode needs TELEGRAM_BOT_TOKEN")
    return secret


def webhook_path(settings: Settings, default: str = "/telegram/webhook") -> str:
    """The path to mount the route at: the path of TELEGRAM_WEBHOOK_URL."""
    path = urlsplit(settings.telegram_webhook_url or "").path
    return path if path and path != "/" else default


def authorised(application: Application, headers: Mapping[str, str]) -> bool:
    """True when the request carries the webhook's secret token (constant-time comparison);
    a refusal is counted and logged (without the token given)."""
    channel = application.bot_data[BOT_DATA_KEY]
    expected = webhook_secret(channel.settings)
    given = header(headers, SECRET_HEADER)
    if given is None or not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
        channel.stats["webhook_rejected"] += 1
        log.warning("telegram webhook refused: %s secret token", "missing" if given is None else "wrong")
        return False
    return True


async def handle_webhook(application: Application, headers: Mapping[str, str], body: bytes) -> int:
    """Check the secret, parse the update and queue it. Returns the HTTP status to answer:
    401 wrong or missing secret, 413 oversized, 400 malformed, 200 queued."""
    if not authorised(application, headers):
        return 401
    return await _accept(application, body)


async def _accept(application: Application, body: bytes) -> int:
    if len(body) > MAX_BODY:
        return 413
    try:
        data: Any = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return 400
        update = Update.de_json(data, application.bot)
    except Exception as exc:  # malformed JSON or wrong field types
        log.info("telegram webhook: malformed update (%s)", exc.__class__.__name__)
        return 400
    await application.update_queue.put(update)
    return 200


def starlette_endpoint(application: Application):
    """A Starlette endpoint for `Route(webhook_path(settings), endpoint, methods=["POST"])`."""
    from starlette.requests import Request
    from starlette.responses import Response

    async def endpoint(request: Request) -> Response:
        # The secret first: a stranger's body is never read. Then at most MAX_BODY bytes are
        # buffered, whatever Content-Length says (or for a chunked body, without one).
        if not authorised(application, request.headers):
            return Response(status_code=401)
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return Response(status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response(status_code=413)
        return Response(status_code=await _accept(application, bytes(body)))

    return endpoint


__all__ = ["SECRET_HEADER", "authorised", "handle_webhook", "starlette_endpoint", "webhook_path", "webhook_secret"]
