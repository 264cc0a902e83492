"""Greetings, thanks and goodbyes: answered warmly and briefly, never matched to a procedure."""

from __future__ import annotations

import re
from enum import StrEnum


class SmallTalk(StrEnum):
    greeting = "greeting"
    thanks = "thanks"
    goodbye = "goodbye"
    ack = "ack"
    help = "help"


_PATTERNS: list[tuple[SmallTalk, re.Pattern[str]]] = [
    (SmallTalk.thanks, re.compile(r"\b(cam on|cam ta|da ta|thank|thanks|tks|thx)\b")),
    (SmallTalk.goodbye, re.compile(r"\b(tam biet|bye|bai bai|hen gap lai|chao nhe)\b")),
    (SmallTalk.greeting, re.compile(r"\b(xin chao|chao|hello|hi|alo|a lo|hey|chao buoi (sang|chieu|toi))\b")),
    (SmallTalk.help, re.compile(r"\b(ban (la ai|lam duoc gi|giup duoc gi)|huong dan su dung|tro giup|help|menu)\b")),
    (SmallTalk.ack, re.compile(r"^(ok|oke|okay|vang|da|u|uh|um|uk|duoc roi|hieu roi|ro roi)$")),
]

# Words that may surround small talk without turning it into a question.
_FILLER = re.compile(
    r"\b(ban|ad|admin|em|anh|chi|bot|nhe|nha|nhieu|a|oi|da|vang|rat|nhe|luon|minh|toi|nhieu|lam|chuc|ngay|tot|"
    r"buoi|sang|chieu|toi|moi|nguoi|ca|the|ha)\b"
)


def detect_smalltalk(normalised: str) -> SmallTalk | None:
    """Small talk only when nothing else of substance is in the message."""
    for kind, pattern in _PATTERNS:
        if pattern.search(normalised):
            rest = pattern.sub(" ", normalised)
            rest = _FILLER.sub(" ", rest)
            if not rest.strip():
                return kind
    return None
