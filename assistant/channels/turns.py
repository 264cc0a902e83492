"""Conversation turns for every channel (web chat, Zalo, Telegram): load the state, ask the core, save the state.

State lives in the database (`ConversationStore`, keys "web:<session>", "zalo:<user>", "telegram:<chat>"), so
several worker processes can serve one conversation. The core and the store are synchronous,
so a turn runs in a small thread pool; the event loop keeps accepting requests meanwhile.

Two things keep a citizen's follow-ups working when things go wrong:
- a bounded copy of recent states in this process, used while the database is unreachable
  (questions are still answered from the catalogue; only context across workers is lost);
- a striped lock per conversation key, so two quick taps on the same chat do not race each
  other's load/save inside one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine

from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.reply import Reply
from assistant.store import ConversationStore

log = logging.getLogger(__name__)

TurnFn = Callable[[Conversation, Requester], Reply]
MEMORY_CONVERSATIONS = 5000
LOCK_STRIPES = 64
# A turn thread releases the GIL for every database call and must then wait for the event loop
# thread to hand it back; a busy loop thread keeps it for up to the interpreter's switch interval
# (5 ms by default) each time. With 4–5 such calls per turn that waiting, not CPU, was most of a
# turn's time (benchmarks/telegram.py, web.py), and turns run one after another on SQLite.
SWITCH_INTERVAL = 0.001
# For a channel served exclusively (`serve_exclusively`), how long this process's copy of a
# state stands for the database's.
EXCLUSIVE_FRESH_SECONDS = 600.0


def _encode(conversation: Conversation) -> str:
    """The state as JSON text, to compare with what was loaded and to store. `json.dumps` of the
    instance dict gives what `Conversation.to_dict()` gives for its plain JSON fields, without
    `dataclasses.asdict`'s recursive deep copies."""
    fields = getattr(conversation, "__dict__", None)
    return json.dumps(fields if fields is not None else conversation.to_dict(), ensure_ascii=False)


# What a conversation that was never stored encodes to: a turn that leaves a new conversation
# as it was writes nothing.
_NEW = _encode(Conversation())


def shorten_switch_interval(seconds: float = SWITCH_INTERVAL) -> float:
    """Let a thread waiting for the GIL get it after `seconds` at most (never lengthens it);
    returns the interval now in force. Process-wide, and meant to be: every thread that hands
    work to the event loop's neighbours benefits."""
    if sys.getswitchinterval() > seconds:
        sys.setswitchinterval(seconds)
    return sys.getswitchinterval()


class ConversationTurns:
    """Runs turns for one process. `engine=None` keeps state in memory only (tests, no database)."""

    def __init__(self, engine: Engine | None, *, threads: int | None = None, sqlite_threads: int = 1,
                 memory_size: int = MEMORY_CONVERSATIONS) -> None:
        self.engine = engine
        self.exclusive: frozenset[str] = frozenset()  # see `serve_exclusively`
        self.store = ConversationStore(engine) if engine is not None else None
        if threads is None:
            # SQLite takes one writer at a time: a second thread in this process would only wait
            # on the file lock (and SQLite's busy handler sleeps in coarse steps, which shows up
            # as p99 latency). A server database overlaps round trips of different chats.
            # `sqlite_threads` is Settings.turn_threads (TTHC_TURN_THREADS), for benchmarks.
            threads = sqlite_threads if engine is None or engine.dialect.name == "sqlite" else 8
        self.threads = threads
        if threads > 0:
            shorten_switch_interval()
        self._executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="tthc-turn")
        # JSON text, as stored, and when this process last read or wrote it: encoding happens
        # once per turn anyway, and text is decoded only when used (a dict of dicts would also
        # cost far more memory).
        self._memory: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._memory_size = memory_size
        self._memory_lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self.database_errors = 0

    def serve_exclusively(self, channel: str) -> None:
        """No other process serves `channel`'s conversations (Telegram long polling: the Bot API
        hands a bot's updates to exactly one poller), so the copy this process last wrote is
        the current state and a turn need not read it back (see `run_sync`)."""
        self.exclusive = self.exclusive | {channel}

    # -- state ---------------------------------------------------------------------------------

    def _load(self, key: str) -> dict[str, Any] | None:
        if self.store is not None:
            try:
                return self.store.load(key)
            except Exception as exc:
                self.database_errors += 1
                log.warning("conversation state unavailable (%s); using this process's copy",
                            exc.__class__.__name__)
        return ConversationStore.decode(self._copy(key))

    def state(self, channel: str, chat_id: str) -> dict[str, Any] | None:
        """The stored state of one conversation, read-only (e.g. the web page's visible history)."""
        return self._load(f"{channel}:{chat_id}")

    # -- turns ---------------------------------------------------------------------------------

    def run_sync(self, channel: str, chat_id: str, turn: TurnFn, origin: str | None = None) -> Reply:
        """One turn, synchronously (call from a worker thread). `origin`: see `Requester.origin`.

        With a database, the state is loaded and saved on one connection, in one transaction
        (`ConversationStore.turn`). The state is decoded once and encoded once: the new text is
        compared with the text that was loaded, and written only when it differs.

        For a channel served exclusively (`serve_exclusively`), a state this process read or
        wrote within `EXCLUSIVE_FRESH_SECONDS` is taken from memory, so such a turn's only
        statement is the save. Each statement costs a turn thread a wait for the GIL while the
        event loop is busy (sqlite3 releases it for every call); with one SQLite turn thread
        those waits were the full Telegram path's bottleneck (benchmarks/telegram.py). The save
        still happens before the reply is sent, so a restart loses nothing, and the freshness
        bound keeps the database the authority (retention, a second process started by
        mistake) within minutes."""
        key = f"{channel}:{chat_id}"
        exclusive = channel in self.exclusive and self.store is not None
        with self._stripes[hash(key) % LOCK_STRIPES], contextlib.ExitStack() as stack:
            save = None
            raw: str | None = None
            cached = self._copy(key, within=EXCLUSIVE_FRESH_SECONDS) if exclusive else None
            if cached is not None:
                raw, save = cached, functools.partial(self.store.save, key)
            elif self.store is not None:
                try:
                    raw, save = stack.enter_context(self.store.turn(key))
                except Exception as exc:
                    self.database_errors += 1
                    log.warning("conversation state unavailable (%s); using this process's copy",
                                exc.__class__.__name__)
                    exclusive = False  # the copy used below is a fallback, not the state
                else:
                    if exclusive:
                        self._remember(key, raw if raw is not None else _NEW, fresh=True)
            if save is None:
                raw = self._copy(key)
            conversation = Conversation.from_dict(ConversationStore.decode(raw))
            reply = turn(conversation, Requester(channel, chat_id, origin))
            after = _encode(conversation)
            if after != (raw if raw is not None else _NEW):
                saved = save is not None
                if save is not None:
                    try:
                        save(after)
                    except Exception as exc:
                        saved = False
                        self.database_errors += 1
                        log.warning("conversation state not saved (%s)", exc.__class__.__name__)
                # Unsaved, the copy is only the fallback: the chat's next turn reads the database.
                self._remember(key, after, fresh=exclusive and saved)
        return reply

    def _copy(self, key: str, within: float | None = None) -> str | None:
        """This process's copy of a state; with `within`, only when this process read or wrote
        it that many seconds ago at most (recent enough to stand for the database's)."""
        with self._memory_lock:
            kept = self._memory.get(key)
        if kept is None or (within is not None and time.monotonic() - kept[1] > within):
            return None
        return kept[0]

    def _remember(self, key: str, encoded: str, *, fresh: bool = False) -> None:
        """Keep `encoded` as this process's copy; `fresh=False` keeps it only as the fallback
        for a database that does not answer, never in place of reading the database."""
        with self._memory_lock:
            self._memory[key] = (encoded, time.monotonic() if fresh else -math.inf)
            self._memory.move_to_end(key)
            while len(self._memory) > self._memory_size:
                self._memory.popitem(last=False)

    async def run(self, channel: str, chat_id: str, turn: TurnFn, origin: str | None = None) -> tuple[Reply, float]:
        """One turn off the event loop. Returns the reply and how long the turn took (seconds)."""
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        if self.threads == 0:
            reply = self.run_sync(channel, chat_id, turn, origin)
            return reply, time.perf_counter() - started
        reply = await loop.run_in_executor(self._executor, self.run_sync, channel, chat_id, turn, origin)
        return reply, time.perf_counter() - started

    async def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Any other synchronous database work on the same threads (keeps SQLite single-writer)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["ConversationTurns", "TurnFn"]
