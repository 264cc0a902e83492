"""The web server application: chat page, citizen API, operational endpoints, channel webhooks.

`create_app` only assembles: the shared objects endpoints read from the app state, the routes
of each part (`page`, `api` for the web chat, `ops`, and every hosted channel's webhooks), the
middleware, and a lifespan that starts and stops the channels and background helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from assistant.channels.base import Channel
from assistant.channels.limits import WEB_MESSAGES_PER_MINUTE, WINDOW_SECONDS
from assistant.channels.ratelimit import SlidingWindowLimiter
from assistant.channels.registry import AUTO, Context, hosted_channels
from assistant.channels.turns import ConversationTurns
from assistant.config import Settings
from assistant.core import Assistant
from assistant.heap import settling
from assistant.metrics import Metrics
from assistant.store import Outbox
from assistant.store.question_buffer import QuestionLogBuffer
from assistant.store.wal import WalCheckpointer
from assistant.web import api, errors, ops, page, texts
from assistant.web.api import WebChatChannel, reply_json, wants_feedback
from assistant.web.limits import MAX_CHAT_BODY, MAX_WEBHOOK_BODY, BodyLimit
from assistant.web.middleware import Observe
from assistant.web.shared import Shared

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    assistant: Assistant,
    engine: Engine | None,
    *,
    zalo: Any = AUTO,
    telegram: Any = AUTO,
    demo: bool | None = None,
    rate_limit: int = WEB_MESSAGES_PER_MINUTE,
    metrics: Metrics | None = None,
    turns: ConversationTurns | None = None,
    watch_catalog: bool = False,
    question_log: QuestionLogBuffer | None = None,
    migrate_later: bool = False,
    retention: bool = True,
) -> Starlette:
    """The web application.

    `zalo`: a `ZaloChannel`, None (off), or AUTO (on when ZALO_* settings are present; the webhook
    route needs ZALO_OA_SECRET_KEY). `telegram`: a PTB Application in webhook mode, None, or AUTO
    (built when TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_URL are set). `demo`: default
    ASSISTANT_DEMO. `rate_limit`: chat messages per minute per session (0 disables).
    `watch_catalog`: hot-reload the catalogue in this process (worker processes started by
    `serve --workers N`; the single-process runner has its own). `question_log`: a batching
    question log this app starts and flushes on shutdown. `migrate_later`: the database was down
    at start-up; keep trying to migrate it in the background. `retention`: delete data past its
    retention period daily (assistant.store.retention).
    """
    metrics = metrics or Metrics()
    metrics.attach(assistant)
    own_turns = turns is None
    turns = turns or ConversationTurns(engine, sqlite_threads=settings.turn_threads)
    web_chat = WebChatChannel(rate_limit)
    channels: list[Channel] = [web_chat, *hosted_channels(
        Context(settings, assistant, engine, turns, metrics), {"zalo": zalo, "telegram": telegram})]
    state = Shared(
        settings=settings, assistant=assistant, engine=engine, metrics=metrics, turns=turns,
        demo=settings.demo if demo is None else demo,
        limiter=SlidingWindowLimiter(limit=rate_limit, window=WINDOW_SECONDS) if rate_limit > 0 else None,
        outbox=Outbox(engine) if engine is not None else None, channels=channels)

    staff = None
    if engine is not None:  # the staff inbox and handoff numbers (assistant/web/staff.py)
        from assistant.web.staff import StaffInbox

        staff = StaffInbox(settings, assistant, engine, turns.call, metrics)
    webhooks: list[BaseRoute] = [route for channel in channels[1:] for route in channel.routes()]
    webhook_paths = {getattr(route, "path", "") for route in webhooks}
    routes = [*page.ROUTES, *web_chat.routes(), *ops.ROUTES, *(staff.routes() if staff else []), *webhooks]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (background(settings, assistant, engine, watch_catalog=watch_catalog, question_log=question_log,
                               migrate_later=migrate_later, retention=retention),
                    running(channels), running([staff] if staff else [])):
            yield
        if own_turns:
            turns.close()

    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=errors.HANDLERS)
    app.add_middleware(BodyLimit, limit_for=lambda path: body_limit(path, webhook_paths, staff is not None),
                       message=texts.ERRORS["payload_too_large"],
                       on_reject=lambda: metrics.rejected.inc("payload_too_large"))
    app.add_middleware(Observe, metrics=metrics)
    app.state.shared = state
    return app


def body_limit(path: str, webhook_paths: set[str], staff_inbox: bool) -> int:
    """Bytes a request body may have: platforms wrap messages in metadata, a staff member's reply
    is a long form-encoded text, a citizen's question is short."""
    if path in webhook_paths:
        return MAX_WEBHOOK_BODY
    if staff_inbox and path.startswith("/staff/"):
        from assistant.web.staff import STAFF_FORM_BODY

        return STAFF_FORM_BODY
    return MAX_CHAT_BODY


@contextlib.asynccontextmanager
async def running(channels: list[Any]) -> AsyncIterator[None]:
    """Start every channel (or other part with start/stop, like the staff inbox) in order; on the
    way out stop the started ones in reverse order, each stop on its own (one failing to stop
    must not keep the others running)."""
    started: list[Any] = []
    try:
        for channel in channels:
            await channel.start()
            started.append(channel)
        yield
    finally:
        for channel in reversed(started):
            try:
                await channel.stop()
            except Exception:
                log.exception("%s did not stop cleanly", getattr(channel, "name", channel.__class__.__name__))


@contextlib.asynccontextmanager
async def background(settings: Settings, assistant: Assistant, engine: Engine | None, *, watch_catalog: bool,
                     question_log: QuestionLogBuffer | None, migrate_later: bool,
                     retention: bool = True) -> AsyncIterator[None]:
    """Helpers that run beside the channels: catalogue hot reload, the batching question log, the
    SQLite WAL checkpoints, the daily retention task, and the start-up migration retried while
    the database is down."""
    watcher = None
    if watch_catalog:
        from assistant.catalog.watch import CatalogWatcher

        # A worker's heap was settled at start-up (assistant.heap); each reload settles it again.
        watcher = CatalogWatcher(settings.catalog_dir, settling(assistant.reload))
        watcher.start()
        assistant.watcher = watcher
    if question_log is not None:
        question_log.start()
    # SQLite: WAL checkpoints happen here, not inside a citizen's turn (assistant.store.wal).
    checkpoints = WalCheckpointer(engine).start() if engine is not None else None
    retention_task = None
    if retention and engine is not None:
        from assistant.store.retention import RetentionTask

        retention_task = RetentionTask(engine, settings)
        retention_task.start()
    migration_stop = asyncio.Event()
    migration = None
    if migrate_later and engine is not None:
        from assistant.startup import migrate_when_available

        migration = asyncio.create_task(migrate_when_available(engine, assistant, migration_stop))
    try:
        yield
    finally:
        if watcher is not None:
            watcher.stop()
        if checkpoints is not None:
            await asyncio.to_thread(checkpoints.stop)
        if retention_task is not None:
            await retention_task.stop()
        migration_stop.set()
        if migration is not None:
            with contextlib.suppress(Exception):
                await migration
        if question_log is not None:
            await asyncio.to_thread(question_log.close)


__all__ = ["AUTO", "api", "create_app", "reply_json", "wants_feedback"]
