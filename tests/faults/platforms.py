"""The fake Telegram Bot API and fake Zalo platform of tests/channels, taught to stall.

A stalled call is received and never answered (until `release()` or the stall's own bound), so
the bot's HTTP client has to time out: the one platform fault the shared fakes cannot produce.
Each stall is recorded when it begins, so a test can wait for "the bot is now waiting on the
platform" without sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tests.channels.telegram.fake_bot_api import Call, FakeBotApi
from tests.channels.zalo.fake_zalo import FakeZalo

STALL_BOUND = 30.0  # a stalled request is answered (with 504) after this at the latest


class Stalls:
    """Counts of calls to hold, per method, and an event to let them all go."""

    def __init__(self) -> None:
        self.pending: dict[str, int] = {}
        self.started = 0
        self.release_event = asyncio.Event()
        self._changed = asyncio.Event()

    def add(self, method: str, times: int = 1) -> None:
        self.pending[method] = self.pending.get(method, 0) + times
        self.release_event.clear()

    def take(self, method: str) -> bool:
        left = self.pending.get(method, 0)
        if left <= 0:
            return False
        self.pending[method] = left - 1
        self.started += 1
        self._changed.set()
        return True

    def release(self) -> None:
        self.release_event.set()

    async def hold(self, bound: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release_event.wait(), bound)

    async def wait_started(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.started < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"expected {count} stalled call(s), saw {self.started}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.1))


class StallingBotApi(FakeBotApi):
    """`FakeBotApi` plus `stall(method, times)`: the call is recorded with status 0 and not answered."""

    def __init__(self, *args: Any, stall_bound: float = STALL_BOUND, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stalls = Stalls()
        self.stall_bound = stall_bound

    def stall(self, method: str, times: int = 1) -> None:
        self.stalls.add(method, times)

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] == self.token and self.stalls.take(method):
            self._record(Call(method, {}, time.monotonic(), status=0))
            await self.stalls.hold(self.stall_bound)
            return JSONResponse({"ok": False, "error_code": 504, "description": "Gateway Timeout"},
                                status_code=504)
        return await super()._endpoint(request)


class StallingZalo(FakeZalo):
    """`FakeZalo` plus `stall(times)` for the message endpoint, and 429 with a Retry-After header."""

    def __init__(self, stall_bound: float = STALL_BOUND) -> None:
        super().__init__()
        self.stalls = Stalls()
        self.stall_bound = stall_bound
        self._retry_after: list[int] = []

    def stall(self, times: int = 1) -> None:
        self.stalls.add("message", times)

    def rate_limit(self, retry_after: int, times: int = 1) -> None:
        self._retry_after += [retry_after] * times

    async def message(self, request: Request) -> Response:
        if self.stalls.take("message"):
            self.message_calls += 1
            await self.stalls.hold(self.stall_bound)
            return Response("gateway timeout", status_code=504)
        if self._retry_after:
            self.message_calls += 1
            wait = self._retry_after.pop(0)
            return Response("too many requests", status_code=429, headers={"retry-after": str(wait)})
        return await super().message(request)


__all__ = ["StallingBotApi", "StallingZalo", "Stalls"]
