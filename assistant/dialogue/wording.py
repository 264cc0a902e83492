"""Hygiene of the text a citizen reads: no sentence said twice, no internal marker, button labels
that end on a whole word. Kept apart from `compose`, which decides *what* is said."""

from __future__ import annotations

import re

from assistant.text.normalize import fold


def sentence_key(sentence: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(sentence)).split())


def without_repeats(text: str) -> str:
    """The text without any sentence said a second time (catalogue notes often restate the
    summary: "Mức thu do HĐND tỉnh quy định." twice reads as a broken bot). Short fragments
    (under three words) and list items, where repeating is legitimate, are never dropped."""
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        if line[:1] in ("•", " ", "-", "⬜", "✅") or line[:1].isdigit():
            lines.append(line)  # list items (two offices may share opening hours) are kept as written
            continue
        kept = []
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            key = sentence_key(sentence)
            if len(key.split()) >= 3 and key in seen:
                continue
            seen.add(key)
            kept.append(sentence)
        if kept or not line.strip():
            lines.append(" ".join(kept))
    return "\n".join(lines)


def short_label(text: str, limit: int = 44) -> str:
    """A button label that ends on a whole word, with "…" when shortened (Telegram and Zalo
    buttons have little room; a label cut mid-word, "…cần điều ch", reads as a bug)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rstrip()
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(—-") + "…"


def said_once(text: str) -> str:
    """Never the same sentence twice (e.g. a note repeating the sentence rendered from the numbers)."""
    seen: set[str] = set()
    kept = []
    for line in text.split("\n"):
        key = " ".join(line.split()).rstrip(".").casefold()
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept)


def clean_note(note: str) -> str:
    """Internal markers never reach citizens (the checker reports them to staff)."""
    return re.sub(r"\s*\((?:verify|\?)\)\s*", " ", note).strip()
