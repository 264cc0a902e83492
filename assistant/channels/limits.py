"""Limits every channel applies the same way: how long a question may be, how fast one chat may
write. One place, so a citizen meets the same rules on the web chat, Zalo and Telegram."""

from __future__ import annotations

from assistant.channels.ratelimit import SlidingWindowLimiter

MAX_TEXT_CHARS = 4000  # characters of one question (the core handles more, citizens never need it)
CHAT_MESSAGES_PER_MINUTE = 20  # Telegram and Zalo chats: the platforms' own pace for one conversation
WEB_MESSAGES_PER_MINUTE = 30  # the web page: quick taps on buttons count as messages too
WINDOW_SECONDS = 60.0


def chat_limiter(limit: int = CHAT_MESSAGES_PER_MINUTE) -> SlidingWindowLimiter:
    """A per-chat flood guard: `limit` messages a minute per chat key."""
    return SlidingWindowLimiter(limit=limit, window=WINDOW_SECONDS)


__all__ = ["CHAT_MESSAGES_PER_MINUTE", "MAX_TEXT_CHARS", "WEB_MESSAGES_PER_MINUTE", "WINDOW_SECONDS",
           "chat_limiter"]
