"""Where channels are listed: which platform channels the web server hosts, built from settings.

Each entry says when a channel is configured and how to build it. Adding a channel is one
package under `assistant/channels/`, one entry in `HOSTED` below, and its settings in
`assistant/config.py` (secret ones as `field(repr=False)`, which also keeps them out of logs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from assistant.channels.base import Channel
from assistant.channels.turns import ConversationTurns
from assistant.config import Settings
from assistant.core import Assistant
from assistant.metrics import Metrics

log = logging.getLogger(__name__)

AUTO: Any = object()  # "build it when its settings are present"


@dataclass(frozen=True)
class Context:
    """What a channel may need from the process that hosts it."""

    settings: Settings
    assistant: Assistant
    engine: Engine | None
    turns: ConversationTurns
    metrics: Metrics


def _zalo_configured(settings: Settings) -> bool:
    return bool(settings.zalo_oa_secret_key or settings.zalo_access_token or settings.zalo_refresh_token)


def _build_zalo(ctx: Context) -> Channel:
    from assistant.channels.zalo import ZaloChannel

    return ZaloChannel(ctx.settings, ctx.assistant, ctx.engine, turns=ctx.turns, metrics=ctx.metrics)


def _telegram_configured(settings: Settings) -> bool:
    # Hosted by the web server only in webhook mode; polling is the runner's (one process only).
    return bool(settings.telegram_token and settings.telegram_webhook_url)


def _build_telegram(ctx: Context) -> Channel | None:
    try:
        from assistant.channels.telegram import build_application
    except ImportError as exc:
        log.error("Telegram webhook mode requested but the Telegram channel is unavailable: %s", exc)
        return None
    return wrap_telegram(build_application(ctx.settings, ctx.assistant, ctx.engine))


def wrap_telegram(application: Any) -> Channel:
    """A PTB Application in webhook mode as a `Channel`."""
    from assistant.channels.telegram import TelegramWebhookChannel

    return TelegramWebhookChannel(application)


@dataclass(frozen=True)
class Entry:
    name: str
    configured: Callable[[Settings], bool]
    build: Callable[[Context], Channel | None]
    wrap: Callable[[Any], Channel] | None = None  # turns a ready-made platform object into a Channel


HOSTED: tuple[Entry, ...] = (
    Entry("zalo", _zalo_configured, _build_zalo),
    Entry("telegram", _telegram_configured, _build_telegram, wrap_telegram),
)


def hosted_channels(ctx: Context, overrides: dict[str, Any] | None = None) -> list[Channel]:
    """The platform channels for these settings. `overrides[name]`: None (off), AUTO (from the
    settings), a ready `Channel`, or a platform object the entry's `wrap` accepts (tests pass a
    ZaloChannel or a PTB Application built against a fake platform)."""
    overrides = overrides or {}
    channels: list[Channel] = []
    for entry in HOSTED:
        given = overrides.get(entry.name, AUTO)
        if given is None:
            continue
        if given is AUTO:
            channel = entry.build(ctx) if entry.configured(ctx.settings) else None
        elif isinstance(given, Channel) or entry.wrap is None:
            channel = given
        else:
            channel = entry.wrap(given)
        if channel is not None:
            channels.append(channel)
    return channels


__all__ = ["AUTO", "HOSTED", "Context", "Entry", "hosted_channels", "wrap_telegram"]
