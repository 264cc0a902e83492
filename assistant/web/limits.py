"""Input limits and the request-body guard.

Every byte a client sends is read through `BodyLimit`, so an oversized upload is refused with
413 after at most `limit` bytes are buffered — whatever the Content-Length says, and for
chunked bodies too. The JSON API uses a small limit (a question is a few hundred bytes); the
webhooks get more room because platforms wrap a message in metadata.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.channels.limits import MAX_TEXT_CHARS

MAX_CHAT_BODY = 16 * 1024  # bytes of a POST /api/chat body
MAX_WEBHOOK_BODY = 1_000_000  # Telegram updates and Zalo events are a few KB
SESSION_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
SESSION_RE = re.compile(SESSION_PATTERN)


def valid_session(value: object) -> bool:
    return isinstance(value, str) and SESSION_RE.fullmatch(value) is not None


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
