"""QR codes for posters at the counter: scanning one opens a procedure in the chat.

With a Telegram bot username configured the code is a Telegram deep link
(`https://t.me/<bot>?start=proc_<id>`, which the bot answers with that procedure); otherwise it
is the web chat URL with the procedure (`<public url>/?p=<id>`). PNG output comes from segno,
which needs no imaging library.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import segno

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.catalog.loader import Catalog
    from assistant.catalog.schema import Procedure
    from assistant.nlu.matcher import Scored

DEEP_LINK_PREFIX = "proc_"
_START_PARAM = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram accepts in ?start=
_USERNAME = re.compile(r"[A-Za-z0-9_]{3,64}")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def web_base_url(settings: Settings) -> str:
    """How citizens reach the web chat: ASSISTANT_PUBLIC_URL, else the address the server binds."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = settings.web_host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.web_port}"


def procedure_url(settings: Settings, procedure_id: str) -> str:
    """The link a QR code for this procedure carries."""
    username = (settings.telegram_bot_username or "").lstrip("@")
    start = DEEP_LINK_PREFIX + procedure_id
    if username and _USERNAME.fullmatch(username) and _START_PARAM.fullmatch(start):
        return f"https://t.me/{username}?start={start}"
    return f"{web_base_url(settings)}/?p={quote(procedure_id, safe='')}"


def only_reachable_here(settings: Settings, url: str) -> bool:
    """True when the link points at this machine's loopback address (useless on a poster)."""
    if url.startswith("https://t.me/") or settings.public_url:
        return False
    return settings.web_host in LOOPBACK_HOSTS


def find_procedure(catalog: Catalog, query: str) -> tuple[Procedure | None, list[Scored]]:
    """What staff type — an id, a name or an alias ("giấy độc thân") — to one procedure, or to
    the closest candidates when it is ambiguous or unknown. Uses the chat's own matcher and its
    thresholds, so `qr` understands what citizens' questions are understood by."""
    from assistant.core import ANSWER_MARGIN, ANSWER_MIN, SUGGEST_MIN
    from assistant.nlu.matcher import Matcher

    text = query.strip()
    exact = catalog.get(text) or catalog.get(text.lower())
    if exact is not None:
        return exact, []
    ranked = Matcher(catalog.procedures.values()).rank(text, limit=5)
    if ranked and ranked[0].score >= ANSWER_MIN and (
            len(ranked) == 1 or ranked[0].score - ranked[1].score >= ANSWER_MARGIN):
        return catalog.get(ranked[0].id), []
    return None, [r for r in ranked if r.score >= SUGGEST_MIN]


def make_qr(url: str) -> segno.QRCode:
    # Error correction level M survives a creased or slightly dirty poster; segno may raise
    # it further when that still fits the same symbol size.
    return segno.make(url, error="m", boost_error=True, micro=False)


def qr_png_bytes(url: str, scale: int = 10, border: int = 4) -> bytes:
    buffer = io.BytesIO()
    make_qr(url).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()


def write_qr(url: str, path: Path, scale: int = 10, border: int = 4) -> Path:
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(qr_png_bytes(url, scale, border))
    return path


__all__ = ["find_procedure", "make_qr", "only_reachable_here", "procedure_url", "qr_png_bytes", "web_base_url", "write_qr"]
