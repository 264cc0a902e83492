"""Input limits and the request-body guard.

Every byte a client sends is read through `BodyLimit`, so an oversized upload is refused with
413 after at most `limit` bytes are buffered — whatever the Content-Length says, and for
chunked bodies too. The JSON API uses a small limit (a question is a few hundred bytes); the
webhooks get more room because platforms wrap a message in metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_CHAT_BODY = 16 * 1024  # bytes of a POST /api/chat body
MAX_TEXT_CHARS = 4000  # characters of one question (the core handles more, citizens never need it)
MAX_WEBHOOK_BODY = 1_000_000  # Telegram updates and Zalo events are a few KB
SESSION_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
SESSION_RE = re.compile(SESSION_PATTERN)


def valid_session(value: object) -> bool:
    return isinstance(value, str) and SESSION_RE.fullmatch(value) is not None


def is_json_media_type(content_type: str | None) -> bool:
    """Exactly `application/json` (parameters such as charset allowed), compared as a media
    type: "text/plain; charset=json" or "multipart/form-data; boundary=json" are not JSON. A
    browser can send those kinds cross-site without asking the server first; JSON it cannot."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def same_origin(headers: Mapping[str, str], public_url: str | None = None) -> bool:
    """Whether a state-changing request may come from this origin. Browsers send `Origin` (and
    `Sec-Fetch-Site`) with every cross-site POST; it must name this site (the Host the request
    was sent to, or ASSISTANT_PUBLIC_URL). Clients that are not browsers send neither and pass:
    they could set any header anyway; what this stops is another site posting with a visitor's
    browser."""
    if headers.get("sec-fetch-site", "").lower() == "cross-site":
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    netloc = urlsplit(origin.strip()).netloc.lower() if origin.strip().lower() != "null" else ""
    if not netloc:
        return False
    allowed = {headers.get("host", "").lower()}
    if public_url:
        allowed.add(urlsplit(public_url).netloc.lower())
    return netloc in allowed


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": code, "message": message}, ensure_ascii=False).encode()


class BodyLimit:
    """ASGI middleware: refuse request bodies above `limit_for(path)` bytes with 413 JSON."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int], message: str,
                 on_reject: Callable[[], None] | None = None) -> None:
        self.app = app
        self.limit_for = limit_for
        self.message = message
        self.on_reject = on_reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await self._reject(send)
                    return
                break
        # Read the whole body (at most `limit` bytes) before the application runs, then replay
        # it: the refusal happens before any endpoint code, so it is always a clean 413.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await self._reject(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        if self.on_reject:
            self.on_reject()
        body = _error_body("payload_too_large", self.message)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


__all__ = ["MAX_CHAT_BODY", "MAX_TEXT_CHARS", "MAX_WEBHOOK_BODY", "SESSION_PATTERN", "BodyLimit", "valid_session"]
