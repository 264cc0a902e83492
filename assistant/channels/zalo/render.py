"""Render a core `Reply` as Zalo OA messages: plain text parts and up to five buttons.

Zalo shows plain text (no markup, so nothing to escape), caps a message at 2,000 characters and
a button template at five buttons (titles up to 100 characters, payloads up to 1,000). Buttons
are `oa.query.hide`: a tap sends the payload back to our webhook as a message the citizen does
not see, prefixed with `ACTION_PREFIX` so we can tell a button from typed text.

Five buttons is less than Telegram's keyboard, so we choose: answers get three facet buttons
plus 👍/👎 (the text already says what else can be asked); checklists keep their document
toggles (every procedure has at most five documents); menus keep their first five entries and
rely on the text, which lists everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.channels.text import split_message
from assistant.channels.zalo.client import ZaloButton
from assistant.dialogue.actions import feedback_action
from assistant.dialogue.reply import Button, Reply, Status

MESSAGE_LIMIT = 2000
MAX_BUTTONS = 5
TITLE_LIMIT = 100
PAYLOAD_LIMIT = 1000
ACTION_PREFIX = "#tthc "
FEEDBACK_YES = "👍 Hữu ích"
FEEDBACK_NO = "👎 Chưa hữu ích"


@dataclass(frozen=True, slots=True)
class Outgoing:
    text: str
    buttons: tuple[ZaloButton, ...] = ()


def wants_feedback(reply: Reply) -> bool:
    return reply.status == Status.answer and bool(reply.procedure_id) and "checklist" not in reply.data


def action_payload(action: str) -> str:
    return ACTION_PREFIX + action


def parse_payload(text: str) -> str | None:
    """The action behind a tapped button, or None for text the citizen typed."""
    if text.startswith(ACTION_PREFIX):
        return text[len(ACTION_PREFIX):].strip() or None
    return None


def _title(label: str) -> str:
    return label if len(label) <= TITLE_LIMIT else label[: TITLE_LIMIT - 1] + "…"


def choose_buttons(reply: Reply) -> list[Button]:
    buttons = [b for b in reply.buttons if b.action and len(action_payload(b.action)) <= PAYLOAD_LIMIT]
    if wants_feedback(reply) and reply.procedure_id:
        feedback = [Button(FEEDBACK_YES, feedback_action(reply.procedure_id, +1)),
                    Button(FEEDBACK_NO, feedback_action(reply.procedure_id, -1))]
        return buttons[: MAX_BUTTONS - len(feedback)] + feedback
    return buttons[:MAX_BUTTONS]


def render_reply(reply: Reply, limit: int = MESSAGE_LIMIT) -> list[Outgoing]:
    """The messages for one reply; the buttons go on the last part."""
    parts = split_message(reply.text, limit) or ["…"]
    buttons = tuple(ZaloButton(_title(b.label), action_payload(b.action)) for b in choose_buttons(reply))
    return [Outgoing(text, buttons if index == len(parts) - 1 else ()) for index, text in enumerate(parts)]


def render_text(text: str, limit: int = MESSAGE_LIMIT) -> list[Outgoing]:
    return [Outgoing(part) for part in split_message(text, limit)]


__all__ = ["ACTION_PREFIX", "MAX_BUTTONS", "MESSAGE_LIMIT", "Outgoing", "action_payload", "choose_buttons",
           "parse_payload", "render_reply", "render_text", "wants_feedback"]
