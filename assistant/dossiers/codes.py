"""Recognise a dossier receipt code (mã hồ sơ) anywhere in a message.

One-stop systems print codes like `000.00.10.H32-231116-0001`: an agency code (three digit
groups and a letter with two digits, H32 being Khánh Hòa), the receipt date (YYMMDD) and a
sequence number. Citizens retype them from a paper receipt, so we accept spaces, lower case,
missing dots, other dashes, full-width digits and zero-width characters pasted from chat apps,
and return the canonical upper-case form that the database stores.

The function runs on every message, so it must never raise and never be slow: the pattern
uses only bounded, possessive repetitions (no catastrophic backtracking) and ASCII classes
(so that e.g. the Kelvin sign or Arabic-Indic digits cannot sneak into a "canonical" code).
"""

from __future__ import annotations

import re
import unicodedata

MAX_SCAN = 100_000  # characters examined; far more than any chat message
SEGMENT = 256  # characters normalised at once (see _prepare)

_GAP = r"\s{0,3}+"  # a few spaces, taken possessively
_DOT = rf"{_GAP}\.?{_GAP}"  # a dot, maybe missing, maybe surrounded by spaces
_DASH = rf"{_GAP}[-_‐‑‒–—―]?{_GAP}"
_CODE = re.compile(
    r"(?<![0-9A-Za-z])"
    rf"([0-9]{{3}}){_DOT}([0-9]{{2}}){_DOT}([0-9]{{2}}){_DOT}([A-Za-z]){_GAP}([0-9]{{2}})"
    rf"{_DASH}([0-9]{{6}}){_DASH}([0-9]{{4,6}})"
    r"(?![0-9A-Za-z])",
    re.ASCII,
)
_CANONICAL = re.compile(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4,6}", re.ASCII)
# Fragments of a code: an agency part, "H32-2311..." or "231116-000..." (not a bare phone number).
_ATTEMPT = re.compile(
    rf"[0-9]{{3}}{_DOT}[0-9]{{2}}{_DOT}[0-9]{{2}}{_DOT}[A-Za-z][0-9]{{2}}"
    rf"|(?<![0-9A-Za-z])[A-Za-z][0-9]{{2}}{_GAP}-{_GAP}[0-9]{{4}}"
    rf"|(?<![0-9])[0-9]{{6}}{_GAP}-{_GAP}[0-9]{{3,}}",
    re.ASCII,
)
_NON_ASCII_PIECE = re.compile(rf"[\x00-\x7f]?[^\x00-\x7f]{{1,{SEGMENT}}}")
# Invisible characters that chat apps and PDFs insert into copied text.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"))


def canonical_form(text: str) -> bool:
    """True when `text` is exactly a code in the stored form."""
    return isinstance(text, str) and _CANONICAL.fullmatch(text) is not None


def _prepare(text: str) -> str:
    text = text[:MAX_SCAN]
    if not text.isascii():
        # NFKC folds full-width digits/letters and no-break spaces into ASCII.
        text = (unicodedata.normalize("NFKC", text) if len(text) <= SEGMENT else _nfkc_bounded(text))
        text = text.translate(_INVISIBLE)
    return text


def _nfkc_bounded(text: str) -> str:
    """NFKC of a long text in linear time, at most about MAX_SCAN characters of it.

    CPython orders a run of combining marks by insertion sort, so normalising a long run at
    once takes quadratic time (80,000 "\u0f73" take half a minute), and one character may
    expand to eighteen. So we normalise piece by piece, an ASCII character and the non-ASCII
    run after it (at most SEGMENT characters), and stop once MAX_SCAN characters are out. An
    ASCII character never combines with what precedes it, so the result equals whole-text
    NFKC except inside non-ASCII runs longer than SEGMENT, which no code contains."""
    out: list[str] = []
    size = pos = 0
    for match in _NON_ASCII_PIECE.finditer(text):
        piece = unicodedata.normalize("NFKC", match.group())
        out += (text[pos:match.start()], piece)
        size += match.start() - pos + len(piece)
        pos = match.end()
        if size >= MAX_SCAN:
            return "".join(out)[:MAX_SCAN]
    out.append(text[pos:])
    return "".join(out)


def find_dossier_code(text: str) -> str | None:
    """The canonical code (e.g. `000.00.10.H32-231116-0001`) of the first dossier code in
    `text`, or None. Never raises, whatever the input."""
    try:
        if not isinstance(text, str) or not text:
            return None
        if _CANONICAL.fullmatch(text):  # exports and buttons carry canonical codes: fast path
            return text
        match = _CODE.search(_prepare(text))
        if match is None:
            return None
        a, b, c, letter, region, date, seq = match.groups()
        return f"{a}.{b}.{c}.{letter.upper()}{region}-{date}-{seq}"
    except Exception:  # pragma: no cover - defensive: a message must never crash the bot
        return None


def looks_like_code_attempt(text: str) -> bool:
    """A message holding part of a code (e.g. `000.00.10.H32-2311`) but no whole one: worth a
    "mã chưa đúng định dạng" reply rather than a procedure search. Never raises."""
    try:
        if not isinstance(text, str) or not text:
            return False
        prepared = _prepare(text)
        return _CODE.search(prepared) is None and _ATTEMPT.search(prepared) is not None
    except Exception:  # pragma: no cover - defensive
        return False
