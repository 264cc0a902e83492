"""The Telegram staff group of the handoff (ASSISTANT_HANDOFF_CHAT_ID).

Each new request is posted there through the outbox with its transcript, headed
"Yêu cầu #N"; a civil servant who replies to any message of that request answers the citizen
on their own channel; /dong (as a reply, or "/dong N") closes it. Everything goes through the
same `HandoffStore` as the web inbox and the CLI, so both ways show the same state. The bot
needs no admin right: Telegram delivers replies to the bot's messages and commands to a bot
even in privacy mode.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING

from telegram import Message, Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from assistant.handoff.store import HandoffStore

if TYPE_CHECKING:
    from assistant.channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)
_REQUEST = re.compile(r"Yêu cầu #(\d+)")


def request_of(message: Message | None) -> int | None:
    """The request a group message refers to, from the header of the bot's post it replies to."""
    if message is None or message.reply_to_message is None:
        return None
    quoted = message.reply_to_message
    if quoted.from_user is not None and not quoted.from_user.is_bot:
        return None  # a reply to a colleague, not to a request
    match = _REQUEST.search(quoted.text or "")
    return int(match.group(1)) if match else None


def staff_name(message: Message) -> str:
    user = message.from_user
    if user is None:
        return "Cán bộ (Telegram)"
    return (f"@{user.username}" if user.username else user.full_name or "Cán bộ")[:60]


class StaffGroup:
    def __init__(self, channel: TelegramChannel, chat_id: str) -> None:
        self.channel = channel
        self.chat_id = chat_id
        assert channel.engine is not None
        self.store = HandoffStore(channel.engine, group=chat_id)

    def register(self, application: Application) -> None:
        """Registered before the citizen handlers, so the group's commands never reach them."""
        group = filters.Chat(chat_id=int(self.chat_id)) & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("dong", self.on_close, filters=group))
        application.add_handler(MessageHandler(group & filters.REPLY & filters.TEXT & ~filters.COMMAND, self.on_reply))
        application.add_handler(MessageHandler(group, self.on_other))  # anything else here is staff talk

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        request_id = request_of(message)
        if message is None or request_id is None:
            return
        key = f"tg:{message.chat_id}:{message.message_id}"
        outcome = await asyncio.to_thread(self.store.reply, request_id, staff_name(message), message.text or "",
                                          key=key, via="Telegram")
        note = {"sent": f"✓ Đã gửi cho người dân (yêu cầu #{request_id}).",
                "duplicate": None,
                "closed": f"Yêu cầu #{request_id} đã kết thúc, không gửi được.",
                "missing": f"Không còn yêu cầu #{request_id} (có thể đã hết hạn lưu)."}[outcome]
        log.info("staff group: reply to request %s: %s", request_id, outcome)
        if note:
            await self.channel.send_text(message.chat_id, note)
        self.channel.wake_outbox()

    async def on_close(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        request_id = request_of(message)
        args = context.args or []
        if request_id is None and args and args[0].lstrip("#").isdigit():
            request_id = int(args[0].lstrip("#"))
        if request_id is None:
            await self.channel.send_text(message.chat_id, "Trả lời tin nhắn của yêu cầu bằng /dong, hoặc gõ /dong <số>.")
            return
        closed = await asyncio.to_thread(lambda: self.store.close(request_id, staff_name(message), via="Telegram"))
        if not closed:
            await self.channel.send_text(message.chat_id, f"Yêu cầu #{request_id} không có hoặc đã kết thúc.")
        self.channel.wake_outbox()

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        return None


__all__ = ["StaffGroup", "request_of"]
