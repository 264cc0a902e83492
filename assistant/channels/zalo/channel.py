"""The Zalo Official Account channel: webhook events in, OA messages out, outbox notifications.

A thin adapter: it verifies and parses Zalo's events, turns them into `Assistant.handle` /
`handle_action` calls through the shared conversation turns (state key "zalo:<user id>"), and
renders the `Reply` as Zalo messages. No matching or business logic lives here.

The webhook answers within milliseconds: after the signature check the event is queued and
processed in the background (Zalo expects a quick 200 and may deliver an event twice, so events
are de-duplicated by `msg_id`). Events of one user are processed in order; at most
`max_concurrency` users are served at once and at most `max_pending` events wait, beyond which
the webhook answers 503 so Zalo retries later instead of us buffering without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import socket
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from assistant.channels.delivery import DeliveryError, OutboxDispatcher, release_claims
from assistant.channels.headers import header
from assistant.channels.ratelimit import SlidingWindowLimiter
from assistant.channels.zalo import texts
from assistant.channels.zalo.client import ZaloApiError, ZaloClient
from assistant.channels.zalo.render import Outgoing, parse_payload, render_reply, render_text
from assistant.channels.zalo.signature import HEADER, verify
from assistant.channels.zalo.tokens import FileTokenStore, MemoryTokenStore, Tokens, TokenStore
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.reply import Reply, Status
from assistant.store.seen import SeenEvents
from assistant.web.limits import MAX_TEXT_CHARS
from assistant.web.metrics import Metrics
from assistant.web.state import ConversationTurns

log = logging.getLogger(__name__)

CHANNEL = "zalo"
USER_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
NON_TEXT_EVENTS = frozenset({
    "user_send_image", "user_send_gif", "user_send_sticker", "user_send_audio", "user_send_video",
    "user_send_file", "user_send_location", "user_send_link", "user_send_business_card",
})
DEDUPE_SIZE = 20_000
TOKEN_FILE = "zalo_tokens.json"


def default_token_store(settings: Settings) -> TokenStore:
    """Tokens in `<data dir>/zalo_tokens.json` (rotated refresh tokens survive restarts), or in
    memory when the data directory cannot be written."""
    seed = Tokens(settings.zalo_access_token, settings.zalo_refresh_token)
    path = Path(settings.data_dir) / TOKEN_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(path.parent, os.W_OK):
            raise PermissionError(str(path.parent))
    except OSError:
        log.warning("data directory not writable: rotated Zalo tokens are kept in memory only")
        return MemoryTokenStore(seed)
    return FileTokenStore(path, seed)


class ZaloChannel:
    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        engine: Engine | None,
        *,
        turns: ConversationTurns,
        metrics: Metrics | None = None,
        client: ZaloClient | None = None,
        store: TokenStore | None = None,
        limiter: SlidingWindowLimiter | None = None,
        client_options: dict[str, Any] | None = None,
        outbox_batch: int = 20,
        outbox_interval: float = 2.0,
        worker_id: str | None = None,
        max_concurrency: int = 16,
        max_pending: int = 1000,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.engine = engine
        self.turns = turns
        self.metrics = metrics or Metrics()
        self._client = client
        self._store = store
        self._client_options = client_options or {}
        self.limiter = limiter or SlidingWindowLimiter(limit=20, window=60.0)
        self.outbox_batch = outbox_batch
        self.outbox_interval = outbox_interval
        self.worker_id = worker_id or f"{CHANNEL}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.max_pending = max_pending
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_events = SeenEvents(engine, CHANNEL) if engine is not None else None
        self.dispatcher: OutboxDispatcher | None = None
        self._outbox_stop: asyncio.Event | None = None
        self._outbox_task: asyncio.Task[None] | None = None

    # -- configuration -------------------------------------------------------------------------

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.settings.zalo_oa_secret_key)

    @property
    def sending_enabled(self) -> bool:
        return bool(self.settings.zalo_access_token or self.settings.zalo_refresh_token or self._client)

    @property
    def client(self) -> ZaloClient:
        if self._client is None:
            store = self._store or default_token_store(self.settings)
            self._client = ZaloClient(self.settings, store, on_call=self._count_call, **self._client_options)
        return self._client

    def _count_call(self, outcome: str) -> None:
        self.metrics.platform_calls.inc(CHANNEL, outcome)

    @property
    def place(self) -> str | None:
        locality = self.assistant.catalog.locality
        return locality.name if locality else None

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start delivering outbox notifications (when a database and tokens are configured)."""
        if not self.sending_enabled:
            log.warning("Zalo: no ZALO_ACCESS_TOKEN/ZALO_REFRESH_TOKEN, replies cannot be sent")
            return
        if self.engine is not None and self._outbox_task is None:
            from assistant.store import Outbox

            self.dispatcher = OutboxDispatcher(Outbox(self.engine), CHANNEL, self.deliver, self.worker_id,
                                               self.outbox_batch)
            self._outbox_stop = asyncio.Event()
            self._outbox_task = asyncio.create_task(self.dispatcher.run(self._outbox_stop, self.outbox_interval),
                                                    name="zalo-outbox")
        self.metrics.gauge("tthc_outbox_delivered", "Notifications delivered by this process, by channel.",
                           self._outbox_counts, ["channel"])

    def _outbox_counts(self) -> list[tuple[tuple[str, ...], float]]:
        return [((CHANNEL,), float(self.dispatcher.delivered))] if self.dispatcher else []

    async def stop(self, timeout: float = 10.0) -> None:
        """Finish queued events and the current notification (bounded), then close the client."""
        if self._outbox_task is not None:
            assert self._outbox_stop is not None
            self._outbox_stop.set()
            try:
                await asyncio.wait_for(self._outbox_task, timeout)
            except (TimeoutError, asyncio.CancelledError):
                log.warning("zalo outbox did not stop in %.0fs; unfinished rows are retried later", timeout)
            self._outbox_task = None
            if self.dispatcher is not None:
                await release_claims(self.dispatcher.outbox, self.worker_id, CHANNEL)
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in pending:
                task.cancel()
        if self._client is not None:
            await self._client.aclose()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until every queued event has been processed (tests, graceful shutdown)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError("zalo events still pending")
            await asyncio.wait(set(self._tasks), timeout=left)

    # -- webhook -------------------------------------------------------------------------------

    async def handle_webhook(self, headers: Mapping[str, str], body: bytes) -> int:
        """Verify, de-duplicate and queue one event. Returns the HTTP status: 401 without a valid
        signature (nothing is processed), 503 when too many events wait, else 200."""
        secret = self.settings.zalo_oa_secret_key
        given = header(headers, HEADER)
        if not secret:
            return self._refuse("not_configured")
        if given is None:
            return self._refuse("missing_signature")
        try:
            event: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurdly deep nesting
            return self._refuse("unverifiable_body")
        if not isinstance(event, dict):
            return self._refuse("unverifiable_body")
        app_id = self.settings.zalo_app_id or str(event.get("app_id") or "")
        timestamp = str(event.get("timestamp") or "")
        if not verify(given, app_id, body, timestamp, secret):
            return self._refuse("bad_signature")
        if not self._fresh(timestamp):
            return self._refuse("stale_timestamp")  # a captured event replayed later
        if not isinstance(event.get("event_name"), str):
            self.metrics.webhooks.inc(CHANNEL, "ignored")
            return 200  # signed but not an event we know the shape of: acknowledged, not processed
        key = self._dedupe_key(event)
        if key is not None:
            if key in self._seen or not await self._first_time(key):
                self.metrics.webhooks.inc(CHANNEL, "duplicate")
                return 200
            self._seen[key] = None
            while len(self._seen) > DEDUPE_SIZE:
                self._seen.popitem(last=False)
        if len(self._tasks) >= self.max_pending:
            if key is not None:
                self._seen.pop(key, None)  # let Zalo's retry through
                await self._forget(key)
            self.metrics.webhooks.inc(CHANNEL, "busy")
            return 503
        self.metrics.webhooks.inc(CHANNEL, "accepted")
        self._queue(event)
        return 200

    def _fresh(self, timestamp: str, now: float | None = None) -> bool:
        """Zalo stamps events in milliseconds; one older (or newer) than the allowed window is a
        replay, even with a valid signature (the signature covers the timestamp)."""
        window = self.settings.zalo_event_max_age_seconds
        if window <= 0:
            return True
        try:
            stamp = float(timestamp)
        except ValueError:
            return False
        if stamp > 1e11:  # milliseconds
            stamp /= 1000.0
        return abs((time.time() if now is None else now) - stamp) <= window

    async def _first_time(self, key: str) -> bool:
        """Whether no worker processed this event before (in the database, so restarts and
        other workers agree); with the database down, this process's memory decides."""
        if self._seen_events is None:
            return True
        try:
            return await asyncio.to_thread(self._seen_events.first_time, key)
        except SQLAlchemyError as exc:
            log.warning("zalo: event de-duplication unavailable (%s); this worker's memory only",
                        exc.__class__.__name__)
            return True

    async def _forget(self, key: str) -> None:
        if self._seen_events is not None:
            with contextlib.suppress(SQLAlchemyError):
                await asyncio.to_thread(self._seen_events.forget, key)

    def _refuse(self, reason: str) -> int:
        self.metrics.webhooks.inc(CHANNEL, reason)
        log.warning("zalo webhook refused: %s", reason.replace("_", " "))
        return 401

    @staticmethod
    def _dedupe_key(event: dict[str, Any]) -> str | None:
        message = event.get("message")
        if isinstance(message, dict) and message.get("msg_id"):
            return f"m:{message['msg_id']}"
        user = _user_of(event)
        if user and event.get("timestamp"):
            return f"e:{event.get('event_name')}:{user}:{event.get('timestamp')}"
        return None

    def _queue(self, event: dict[str, Any]) -> None:
        user = _user_of(event) or ""
        previous = self._tails.get(user)
        task = asyncio.create_task(self._run(event, previous), name="zalo-event")
        self._tasks.add(task)
        self._tails[user] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._tails.get(user) is finished:
                del self._tails[user]

        task.add_done_callback(done)

    async def _run(self, event: dict[str, Any], previous: asyncio.Task[None] | None) -> None:
        if previous is not None and not previous.done():
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await previous  # one user's events in the order Zalo sent them
        async with self._semaphore:
            try:
                await self.process_event(event)
            except Exception:
                log.exception("zalo event %s failed", event.get("event_name"))

    # -- events --------------------------------------------------------------------------------

    async def process_event(self, event: dict[str, Any]) -> None:
        name = event.get("event_name")
        user = _user_of(event)
        if not user:
            return
        if name == "user_send_text":
            text = _text_of(event)
            if text is None:
                return
            if not await self._admit(user):
                return
            action = parse_payload(text)
            if action is not None:
                reply, seconds = await self.turns.run(
                    CHANNEL, user, lambda conv, req: self.assistant.handle_action(action, conv, req))
                self.metrics.actions.inc(CHANNEL, reply.status.value)
            else:
                reply, seconds = await self.turns.run(
                    CHANNEL, user, lambda conv, req: self.assistant.handle(text, conv, req))
            self.metrics.turn_seconds.observe(seconds, CHANNEL)
            await self.send_reply(user, reply)
        elif name == "follow":
            menu = self.assistant.field_menu()
            await self.send_reply(user, Reply(status=Status.smalltalk, text=texts.greeting(self.place),
                                              buttons=menu.buttons, data=menu.data))
        elif name == "unfollow":
            await self._forget(user)
        elif name in NON_TEXT_EVENTS and await self._admit(user):
            await self.send_text(user, texts.NOT_TEXT)

    async def _admit(self, user: str) -> bool:
        decision = self.limiter.hit(f"{CHANNEL}:{user}")
        if decision.allowed:
            return True
        self.metrics.rate_limited.inc(CHANNEL)
        if decision.first_refusal:
            await self.send_text(user, texts.too_fast(decision.retry_after))
        return False

    async def _forget(self, user: str) -> None:
        """An unfollow ends the relationship: drop the user's dossier subscriptions."""
        if self.engine is None:
            return
        from assistant.store import Subscriptions

        try:
            removed = await self.turns.call(Subscriptions(self.engine).remove_chat, CHANNEL, user)
        except Exception as exc:
            log.warning("zalo unfollow: subscriptions not removed (%s)", exc.__class__.__name__)
            return
        if removed:
            log.info("zalo unfollow: %d subscription(s) removed", removed)

    # -- sending -------------------------------------------------------------------------------

    async def _send(self, user: str, messages: list[Outgoing]) -> None:
        if not self.sending_enabled:
            return
        for message in messages:
            try:
                await self.client.send_message(user, message.text, message.buttons)
            except ZaloApiError as exc:
                log.warning("zalo reply not delivered: %s", exc)
                return

    async def send_reply(self, user: str, reply: Reply) -> None:
        """Send every part of a reply; failures are logged and counted, never raised."""
        await self._send(user, render_reply(reply))

    async def send_text(self, user: str, text: str) -> None:
        await self._send(user, render_text(text))

    async def deliver(self, chat_id: str, text: str) -> None:
        """One outbox notification. Zalo's failures become `DeliveryError`s so the dispatcher knows
        whether to retry soon (network, 5xx, rate limit, token trouble) or much later (the user is
        unreachable: blocked the OA or is outside the customer-service window)."""
        try:
            for message in render_text(text) or [Outgoing("…")]:
                await self.client.send_message(chat_id, message.text)
        except ZaloApiError as exc:
            if exc.retryable:
                raise DeliveryError(f"zalo: {exc}", retry_after=exc.retry_after) from None
            if exc.token:
                raise DeliveryError(f"zalo token: {exc}") from None
            raise DeliveryError(f"zalo: {exc}", permanent=True) from None

    def wake_outbox(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.wake()


def _text_of(event: dict[str, Any]) -> str | None:
    """The text of a user_send_text event, bounded and valid Unicode: Zalo caps messages far
    below MAX_TEXT_CHARS, and a lone surrogate (legal in JSON escapes) cannot be stored or sent."""
    message = event.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    if not isinstance(text, str):
        return None
    text = text[:MAX_TEXT_CHARS]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _user_of(event: dict[str, Any]) -> str | None:
    """The citizen's Zalo user id (as seen by this OA) for the events we handle."""
    name = event.get("event_name")
    holder = event.get("follower") if name in ("follow", "unfollow") else event.get("sender")
    user = holder.get("id") if isinstance(holder, dict) else None
    if user is None:
        return None
    user = str(user)
    return user if USER_ID.fullmatch(user) else None


__all__ = ["CHANNEL", "ZaloChannel", "default_token_store"]
