"""The visible web conversation, kept with the conversation state so a reload can draw it again.

The page used to lose everything it showed on reload although the server still had the
conversation. Each chat turn now appends what the page showed — the citizen's line and the reply
payload — to `Conversation.history`, bounded and trimmed to what the page renders, and
`GET /api/history` returns it. Ticking a checklist edits the checklist bubble in place on the page,
so it replaces the stored checklist instead of adding a line; a 👍/👎 vote is not a turn either:
it replaces the buttons of the answer it rated with the thanks, as the page does.
"""

from __future__ import annotations

from typing import Any

from assistant.dialogue.conversation import Conversation

MAX_ENTRIES = 16  # user lines and replies together: the last eight exchanges
MAX_BUTTONS = 40
REPLY_KEYS = ("status", "title", "reply", "procedure_id", "facet", "buttons", "feedback")
DATA_KEYS = ("menu", "checklist", "dossier", "handoff", "handoff_offer")
# Buttons the page itself shows (not in a reply): what the user's bubble says when pressed.
PAGE_BUTTONS = {"ho:open": "🙋 Gặp cán bộ"}


def _is_toggle(action: str) -> bool:
    head, _, rest = action.partition(":")
    return head == "k" and not rest.startswith("-1:")


def _slim(payload: dict[str, Any]) -> dict[str, Any]:
    """Only what the page draws: no scores or candidates, a bounded list of buttons."""
    slim = {key: payload.get(key) for key in REPLY_KEYS if payload.get(key) is not None}
    slim["buttons"] = list(payload.get("buttons") or [])[:MAX_BUTTONS]
    data = payload.get("data") or {}
    kept = {key: data[key] for key in DATA_KEYS if key in data}
    if kept:
        slim["data"] = kept
    return slim


def _label_for(history: list[dict[str, Any]], action: str) -> str | None:
    """The label of the button that was pressed, as the page showed it in the user's bubble."""
    for entry in reversed(history):
        for button in entry.get("reply", {}).get("buttons", []) if entry.get("role") == "bot" else []:
            if button.get("action") == action:
                return str(button.get("label"))
    return None


def record(conversation: Conversation, kind: str, value: Any, payload: dict[str, Any]) -> None:
    """Append one turn as the page shows it. `kind`/`value`: the request field and its value."""
    history = list(conversation.history or [])
    reply = _slim(payload)
    if kind == "action" and isinstance(value, str):
        if value.startswith("fb:"):
            # The page replaced the 👍/👎 row with the thanks: a reload shows the thanks too.
            for entry in reversed(history):
                shown = entry.get("reply", {})
                if any(b.get("action") == value for b in shown.get("feedback") or []):
                    shown["feedback"], shown["voted"] = [], payload.get("reply")
                    break
            if (payload.get("data") or {}).get("handoff_offer"):
                history.append({"role": "bot", "reply": reply})  # the page shows the offer as a reply
            conversation.history = history[-MAX_ENTRIES:]
            return
        if _is_toggle(value) and "checklist" in reply.get("data", {}):
            for i in range(len(history) - 1, -1, -1):
                if "checklist" in history[i].get("reply", {}).get("data", {}):
                    history[i] = {"role": "bot", "reply": reply}
                    conversation.history = history
                    return
        label = _label_for(history, value) or PAGE_BUTTONS.get(value)
        if label:
            history.append({"role": "user", "text": label})
    elif kind == "text" and isinstance(value, str):
        text = value.strip()[:4000]
        code = ((reply.get("data") or {}).get("dossier") or {}).get("code")
        if reply.get("status") == "dossier" and isinstance(code, str) and text.upper() == code.upper():
            text = f"Tra cứu hồ sơ {text}"  # as the page's lookup box shows it
        history.append({"role": "user", "text": text})
    history.append({"role": "bot", "reply": reply})
    conversation.history = history[-MAX_ENTRIES:]


def record_notifications(conversation: Conversation, items: list[tuple[int, str]]) -> None:
    """Dossier notifications the page is about to show ((outbox id, text)), once each: they are
    offered until acknowledged, so an id already in the history is not added again."""
    history = list(conversation.history or [])
    seen = {e.get("notification") for e in history if e.get("notification") is not None}
    for item_id, text in items:
        if item_id not in seen:
            history.append({"role": "bot", "notification": item_id,
                            "reply": {"status": "notification", "reply": text, "buttons": []}})
    conversation.history = history[-MAX_ENTRIES:]


def recent(state: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The stored entries of a conversation state (tolerates states written before this field)."""
    entries = (state or {}).get("history") or []
    return [e for e in entries if isinstance(e, dict) and e.get("role") in ("user", "bot")][-MAX_ENTRIES:]


__all__ = ["MAX_ENTRIES", "recent", "record", "record_notifications"]
