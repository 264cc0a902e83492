"""Reading a request header from whatever mapping a webhook handler is given.

Starlette's `Headers` is case-insensitive, but the handlers also take plain dicts (tests, other
frameworks), where "X-ZEvent-Signature" and "x-zevent-signature" are different keys.
"""

from __future__ import annotations

from collections.abc import Mapping


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name`, matched case-insensitively; None when absent."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, candidate in headers.items():
        if isinstance(key, str) and key.lower() == lowered:
            return candidate
    return None


__all__ = ["header"]
