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
    """One update at a time per chat, in arrival order; at most `max_concurrent` chats at once.

    PTB's own bound (`max_in_flight`) only limits how many updates are waiting in memory. The
    working slots are taken *after* the chat's turn comes, so a citizen flooding one chat
    queues behind their own messages instead of occupying every slot and stalling other chats.
    Locks exist only while a chat has updates in flight, so memory does not grow with the number
    of chats ever seen.
    """

    __slots__ = ("_locks", "_slots")

    def __init__(self, max_concurrent: int = 8, max_in_flight: int = 256) -> None:
        super().__init__(max(max_in_flight, max_concurrent))
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be positive")
        self._slots = asyncio.Semaphore(max_concurrent)
        self._locks: dict[int | str, tuple[asyncio.Lock, list[int]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        try:
            async with lock, self._slots:  # asyncio.Lock is FIFO: arrival order is kept
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
