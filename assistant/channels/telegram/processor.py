"""Process updates of different chats concurrently, and those of one chat in order.

A chat's conversation state is loaded, changed and saved per message, so two messages of the
same chat must not interleave (the second would read stale state, and replies would come out
of order). Different chats are independent, and processing them concurrently keeps a slow
database write or a Telegram round trip for one citizen from delaying everyone else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` in flight; one at a time per chat, in arrival order.

    Locks exist only while a chat has updates in flight, so memory is bounded by the
    concurrency limit, not by the number of chats ever seen.
    """

    __slots__ = ("_locks",)

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | str, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        try:
            async with lock:  # asyncio.Lock is FIFO: arrival order is kept
                await coroutine
        finally:
            users[0] -= 1
            if users[0] == 0:
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    @property
    def chats_in_flight(self) -> int:
        return len(self._locks)


def _chat_key(update: object) -> int | str | None:
    if isinstance(update, Update):
        chat = update.effective_chat
        if chat is not None:
            return chat.id
        user = update.effective_user
        if user is not None:
            return f"user:{user.id}"
    return None
