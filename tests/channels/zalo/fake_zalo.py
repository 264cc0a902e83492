"""A fake Zalo platform on 127.0.0.1: the OA Open API (v3.0 customer-service messages) and the
OAuth v4 token endpoint, for tests that run the real ZaloClient over real HTTP.

It checks what Zalo checks (the `access_token` header; for a refresh the `secret_key` header,
`app_id`, `grant_type` and a refresh token that works only once), answers the way Zalo does
(HTTP 200 with `"error": -216` for an expired token, `-14020` for a spent refresh token),
records every call, and fails on demand (5xx, 429). Runs inside the caller's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.web.live import free_port

APP_ID = "4407123456789012345"
APP_SECRET = "fake-app-secret-not-real"
OA_SECRET = "fake-oa-secret-key-not-real"
OA_ID = "1646843870823903717"


@dataclass
class Sent:
    user_id: str
    text: str
    buttons: list[dict[str, Any]] = field(default_factory=list)
    token: str = ""


class FakeZalo:
    def __init__(self) -> None:
        self.access_token = "access-" + secrets.token_hex(8)
        self.refresh_token = "refresh-" + secrets.token_hex(8)
        self.initial = (self.access_token, self.refresh_token)
        self.sent: list[Sent] = []
        self.message_calls = 0
        self.refresh_calls: list[dict[str, Any]] = []
        self.faults: list[tuple[int, Any]] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self.port = free_port()
        app = Starlette(routes=[
            Route("/v3.0/oa/message/cs", self.message, methods=["POST"]),
            Route("/v4/oa/access_token", self.token, methods=["POST"]),
        ])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None,
                                                    access_log=False, lifespan="off"))
        self._task: asyncio.Task | None = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> FakeZalo:
        self.server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]
        self._task = asyncio.create_task(self.server.serve())
        for _ in range(500):
            if self.server.started:
                return self
            await asyncio.sleep(0.01)
        raise TimeoutError("fake Zalo did not start")

    async def __aexit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)

    # -- control -------------------------------------------------------------------------------

    def expire(self) -> None:
        """The current access token stops working (as after ~25 hours)."""
        self.access_token = "access-" + secrets.token_hex(8)

    def fail_next(self, count: int, status: int = 503, body: Any = None) -> None:
        self.faults += [(status, body)] * count

    def to(self, user_id: str) -> list[Sent]:
        return [m for m in self.sent if m.user_id == user_id]

    async def wait_for(self, user_id: str, count: int = 1, timeout: float = 5.0) -> list[Sent]:
        """Wait until `count` messages were sent to `user_id`; returns them."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.to(user_id)) < count:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"expected {count} message(s) to {user_id}, got {len(self.to(user_id))}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return self.to(user_id)

    # -- endpoints -----------------------------------------------------------------------------

    async def message(self, request: Request) -> Response:
        self.message_calls += 1
        if self.faults:
            status, body = self.faults.pop(0)
            if body is None:
                return Response("upstream unavailable", status_code=status)
            return JSONResponse(body, status_code=status)
        if request.headers.get("access_token") != self.access_token:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        user = str(body.get("recipient", {}).get("user_id", ""))
        message = body.get("message", {})
        text = message.get("text")
        if not user or not isinstance(text, str) or not text:
            return JSONResponse({"error": -201, "message": "Parameters are invalid"})
        if len(text) > 2000:
            return JSONResponse({"error": -201, "message": "text length exceeds 2000"})
        buttons = (message.get("attachment") or {}).get("payload", {}).get("buttons", [])
        if len(buttons) > 5 or any(len(b.get("title", "")) > 100 for b in buttons):
            return JSONResponse({"error": -201, "message": "too many buttons"})
        self.sent.append(Sent(user, text, buttons, request.headers.get("access_token", "")))
        self._changed.set()
        return JSONResponse({"error": 0, "message": "Success",
                             "data": {"message_id": f"msg{next(self._ids)}", "user_id": user}})

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))  # x-www-form-urlencoded
        self.refresh_calls.append({"form": form, "secret_key": request.headers.get("secret_key"),
                                   "content_type": request.headers.get("content-type", "")})
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return JSONResponse({"error": -14002, "error_name": "Invalid app secret", "error_description": "x"})
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.refresh_token:
            return JSONResponse({"error": -14020, "error_name": "Invalid refresh token",
                                 "error_description": "refresh token is used or expired"})
        self.access_token = "access-" + secrets.token_hex(8)
        self.refresh_token = "refresh-" + secrets.token_hex(8)  # single use: rotated on every refresh
        return JSONResponse({"access_token": self.access_token, "refresh_token": self.refresh_token,
                             "expires_in": "90000"})
