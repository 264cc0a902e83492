"""Zalo OA webhook signatures.

Zalo signs every webhook POST with the header

    X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>

where `app_id` and `timestamp` are the fields of the same JSON body and the OA secret key is
the one shown in the OA's webhook settings (not the app secret). It is a plain SHA-256 over a
concatenation, not an HMAC, so the raw bytes must be hashed exactly as received: re-serialised
JSON would change them. See docs/zalo.md for the sources.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-ZEvent-Signature"
_HEX = frozenset("0123456789abcdef")


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The hex digest Zalo puts after `mac=`."""
    digest = hashlib.sha256()
    digest.update(app_id.encode())
    digest.update(body)
    digest.update(timestamp.encode())
    digest.update(secret.encode())
    return digest.hexdigest()


def header_value(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """The whole header as Zalo sends it (used by tests and the fake Zalo server)."""
    return f"mac={signature(app_id, body, timestamp, secret)}"


def verify(given: str | None, app_id: str, body: bytes, timestamp: str, secret: str) -> bool:
    """True when `given` (the header value, with or without "mac=") matches. Constant-time."""
    if not given or not secret or not app_id or not timestamp:
        return False
    value = given.strip()
    if value[:4].lower() == "mac=":
        value = value[4:].strip()
    value = value.lower()
    if len(value) != 64 or not set(value) <= _HEX:
        return False
    expected = signature(app_id, body, timestamp, secret)
    return hmac.compare_digest(value.encode(), expected.encode())


__all__ = ["HEADER", "header_value", "signature", "verify"]
