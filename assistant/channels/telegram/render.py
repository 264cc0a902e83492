"""Render a core `Reply` as Telegram messages: HTML text and an inline keyboard.

Everything the core wrote is escaped (`html.escape`), so a citizen typing `<b>` or a
catalogue note containing `&` can never break formatting or inject markup; the only tag we
add is `<b>` around the reply's title. Telegram's 4096-character limit counts the text after
entity parsing in UTF-16 units, so we split the plain text first and escape each part.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from assistant.channels.telegram import texts
from assistant.channels.text import split_message, utf16_length
from assistant.dialogue.actions import feedback_action
from assistant.dialogue.reply import Button, Reply, Status

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
BUTTONS_PER_ROW = 2
WIDE_LABEL = 24  # longer labels get a row of their own so they stay readable on a phone
MAX_BUTTONS = 60
KEYBOARD_CACHE = 1024  # built keyboards kept (see `keyboard`); each is a few kilobytes at most


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Telegram message to send: HTML text and, on the last part, the keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def render_text(text: str, title: str | None = None, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split and escape `text`; the title (when the text starts with it) is set in bold."""
    if title and not text.startswith(title):
        text = f"{title}\n{text}"
    parts = split_message(text, limit, length=utf16_length)
    rendered = []
    for index, part in enumerate(parts):
        if index == 0 and title and part.startswith(title):
            rendered.append(f"<b>{escape(title)}</b>{escape(part[len(title):])}")
        else:
            rendered.append(escape(part))
    return rendered


def wants_feedback(reply: Reply) -> bool:
    """Answers about a procedure ask "was this helpful?"; menus, checklists and cards do not."""
    return (reply.status == Status.answer and bool(reply.procedure_id)
            and "checklist" not in reply.data)


def keyboard(buttons: list[Button], feedback_for: str | None = None) -> InlineKeyboardMarkup | None:
    """Buttons two per row (long labels alone), then the 👍/👎 row when asked for.

    A keyboard depends only on its buttons (a procedure's facets, its checklist), so the same
    few hundred come back all day; PTB objects are immutable, so one built keyboard serves
    every message that shows it. Building one cost about 40 µs, a tenth of a whole turn."""
    return _keyboard(tuple((b.label, b.action) for b in buttons[:MAX_BUTTONS]), feedback_for)


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard that turns itself into JSON-ready data once.

    PTB calls `to_dict()` on every send; for a cached keyboard (see `keyboard`) that rebuilt the
    same nested dicts message after message, about 40 µs each time. Private attributes are not
    part of PTB's serialisation, and the object stays frozen for its public fields."""

    __slots__ = ("_as_dict",)

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        if not recursive:
            return super().to_dict(recursive)
        cached = getattr(self, "_as_dict", None)
        if cached is None:
            cached = self._as_dict = super().to_dict()
        return dict(cached)  # the caller gets its own top level; rows are only read (json.dumps)


@lru_cache(maxsize=KEYBOARD_CACHE)
def _keyboard(buttons: tuple[tuple[str, str], ...], feedback_for: str | None) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for label, action in buttons:
        if len(action.encode()) > CALLBACK_DATA_LIMIT or not action:
            log.warning("button dropped: callback data longer than %d bytes", CALLBACK_DATA_LIMIT)
            continue
        item = InlineKeyboardButton(label, callback_data=action)
        if len(label) > WIDE_LABEL:
            if row:
                rows.append(row)
                row = []
            rows.append([item])
            continue
        row.append(item)
        if len(row) == BUTTONS_PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    if feedback_for:
        yes, no = feedback_action(feedback_for, +1), feedback_action(feedback_for, -1)
        if len(yes.encode()) <= CALLBACK_DATA_LIMIT:
            rows.append([InlineKeyboardButton(texts.FEEDBACK_YES, callback_data=yes),
                         InlineKeyboardButton(texts.FEEDBACK_NO, callback_data=no)])
    return Keyboard(rows) if rows else None


def render_reply(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[Outgoing]:
    """The messages for one reply; the keyboard goes on the last part, next to the thumb."""
    parts = render_text(reply.text, reply.title, limit) or [escape("…")]
    markup = keyboard(reply.buttons, reply.procedure_id if wants_feedback(reply) else None)
    return [Outgoing(text, markup if index == len(parts) - 1 else None) for index, text in enumerate(parts)]


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard minus the 👍/👎 row, once the citizen has voted."""
    if markup is None:
        return None
    rows = [
        [b for b in row if not (isinstance(b.callback_data, str) and b.callback_data.startswith("fb:"))]
        for row in markup.inline_keyboard
    ]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


__all__ = ["MESSAGE_LIMIT", "Outgoing", "escape", "keyboard", "render_reply", "render_text", "without_feedback"]
