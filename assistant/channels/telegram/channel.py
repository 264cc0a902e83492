"""Telegram handlers: turn updates into core calls and core replies into messages.

Nothing here matches questions or decides answers; that is `Assistant`'s job. This module
owns what only Telegram has: slash commands, callback queries, editing a message in place for
the checklist, the 4096-character limit, Bot API errors, and delivery of outbox notifications.

Conversation state lives in the database (`ConversationStore`, key "telegram:<chat id>"), so
several bot processes can serve one bot. The core and the store are synchronous; a turn
(load state, ask the core, save state) runs in a worker thread so the event loop keeps
receiving updates and sending replies for other chats meanwhile.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import os
import re
import socket
import uuid
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine
from telegram import LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from assistant.channels.delivery import DeliveryError, OutboxDispatcher, release_claims
from assistant.channels.limits import chat_limiter
from assistant.channels.ratelimit import SlidingWindowLimiter
from assistant.channels.telegram import texts
from assistant.channels.telegram.render import Outgoing, render_reply, render_text, without_feedback
from assistant.channels.telegram.stats import stats_text
from assistant.channels.turns import ConversationTurns
from assistant.config import Settings
from assistant.core import Assistant
from assistant.dialogue.conversation import Conversation, Requester
from assistant.dialogue.reply import Reply, Status
from assistant.dossiers.codes import find_dossier_code
from assistant.workdays import VN_TZ

log = logging.getLogger(__name__)

CHANNEL = "telegram"
BOT_DATA_KEY = "tthc_channel"
ALLOWED_UPDATES = ["message", "callback_query"]
DEEP_LINK_PREFIX = "proc_"
MAX_RETRY_WAIT = 30.0  # seconds we are willing to hold one reply for a retry-after
MEMORY_CONVERSATIONS = 2000  # states kept in process: the fallback while the database is down, and polling's own copy

Turn = Callable[[Conversation, Requester], Reply]



def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds, whichever type this PTB version exposes."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def chat_key(chat_id: int | str) -> str:
    return f"{CHANNEL}:{chat_id}"


def _plain(html_text: str) -> str:
    return html.unescape(re.sub(r"</?b>", "", html_text))


class TelegramChannel:
    """The handlers and the outbox delivery of one `Application`, sharing one context."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        engine: Engine | None,
        *,
        limiter: SlidingWindowLimiter | None = None,
        reply_attempts: int = 3,
        reply_retry_delay: float = 0.5,
        outbox_batch: int = 20,
        outbox_interval: float = 2.0,
        worker_id: str | None = None,
        turn_threads: int | None = None,
        turns: ConversationTurns | None = None,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.engine = engine
        self.limiter = limiter or chat_limiter()
        self.reply_attempts = max(1, reply_attempts)
        self.reply_retry_delay = reply_retry_delay
        self.outbox_batch = outbox_batch
        self.outbox_interval = outbox_interval
        self.worker_id = worker_id or f"{CHANNEL}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stats: Counter[str] = Counter()
        self.started_at = dt.datetime.now(VN_TZ)  # shown to staff in Vietnam time
        self.application: Application | None = None
        self.dispatcher: OutboxDispatcher | None = None
        self._outbox_stop: asyncio.Event | None = None
        self._outbox_task: asyncio.Task[None] | None = None
        if turn_threads is None:
            # SQLite takes one writer at a time (a second thread would only wait on its lock);
            # a server database overlaps round trips of different chats.
            turn_threads = 1 if engine is None or engine.dialect.name == "sqlite" else 4
        self._own_turns = turns is None
        self.turns = turns or ConversationTurns(engine, threads=turn_threads, memory_size=MEMORY_CONVERSATIONS)
        self.outbox = None
        if engine is not None:
            from assistant.store import Outbox

            self.outbox = Outbox(engine)

    # -- wiring ---------------------------------------------------------------------------------

    def register(self, application: Application) -> None:
        self.application = application
        application.bot_data[BOT_DATA_KEY] = self
        if self.settings.handoff_chat_id and self.engine is not None:
            from assistant.channels.telegram.staff_group import StaffGroup

            if self.settings.handoff_chat_id.lstrip("-").isdigit():
                StaffGroup(self, self.settings.handoff_chat_id).register(application)
            else:
                log.error("ASSISTANT_HANDOFF_CHAT_ID is not a Telegram chat id; the staff group is off")
        only_new = filters.UpdateType.MESSAGE
        commands: list[tuple[str, Callable[..., Awaitable[None]]]] = [
            ("start", self.on_start), ("help", self.on_help), ("tracuu", self.on_lookup),
            ("theodoi", self.on_subscribe), ("huytheodoi", self.on_unsubscribe), ("lienhe", self.on_contact),
            ("reload", self.on_reload), ("stats", self.on_stats), ("canbo", self.on_handoff),
        ]
        for name, callback in commands:
            application.add_handler(CommandHandler(name, callback, filters=only_new))
        application.add_handler(CallbackQueryHandler(self.on_callback))
        application.add_handler(MessageHandler(only_new & filters.COMMAND, self.on_unknown_command))
        application.add_handler(MessageHandler(only_new & filters.ChatType.PRIVATE & filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(only_new & filters.ChatType.PRIVATE & ~filters.TEXT, self.on_other))
        application.add_error_handler(self.on_error)

    @property
    def bot(self):
        assert self.application is not None, "register() first"
        return self.application.bot

    # -- conversation turns (the shared `ConversationTurns`, in its worker threads) ---------------------


    async def turn(self, chat_id: int | str, turn: Turn) -> Reply:
        """Run one turn off the event loop (the core and the store are synchronous)."""
        reply, _seconds = await self.turns.run(CHANNEL, str(chat_id), turn)
        self.stats[f"status:{reply.status.value}"] += 1
        return reply

    # -- sending ---------------------------------------------------------------------------------

    async def _call(self, make: Callable[[], Awaitable[Any]]) -> Any:
        """One Bot API call with bounded retries for 429/5xx/network errors. 4xx are not retried
        (a bad request stays bad); the last error propagates to the caller."""
        for attempt in range(self.reply_attempts):
            try:
                return await make()
            except RetryAfter as exc:
                delay = min(retry_seconds(exc), MAX_RETRY_WAIT)
                error: TelegramError = exc
            except (BadRequest, Forbidden, InvalidToken):
                raise
            except NetworkError as exc:  # includes TimedOut and 5xx answers
                delay = self.reply_retry_delay * (2 ** attempt)
                error = exc
            if attempt == self.reply_attempts - 1:
                raise error
            self.stats["retries"] += 1
            log.info("telegram call failed (%s); retry %d in %.1fs", error.__class__.__name__, attempt + 1, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _send_message(self, chat_id: int | str, message: Outgoing, *, retries: bool = True) -> Message:
        async def send(text: str, parse_mode: str | None) -> Message:
            return await self.bot.send_message(
                chat_id=chat_id, text=text, parse_mode=parse_mode, reply_markup=message.markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True))

        async def once() -> Message:
            try:
                return await send(message.text, ParseMode.HTML)
            except BadRequest as exc:
                if "parse" not in str(exc).lower():
                    raise
                # Our escaping should make this impossible; if it happens, the citizen still gets the text.
                log.error("telegram rejected our HTML (%s); sending plain text", exc)
                return await send(_plain(message.text), None)

        result = await (self._call(once) if retries else once())
        self.stats["sent"] += 1
        return result

    async def send_reply(self, chat_id: int | str, reply: Reply) -> None:
        """Send every part of a reply; failures are logged and counted, never raised."""
        for message in render_reply(reply):
            try:
                await self._send_message(chat_id, message)
            except TelegramError as exc:
                self.stats["send_failed"] += 1
                log.warning("reply not delivered to a chat: %s: %s", exc.__class__.__name__, exc)
                return

    async def send_text(self, chat_id: int | str, text: str) -> None:
        await self.send_reply(chat_id, Reply(status=Status.smalltalk, text=text))

    async def _edit(self, message: Message, outgoing: Outgoing) -> bool:
        """Edit a message in place (the checklist). True when the message shows the new state."""
        try:
            await self._call(lambda: self.bot.edit_message_text(
                chat_id=message.chat_id, message_id=message.message_id, text=outgoing.text,
                parse_mode=ParseMode.HTML, reply_markup=outgoing.markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True)))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True  # a double tap: the message already shows this state
            log.info("could not edit message (%s); sending a new one", exc)
            return False
        except TelegramError as exc:
            log.warning("could not edit message: %s", exc.__class__.__name__)
            return False
        self.stats["edited"] += 1
        return True

    async def _answer_query(self, query: Any, text: str | None = None) -> None:
        try:
            await self._call(lambda: query.answer(text=text[:200] if text else None))
        except TelegramError as exc:  # a query older than ~15 minutes cannot be answered: harmless
            log.debug("callback query not answered: %s", exc)

    # -- admission -----------------------------------------------------------------------------

    async def _admit(self, update: Update) -> bool:
        """Per-chat flood guard: the first refused message gets one friendly note, the rest silence."""
        chat = update.effective_chat
        if chat is None:
            return False
        self.stats["updates"] += 1
        decision = self.limiter.hit(chat_key(chat.id))
        if decision.allowed:
            return True
        self.stats["rate_limited"] += 1
        if update.callback_query is not None:
            await self._answer_query(update.callback_query, texts.TOO_FAST_TOAST)
        elif decision.first_refusal:
            await self.send_text(chat.id, texts.too_fast(decision.retry_after))
        return False

    def _is_staff(self, update: Update) -> bool:
        chat = update.effective_chat
        return chat is not None and str(chat.id) in self.settings.staff_chat_ids

    @property
    def place(self) -> str | None:
        locality = self.assistant.catalog.locality
        return locality.name if locality else None

    # -- handlers ------------------------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._admit(update):
            return
        chat_id = update.effective_chat.id
        args = context.args or []
        if args and args[0].startswith(DEEP_LINK_PREFIX):
            procedure_id = args[0][len(DEEP_LINK_PREFIX):]
            reply = await self.turn(chat_id, lambda conv, _req: self.assistant.open_procedure(procedure_id, conv))
            await self.send_reply(chat_id, reply)
            return
        menu = self.assistant.field_menu()
        await self.send_reply(chat_id, Reply(status=Status.smalltalk, text=texts.greeting(self.place),
                                             buttons=menu.buttons, data=menu.data))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._admit(update):
            await self.send_text(update.effective_chat.id, texts.HELP)

    async def on_contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._admit(update):  # the locality's one-stop, per commune when the chat named one
            chat_id = update.effective_chat.id
            await self.send_reply(chat_id, await self.turn(chat_id, lambda conv, _req: self.assistant.contact(conv)))

    async def _dossier_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE, command: str,
                               turn: Callable[[str], Turn]) -> None:
        if not await self._admit(update):
            return
        chat_id = update.effective_chat.id
        raw = " ".join(context.args or [])
        if not raw.strip():
            await self.send_text(chat_id, texts.need_code(command))
            return
        code = find_dossier_code(raw)
        if code is None:
            await self.send_text(chat_id, texts.bad_code(command))
            return
        await self.send_reply(chat_id, await self.turn(chat_id, turn(code)))

    async def on_lookup(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._dossier_command(update, context, "tracuu",
                                    lambda code: lambda conv, req: self.assistant.handle(code, conv, req))

    async def on_subscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._dossier_command(update, context, "theodoi",
                                    lambda code: lambda conv, req: self.assistant.handle_action(f"sub:{code}", conv, req))

    async def on_unsubscribe(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._dossier_command(
            update, context, "huytheodoi",
            lambda code: lambda conv, req: self.assistant.handle_action(f"unsub:{code}", conv, req))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._admit(update):
            return
        chat_id = update.effective_chat.id
        text = update.effective_message.text or ""
        reply = await self.turn(chat_id, lambda conv, req: self.assistant.handle(text, conv, req))
        await self.send_reply(chat_id, reply)

    async def on_handoff(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/canbo: ask for a civil servant (assistant/handoff)."""
        if not await self._admit(update):
            return
        chat_id = update.effective_chat.id
        reply = await self.turn(chat_id, lambda conv, req: self.assistant.handle_action("ho:open", conv, req))
        await self.send_reply(chat_id, reply)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._admit(update):
            await self.send_text(update.effective_chat.id, texts.NOT_TEXT)

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await self._admit(update):
            await self.send_text(update.effective_chat.id, texts.UNKNOWN_COMMAND)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        if update.effective_chat is None:
            await self._answer_query(query)
            return
        if not await self._admit(update):
            return
        self.stats["buttons"] += 1
        chat_id = update.effective_chat.id
        data = query.data if isinstance(query.data, str) else ""
        reply = await self.turn(chat_id, lambda conv, req: self.assistant.handle_action(data, conv, req))
        message = query.message if isinstance(query.message, Message) else None

        if data.startswith("fb:"):
            # A toast instead of a new message; the 👍/👎 row disappears so one answer gets one vote.
            await self._answer_query(query, reply.text)
            if message is not None and message.reply_markup is not None:
                try:
                    await self._call(lambda: self.bot.edit_message_reply_markup(
                        chat_id=message.chat_id, message_id=message.message_id,
                        reply_markup=without_feedback(message.reply_markup)))
                except TelegramError as exc:
                    log.debug("feedback buttons not removed: %s", exc)
            if reply.data.get("handoff_offer"):  # a toast cannot carry the "Gặp cán bộ" button
                await self.send_reply(chat_id, reply)
            return

        await self._answer_query(query)
        if data.startswith("k:") and message is not None:
            outgoing = render_reply(reply)
            if len(outgoing) == 1 and await self._edit(message, outgoing[0]):
                return
        await self.send_reply(chat_id, reply)

    async def _staff_chat(self, update: Update) -> int | None:
        """The chat of a staff command, or None when the update was refused (flood guard) or the
        sender is not staff (they are told so politely)."""
        if not await self._admit(update):
            return None
        chat_id = update.effective_chat.id
        if not self._is_staff(update):
            await self.send_text(chat_id, texts.staff_only(chat_id))
            return None
        return chat_id

    async def on_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = await self._staff_chat(update)
        if chat_id is None:
            return
        problems = await asyncio.to_thread(self.assistant.reload)
        catalog = self.assistant.catalog
        log.info("catalogue reload requested from Telegram by staff: %d problem(s)", len(problems))
        if problems:
            await self.send_text(chat_id, texts.reload_failed([str(p) for p in problems]))
        else:
            await self.send_text(chat_id, texts.reload_ok(len(catalog), catalog.version))

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = await self._staff_chat(update)
        if chat_id is None:
            return
        await self.send_text(chat_id, await asyncio.to_thread(stats_text, self))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log and move on; the citizen gets an apology when the fault was ours, not Telegram's."""
        error = context.error
        self.stats["errors"] += 1
        if isinstance(error, TelegramError):
            log.warning("telegram API error: %s: %s", error.__class__.__name__, error)
            return
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed", update_id, exc_info=error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await self._send_message(update.effective_chat.id, render_reply(
                    Reply(status=Status.smalltalk, text=texts.TEMPORARY_ERROR))[0], retries=False)
            except Exception:
                log.debug("apology not delivered")

    # -- outbox notifications -----------------------------------------------------------------------

    async def deliver(self, chat_id: str, text: str) -> None:
        """Send one outbox notification; Telegram's errors become `DeliveryError`s so the dispatcher
        knows whether to retry soon, after the retry-after, or much later."""
        target: int | str = int(chat_id) if re.fullmatch(r"-?\d+", chat_id) else chat_id
        try:
            for part in render_text(text) or [html.escape(text or "…")]:
                await self._send_message(target, Outgoing(part), retries=False)
        except RetryAfter as exc:
            raise DeliveryError("flood control", retry_after=retry_seconds(exc)) from exc
        except (Forbidden, BadRequest) as exc:  # blocked by the user, chat gone, or unsendable
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}", permanent=True) from exc
        except TelegramError as exc:  # network, 5xx, timeouts, a bad token: try again later
            raise DeliveryError(f"{exc.__class__.__name__}: {exc}") from exc

    def start_outbox(self) -> None:
        if self.outbox is None or self._outbox_task is not None:
            return
        self.dispatcher = OutboxDispatcher(self.outbox, CHANNEL, self.deliver, self.worker_id, self.outbox_batch)
        self._outbox_stop = asyncio.Event()
        self._outbox_task = asyncio.create_task(
            self.dispatcher.run(self._outbox_stop, self.outbox_interval), name="telegram-outbox")

    async def stop_outbox(self, timeout: float = 10.0) -> None:
        """Let the current notification finish (so its row is marked), then stop."""
        task, self._outbox_task = self._outbox_task, None
        if task is None:
            return
        assert self._outbox_stop is not None
        self._outbox_stop.set()
        try:
            await asyncio.wait_for(task, timeout)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("outbox delivery did not stop in %.0fs; unfinished rows are retried later", timeout)
        await release_claims(self.outbox, self.worker_id, CHANNEL)

    def close(self) -> None:
        """Release the turn thread(s); turns still running finish on their own."""
        if self._own_turns:
            self.turns.close()

    def wake_outbox(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.wake()

