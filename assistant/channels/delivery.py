"""At-least-once delivery of dossier notifications from the outbox, for any channel.

The dossier importer writes one outbox row per subscriber and status change. Each channel
runs an `OutboxDispatcher` that claims its rows, sends them through the platform and marks a
row delivered only after the platform accepted it. When the platform is down or asks us to
slow down, the row is marked failed with a retry time (exponential backoff, or the platform's
own retry-after) and is claimed again later; when a worker dies mid-delivery, the claim
expires and another worker picks the row up. Just before each send the dispatcher renews that
row's claim (`Outbox.renew`), so a slow batch never outlives its claim: two live workers never
send the same row, however many run. A notification may arrive twice only when a worker dies
after the platform accepted it but before the row was marked; it is never lost.

The outbox is any object with the `assistant.store.Outbox` methods; database calls are
synchronous (SQLAlchemy) and run in a worker thread so the event loop keeps serving chats.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

log = logging.getLogger(__name__)

Send = Callable[[str, str], Awaitable[None]]

BACKOFF_BASE = 5.0  # seconds before the first retry
BACKOFF_CAP = 3600.0  # never wait more than an hour between attempts of a transient failure
PERMANENT_RETRY = 7 * 24 * 3600.0  # a chat that blocked the bot: try again in a week, never drop
MAX_RETRY_AFTER = 3600.0  # a platform's retry-after is trusted up to this


class DeliveryError(Exception):
    """A channel could not deliver a message.

    `retry_after`: the platform said when to try again (seconds), e.g. Telegram's 429.
    `permanent`: retrying soon will not help (the user blocked the bot, the chat is gone).
    """

    def __init__(self, message: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class OutboxLike(Protocol):
    def claim(self, worker_id: str, limit: int = ..., now: dt.datetime | None = ...,
              channel: str | None = ...) -> Sequence[Any]: ...
    def mark_delivered(self, item_id: int, now: dt.datetime | None = ...) -> None: ...
    def mark_failed(self, item_id: int, error: str, retry_at: dt.datetime) -> None: ...
    # Optional: `renew(item_id, worker_id, now) -> bool` (see `Outbox.renew`); without it a row is
    # sent on the strength of its batch claim alone.


def utcnow() -> dt.datetime:
    """Naive UTC, the convention of the outbox table."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def exponential_backoff(attempts: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after the `attempts`-th consecutive failure (0-based): 5, 10, 20, ... ≤ 1 h."""
    return min(cap, base * (2 ** min(max(attempts, 0), 20)))


class OutboxDispatcher:
    """Drains one channel's outbox rows through `send(chat_id, text)`."""

    def __init__(self, outbox: OutboxLike, channel: str, send: Send, worker_id: str, batch: int = 20,
                 backoff: Callable[[int], float] = exponential_backoff) -> None:
        if batch < 1:
            raise ValueError("batch must be positive")
        self.outbox = outbox
        self.channel = channel
        self.send = send
        self.worker_id = worker_id
        self.batch = batch
        self.backoff = backoff
        self.delivered = 0
        self.failed = 0
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Ask a running `run` loop to drain now (e.g. right after an import in this process)."""
        self._wake.set()

    async def drain_once(self, now: dt.datetime | None = None, stop: asyncio.Event | None = None) -> int:
        """Claim up to `batch` rows of this channel and try each once. Returns how many were delivered.

        Once `stop` is set no further item of the batch is started: shutdown should not wait for a
        whole batch, and the untouched claims are handed back by `release_claims`."""
        items = await asyncio.to_thread(self.outbox.claim, self.worker_id, self.batch, now, channel=self.channel)
        delivered = 0
        renew = getattr(self.outbox, "renew", None)
        for position, item in enumerate(items):
            if stop is not None and stop.is_set():
                break
            if renew is not None:
                try:
                    still_ours = await asyncio.to_thread(renew, item.id, self.worker_id, now)
                except Exception as exc:
                    # Ownership unknown (database trouble): sending now could double a row another
                    # worker took over. Leave the rest of the batch; its claims expire and retry.
                    log.warning("outbox %s: could not renew claim (%s); batch left for later",
                                self.channel, exc.__class__.__name__)
                    break
                if not still_ours:
                    log.info("outbox %s: item %s was taken over by another worker; skipped", self.channel, item.id)
                    continue
            try:
                await self.send(str(item.chat_id), item.text)
            except DeliveryError as exc:
                self.failed += 1
                retry_at = self._retry_at(item, exc, now)
                await self._mark_failed(item.id, _describe(exc), retry_at)
                if exc.retry_after is not None:
                    # The platform asked the whole bot to wait: do not hammer it with the rest.
                    for later in items[position + 1:]:
                        await self._mark_failed(later.id, "deferred: channel asked to wait", retry_at)
                    break
                continue
            except asyncio.CancelledError:
                raise  # shutting down: the claim expires and the row is sent again later
            except Exception as exc:  # an adapter bug must not lose the notification either
                log.exception("outbox %s: unexpected error sending item %s", self.channel, item.id)
                self.failed += 1
                await self._mark_failed(item.id, f"unexpected: {exc.__class__.__name__}", self._retry_at(item, None, now))
                continue
            try:
                await asyncio.to_thread(self.outbox.mark_delivered, item.id, now)
            except Exception:
                # Sent but not recorded: the claim expires and it is sent again (at-least-once).
                log.exception("outbox %s: could not mark item %s delivered", self.channel, item.id)
                continue
            delivered += 1
            self.delivered += 1
        return delivered

    async def run(self, stop: asyncio.Event, interval: float = 2.0) -> None:
        """Drain until `stop` is set: immediately again after a full batch, otherwise every
        `interval` seconds (or as soon as `wake` is called). Database outages are logged and
        retried with a growing pause; nothing here raises except cancellation."""
        errors = 0
        while not stop.is_set():
            try:
                delivered = await self.drain_once(stop=stop)
                errors = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                errors += 1
                delivered = 0
                log.warning("outbox %s: drain failed (%s); retrying", self.channel, exc.__class__.__name__)
            if delivered >= self.batch:
                await asyncio.sleep(0)  # let chats run between full batches
                continue
            pause = interval if errors == 0 else min(60.0, interval * (2 ** min(errors, 5)))
            await _wait_any(stop, self._wake, pause)
            self._wake.clear()

    # -- internals -----------------------------------------------------------------------------

    def _retry_at(self, item: Any, exc: DeliveryError | None, now: dt.datetime | None) -> dt.datetime:
        base = now or utcnow()
        if exc is not None and exc.retry_after is not None:
            delay = min(max(float(exc.retry_after), 0.0), MAX_RETRY_AFTER)
        elif exc is not None and exc.permanent:
            delay = PERMANENT_RETRY
        else:
            delay = self.backoff(int(getattr(item, "attempts", 0) or 0))
        return base + dt.timedelta(seconds=delay)

    async def _mark_failed(self, item_id: int, error: str, retry_at: dt.datetime) -> None:
        try:
            await asyncio.to_thread(self.outbox.mark_failed, item_id, error, retry_at)
        except Exception:
            # Not recorded: the claim simply expires and the row is retried then.
            log.exception("outbox %s: could not mark item %s failed", self.channel, item_id)


def _describe(exc: DeliveryError) -> str:
    kind = "permanent" if exc.permanent else ("retry-after" if exc.retry_after is not None else "transient")
    return f"{kind}: {exc}"[:500]


async def release_claims(outbox: Any, worker_id: str, channel: str) -> None:
    """On shutdown, hand back the outbox rows this worker still holds, so the next worker (or the
    next start) sends them at once instead of after the claim lease. Uses the outbox's optional
    `release(worker_id) -> int`; without it the lease simply expires. Never raises: a database
    that is down now only means the lease decides."""
    release = getattr(outbox, "release", None)
    if release is None:
        return
    try:
        released = await asyncio.to_thread(release, worker_id)
    except Exception as exc:
        log.warning("outbox %s: claims not released (%s); they expire with their lease", channel,
                    exc.__class__.__name__)
        return
    if released:
        log.info("outbox %s: %d unfinished notification(s) handed back for another worker", channel, released)


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    """Sleep up to `timeout`, returning early when either event is set."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


__all__ = ["DeliveryError", "OutboxDispatcher", "exponential_backoff", "release_claims"]
