"""A fake Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

The real `telegram.ext.Application` and its httpx stack talk to this over real HTTP (set the
bot's `base_url` to `fake.base_url`). It serves getMe, getUpdates (long polling over a queue the
test fills), sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
setWebhook/deleteWebhook/getWebhookInfo and setMyCommands; records every call; and returns
429 (with `parameters.retry_after`) or 5xx on demand. Every wait is bounded.

Runs inside the caller's event loop (`async with FakeBotApi() as fake:`), or in its own process
for benchmarks (`python -m tests.channels.telegram.fake_bot_api`), where `/_fake/...` control
routes inject updates and read the record.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import os
import re
import socket
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123456789:TEST-fake-token-not-a-secret"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Trợ lý TTHC", "username": "tthc_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    result: Any = None
    content_type: str = ""


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class ChatMessage:
    """A message the bot sent, as the fake keeps it (so callbacks can refer to it)."""

    chat_id: int | str
    message_id: int
    text: str  # as sent (HTML)
    reply_markup: dict[str, Any] | None
    parse_mode: str | None
    edits: int = 0
    history: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return plain_text(self.text) if self.parse_mode == "HTML" else self.text

    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]

    def button(self, predicate: Callable[[dict[str, Any]], bool] | str) -> dict[str, Any]:
        test = predicate if callable(predicate) else (lambda b: b.get("callback_data", "").startswith(predicate)
                                                      or b.get("text") == predicate)
        for b in self.buttons():
            if test(b):
                return b
        raise AssertionError(f"no such button in {[b.get('text') for b in self.buttons()]}")

    def as_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id, "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": self.chat_id, "type": "private", "first_name": "Dân"}, "text": self.plain,
        }
        if self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data


def plain_text(html_text: str) -> str:
    """What a citizen sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def free_port_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class FakeBotApi:
    def __init__(self, token: str = TOKEN, *, poll_wait: float = 0.5, control: bool = False) -> None:
        self.token = token
        self.poll_wait = poll_wait  # longest a getUpdates waits, whatever timeout the bot asks
        self.calls: list[Call] = []
        self.messages: dict[tuple[int | str, int], ChatMessage] = {}
        self.webhook: dict[str, Any] | None = None
        self.commands: list[dict[str, Any]] = []
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._incoming_ids = itertools.count(1)
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._new_update: asyncio.Event | None = None
        self._recorded: asyncio.Event | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0
        routes = [Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        if control:
            routes += [Route("/_fake/updates", self._control_updates, methods=["POST"]),
                       Route("/_fake/sent", self._control_sent, methods=["GET"])]
        self.app = Starlette(routes=routes)

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For `build_application(base_url=...)`: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotApi:
        self._new_update = asyncio.Event()
        self._recorded = asyncio.Event()
        sock = free_port_socket()
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1, timeout_keep_alive=30)
        self._server = uvicorn.Server(config)
        self._server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]  # leave pytest's signals alone
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        deadline = time.monotonic() + 5
        while not self._server.started:
            if self._task.done() or time.monotonic() > deadline:
                raise RuntimeError("fake Bot API server did not start")
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self.poll_wait = 0
        if self._new_update is not None:
            self._new_update.set()  # release long polls still waiting, so shutdown is immediate
        # Tests own both ends and the bot has stopped: close at once instead of uvicorn's
        # graceful shutdown, which polls every 0.1 s.
        for server in self._server.servers:
            server.close()
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(self._task, 5)

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- what tests do -----------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        if self._new_update is not None:
            self._new_update.set()
        return update["update_id"]

    def make_message(self, chat_id: int, text: str, *, user_id: int | None = None,
                     chat_type: str = "private") -> dict[str, Any]:
        """An update carrying a text message (commands get their bot_command entity)."""
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"}
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Dân"
        else:
            chat["title"] = "Nhóm"
        message: dict[str, Any] = {"message_id": next(self._incoming_ids), "date": int(time.time()),
                                   "chat": chat, "from": user, "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        return {"update_id": next(self._update_ids), "message": message}

    def message(self, chat_id: int, text: str, **kwargs: Any) -> int:
        return self.push(self.make_message(chat_id, text, **kwargs))

    def press(self, message: ChatMessage, button: dict[str, Any] | str) -> int:
        """The citizen taps an inline button under a message the bot sent."""
        if isinstance(button, str):
            button = message.button(button)
        user = {"id": message.chat_id, "is_bot": False, "first_name": "Dân", "language_code": "vi"}
        return self.push({"update_id": next(self._update_ids), "callback_query": {
            "id": f"cq{next(self._incoming_ids)}", "from": user, "chat_instance": "ci-1",
            "data": button["callback_data"], "message": message.as_api()}})

    def fail(self, method: str, status: int = 500, *, times: int = 1, retry_after: int | None = None,
             description: str | None = None) -> None:
        """The next `times` calls of `method` answer with an error (429 needs `retry_after`)."""
        text = description or {429: f"Too Many Requests: retry after {retry_after}",
                               500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "Error")
        for _ in range(times):
            self._faults[method].append(Fault(status, text, retry_after))

    def sent(self, chat_id: int | str | None = None, method: str = "sendMessage") -> list[Call]:
        """Successful calls of `method` (to `chat_id`)."""
        return [c for c in self.calls if c.method == method and c.status == 200
                and (chat_id is None or _same_chat(c.params.get("chat_id"), chat_id))]

    def chat(self, chat_id: int | str) -> list[ChatMessage]:
        """The messages the bot sent to one chat, in order, in their current (edited) state."""
        return sorted((m for (c, _), m in self.messages.items() if _same_chat(c, chat_id)),
                      key=lambda m: m.message_id)

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        """Wait (bounded) until `predicate()` is truthy, re-checking after every recorded call."""
        assert self._recorded is not None
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            self._recorded.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._recorded.wait(), min(left, 0.1))

    async def wait_messages(self, chat_id: int | str, count: int, timeout: float = 5.0) -> list[ChatMessage]:
        """Wait until the bot has sent at least `count` messages to `chat_id`; return them all."""
        await self.wait_until(lambda: len(self.chat(chat_id)) >= count, timeout,
                              f"{count} messages to chat {chat_id}")
        return self.chat(chat_id)

    async def next_reply(self, chat_id: int | str, after: int, timeout: float = 5.0) -> ChatMessage:
        """The first message to `chat_id` beyond the `after` already seen."""
        return (await self.wait_messages(chat_id, after + 1, timeout))[after]

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    # -- the Bot API -------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        content_type = request.headers.get("content-type", "")
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            self._record(Call(method, params, time.monotonic(), fault.status, content_type=content_type))
            extra = {"parameters": {"retry_after": fault.retry_after}} if fault.retry_after else {}
            return _error(fault.status, fault.description, **extra)
        handler = getattr(self, f"api_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        status, result = await handler(params)
        self._record(Call(method, params, time.monotonic(), status, result, content_type))
        if status != 200:
            return _error(status, result)
        return JSONResponse({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if self._recorded is not None:
            self._recorded.set()

    async def api_getme(self, params: dict[str, Any]) -> tuple[int, Any]:
        return 200, BOT_USER

    async def api_getupdates(self, params: dict[str, Any]) -> tuple[int, Any]:
        if self.webhook:
            return 409, "Conflict: can't use getUpdates method while webhook is active"
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the offset
        if not self._updates and timeout > 0:
            assert self._new_update is not None
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), min(timeout, self.poll_wait))
        return 200, list(itertools.islice(self._updates, 0, limit))

    async def api_sendmessage(self, params: dict[str, Any]) -> tuple[int, Any]:
        chat_id = _chat_id(params.get("chat_id"))
        text = params.get("text")
        if chat_id is None or not isinstance(text, str) or not text.strip():
            return 400, "Bad Request: message text is empty"
        problem = _check_text(text, params.get("parse_mode"))
        if problem:
            return 400, problem
        message = ChatMessage(chat_id, next(self._message_ids), text, params.get("reply_markup"),
                              params.get("parse_mode"))
        self.messages[(chat_id, message.message_id)] = message
        return 200, message.as_api()

    async def api_editmessagetext(self, params: dict[str, Any]) -> tuple[int, Any]:
        message = self.messages.get((_chat_id(params.get("chat_id")), int(params.get("message_id") or 0)))
        if message is None:
            return 400, "Bad Request: message to edit not found"
        text = params.get("text") or ""
        problem = _check_text(text, params.get("parse_mode"))
        if problem:
            return 400, problem
        markup = params.get("reply_markup")
        if text == message.text and markup == message.reply_markup:
            return 400, ("Bad Request: message is not modified: specified new message content and reply markup "
                         "are exactly the same as a current content and reply markup of the message")
        message.history.append(message.text)
        message.text, message.reply_markup, message.parse_mode = text, markup, params.get("parse_mode")
        message.edits += 1
        return 200, message.as_api()

    async def api_editmessagereplymarkup(self, params: dict[str, Any]) -> tuple[int, Any]:
        message = self.messages.get((_chat_id(params.get("chat_id")), int(params.get("message_id") or 0)))
        if message is None:
            return 400, "Bad Request: message to edit not found"
        message.reply_markup = params.get("reply_markup")
        message.edits += 1
        return 200, message.as_api()

    async def api_answercallbackquery(self, params: dict[str, Any]) -> tuple[int, Any]:
        return 200, True

    async def api_setwebhook(self, params: dict[str, Any]) -> tuple[int, Any]:
        self.webhook = params
        return 200, True

    async def api_deletewebhook(self, params: dict[str, Any]) -> tuple[int, Any]:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return 200, True

    async def api_getwebhookinfo(self, params: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                     "pending_update_count": len(self._updates)}

    async def api_setmycommands(self, params: dict[str, Any]) -> tuple[int, Any]:
        self.commands = params.get("commands") or []
        return 200, True

    # -- control routes (benchmark in a separate process) -------------------------------------------

    async def _control_updates(self, request: Request) -> JSONResponse:
        body = await request.json()
        ids = [self.push(self.make_message(int(item["chat_id"]), str(item["text"]))) for item in body]
        return JSONResponse({"queued": len(ids)})

    async def _control_sent(self, request: Request) -> JSONResponse:
        sent = [c for c in self.calls if c.method == "sendMessage" and c.status == 200]
        return JSONResponse({"count": len(sent), "first": sent[0].at if sent else None,
                             "last": sent[-1].at if sent else None, "now": time.monotonic()})


def _error(status: int, description: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": status, "description": description, **extra},
                        status_code=status)


async def _params(request: Request) -> dict[str, Any]:
    """Bot API parameters from the query string, a JSON body or a form (PTB sends forms whose
    values are JSON-encoded)."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.json()
        if isinstance(body, dict):
            for key, value in body.items():
                # Telegram takes objects such as reply_markup either inline or as JSON strings.
                if isinstance(value, str) and value[:1] in "{[":
                    with contextlib.suppress(ValueError):
                        value = json.loads(value)
                params[key] = value
    elif "x-www-form-urlencoded" in content_type:
        # Parsed by hand: Starlette's form parser needs python-multipart, which we do not ship.
        for key, value in parse_qsl((await request.body()).decode(), keep_blank_values=True):
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
    return params


def _chat_id(value: Any) -> int | str | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value if isinstance(value, str) and value else None


def _same_chat(a: Any, b: Any) -> bool:
    return _chat_id(a) == _chat_id(b)


_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "tg-spoiler",
                 "span", "blockquote", "tg-emoji"}


def _check_text(text: str, parse_mode: str | None) -> str | None:
    """Reject what Telegram rejects: too long, or HTML it cannot parse (unknown tags, stray '<'/'&')."""
    if len(text.encode("utf-16-le")) // 2 > 4096 * (8 if parse_mode == "HTML" else 1):
        return "Bad Request: message is too long"
    if parse_mode == "HTML":
        for match in re.finditer(r"<(/?)([a-zA-Z-]*)[^>]*>|<|&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
            tag = match.group(2)
            if tag is None or tag.lower() not in _ALLOWED_TAGS:
                return f"Bad Request: can't parse entities: unsupported start tag at byte offset {match.start()}"
        if len(plain_text(text).encode("utf-16-le")) // 2 > 4096:
            return "Bad Request: message is too long"
    return None


async def _serve_forever(port: int, token: str, parent_pid: int | None) -> None:
    fake = FakeBotApi(token, control=True)
    config = uvicorn.Config(fake.app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                            lifespan="off", timeout_keep_alive=30)
    fake._new_update = asyncio.Event()
    fake._recorded = asyncio.Event()
    server = uvicorn.Server(config)

    async def orphan_guard() -> None:
        """Exit when the process that started us is gone, so no server outlives a benchmark."""
        while parent_pid is not None and os.getppid() == parent_pid:
            await asyncio.sleep(1)
        server.should_exit = True

    guard = asyncio.create_task(orphan_guard())
    try:
        await server.serve()
    finally:
        guard.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process is gone")
    args = parser.parse_args()
    asyncio.run(_serve_forever(args.port, args.token, args.parent_pid))


if __name__ == "__main__":
    main()
