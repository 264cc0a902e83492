"""Splitting long replies into parts a chat platform accepts.

Platforms cap a message (Telegram: 4096 characters counted in UTF-16 code units, Zalo: 2000).
A reply cut in the middle of a word or a numbered list is hard to read on a phone, so we cut
at the coarsest boundary that fits: paragraphs, then lines, then words, and only for a single
unbreakable run of characters (a very long URL) at a character boundary that keeps Vietnamese
combining marks with their base letter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

Length = Callable[[str], int]

_SEPARATORS = ("\n\n", "\n", " ")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int, *, length: Length = len) -> list[str]:
    """Split `text` into parts of at most `limit` (as measured by `length`).

    Parts are stripped of surrounding whitespace and never empty; blank input gives `[]`.
    A part exceeds `limit` only when one character alone does (an emoji, 2 units, with limit 1).
    The order and wording of the text are preserved; only the whitespace at a cut is dropped.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if not isinstance(text, str):
        text = str(text)
    stripped = text.strip()
    if not stripped:
        return []
    if length(stripped) <= limit:
        return [stripped]
    parts = _split(stripped, limit, length, 0)
    return [part.strip() for part in parts if part.strip()]


def _split(text: str, limit: int, length: Length, level: int) -> list[str]:
    """Greedy packing at separator `level`, recursing to finer separators for oversized pieces."""
    if length(text) <= limit:
        return [text]
    if level >= len(_SEPARATORS):
        return _hard_cut(text, limit, length)
    sep = _SEPARATORS[level]
    sep_len = length(sep)
    parts: list[str] = []
    current: list[str] = []
    current_len = 0
    for piece in text.split(sep):
        piece_len = length(piece)
        if current and current_len + sep_len + piece_len <= limit:
            current.append(piece)
            current_len += sep_len + piece_len
            continue
        if not current and piece_len <= limit:
            current, current_len = [piece], piece_len
            continue
        if current:
            parts.append(sep.join(current))
            current, current_len = [], 0
        if piece_len <= limit:
            current, current_len = [piece], piece_len
        else:
            sub = _split(piece, limit, length, level + 1)
            parts.extend(sub[:-1])
            current, current_len = [sub[-1]], length(sub[-1])
    if current:
        parts.append(sep.join(current))
    return parts


def _hard_cut(text: str, limit: int, length: Length) -> list[str]:
    """Cut a run with no separator, never between a letter and its combining marks."""
    parts: list[str] = []
    start = 0
    used = 0
    i = 0
    while i < len(text):
        # A grapheme-ish cluster: one base character followed by its combining marks.
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        cluster_len = length(text[i:j])
        if cluster_len > limit:  # a pathological pile of marks: the limit wins over keeping it whole
            j = i + 1
            cluster_len = length(text[i])
        if used + cluster_len > limit and i > start:
            parts.append(text[start:i])
            start, used = i, 0
        used += cluster_len
        i = j
    if start < len(text):
        parts.append(text[start:])
    return parts


__all__ = ["split_message", "utf16_length"]
