"""Recognise a dossier receipt code (mã hồ sơ) anywhere in a message.

One-stop systems print codes like `000.00.10.H32-231116-0001`: an agency code, the receipt
date (YYMMDD) and a sequence number. Citizens paste them with spaces, in lower case or
with a dot missing; we accept those and return the canonical upper-case form.
"""

from __future__ import annotations

import re

MAX_SCAN = 4000  # a code is short; never run regexes over huge inputs

# agency: 000.00.10.H32 (3 digits, 2 digits, 2 digits, letter + 2 digits), flexible separators
_CODE = re.compile(
    r"(?<![0-9a-z])"
    r"(\d{3})\s*[.\s]?\s*(\d{2})\s*[.\s]?\s*(\d{2})\s*[.\s]?\s*([a-z]\s*\d{2})"
    r"\s*[-–—_\s]\s*(\d{6})\s*[-–—_\s]\s*(\d{4,6})"
    r"(?![0-9a-z])",
    re.IGNORECASE,
)
_ATTEMPT = re.compile(r"\d{3}[.\s]?\d{2}[.\s]?\d{2}|h\d{2}\s*-|\d{6}\s*-\s*\d{3,}", re.IGNORECASE)


_CANONICAL = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4,6}")


def find_dossier_code(text: str) -> str | None:
    """The canonical code if one appears in `text`; None otherwise. Never raises."""
    if not isinstance(text, str) or not text:
        return None
    if _CANONICAL.fullmatch(text):  # exports hold canonical codes: skip the tolerant search
        return text
    match = _CODE.search(text[:MAX_SCAN])
    if not match:
        return None
    a, b, c, agency, date, seq = match.groups()
    agency = re.sub(r"\s+", "", agency).upper()
    return f"{a}.{b}.{c}.{agency}-{date}-{seq}"


def looks_like_code_attempt(text: str) -> bool:
    """Digits shaped like part of a code: used to answer "mã chưa đúng" rather than a procedure."""
    return isinstance(text, str) and bool(_ATTEMPT.search(text[:MAX_SCAN]))
